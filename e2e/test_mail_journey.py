"""E-mail in a real browser journey, through a real SMTP server (aiosmtpd, STARTTLS and AUTH): a
shopper signs up on a shop that requires e-mail confirmation, confirms from the welcome e-mail,
orders, and finds the order's lines and total in the confirmation e-mail; then, on another
device, resets the password from the e-mail's link, and the first device's session is gone."""
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import serve, stop
from test_shopping_journey import add_first_in_stock, checkout, fill, shot, wait

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "checks"))
sys.path.insert(0, str(ROOT / "bench"))
import benchlib  # noqa: E402
from mail_server import MailServer  # noqa: E402


@pytest.fixture()
def mailing_shop():
    work = Path(tempfile.mkdtemp(prefix="gomart-e2e-mail-"))
    server = MailServer(str(work / "mailbox"), benchlib.free_port(), starttls=True, user="shop:e2e mail pass").start()
    port = benchlib.free_port()
    shop = serve(work, name="mail", args=("--port", str(port)), env={
        "GOMART_SMTP_URL": f"smtp://shop:e2e%20mail%20pass@127.0.0.1:{server.controller.port}?starttls=required&ca={server.ca}",
        "GOMART_PUBLIC_URL": f"http://127.0.0.1:{port}", "GOMART_EMAIL_VERIFICATION": "required", "GOMART_RATE_LIMITS": "off",
    })
    try:
        yield next(shop), server
    finally:
        stop(shop)
        server.stop()


def mail_with(server, needle, timeout=30):
    """The text part of the first e-mail whose subject contains `needle`, once it has arrived."""
    deadline = time.monotonic() + timeout
    while True:
        for message in server.messages():
            if needle in (message["Subject"] or ""):
                body = message.get_payload()[0] if message.is_multipart() else message
                return body.get_payload(decode=True).decode()
        assert time.monotonic() < deadline, f"no e-mail about {needle!r}"
        time.sleep(0.2)


def link(text, start):
    return re.search(re.escape(start) + r"\S+", text).group(0)


def test_confirm_order_and_reset_a_password_from_the_e_mails(mailing_shop, browser):
    shop_url, server = mailing_shop
    email = f"mail-journey-{uuid.uuid4().hex[:8]}@example.com"

    # Sign up: no session yet, a "check your e-mail" page.
    browser.get(shop_url + "/account/sign-up")
    fill(browser, "name", "Mail Journey")
    fill(browser, "email", email)
    fill(browser, "password", "a long mail journey password")
    browser.find_element(By.CSS_SELECTOR, ".stacked-form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Check your e-mail"))
    shot(browser, "mail-01-check-your-e-mail")

    # The welcome e-mail's link opens a page whose button confirms and signs in.
    welcome = mail_with(server, "Confirm your e-mail")
    browser.get(link(welcome, shop_url + "/account/confirm?token="))
    browser.find_element(By.CSS_SELECTOR, ".stacked-form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Your account"))
    assert "Your e-mail is confirmed." in browser.page_source
    shot(browser, "mail-02-confirmed")

    # Order, and find the lines and the total in the confirmation e-mail.
    browser.get(shop_url + "/aisles/pantry?in_stock=1&sort=price-desc")
    add_first_in_stock(browser, 1)
    browser.get(shop_url + "/cart")
    line_name = browser.find_element(By.CSS_SELECTOR, ".cart-line a").text
    checkout(browser, shop_url, "4242 4242 4242 4242")
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Thank you"))
    confirmation = browser.find_element(By.CSS_SELECTOR, ".confirmation").text
    number = re.search(r"GM-[0-9A-Z]{6}", confirmation).group(0)
    total = re.search(r"reserved (£\d+\.\d\d) on your card", confirmation).group(1)
    text = mail_with(server, f"order {number} is confirmed")
    assert f"1 x {line_name}" in text
    assert f"Total: {total}" in text
    shot(browser, "mail-03-ordered")

    # Another device asks for a reset link and sets a new password with it.
    session = browser.get_cookie("gm_session")["value"]
    browser.delete_all_cookies()
    browser.get(shop_url + "/account/sign-in")
    browser.find_element(By.LINK_TEXT, "Forgotten your password?").click()
    fill(browser, "email", email)
    browser.find_element(By.CSS_SELECTOR, ".stacked-form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Check your e-mail"))
    reset = mail_with(server, "Reset your")
    browser.get(link(reset, shop_url + "/account/password/reset?token="))
    fill(browser, "new_password", "a brand new mail password")
    browser.find_element(By.CSS_SELECTOR, ".stacked-form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Your new password is set"))
    shot(browser, "mail-04-password-reset")

    # The first device's session is gone: its cookie no longer opens the account.
    browser.add_cookie({"name": "gm_session", "value": session, "path": "/"})
    browser.get(shop_url + "/account")
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Sign in"))
    fill(browser, "email", email)
    fill(browser, "password", "a brand new mail password")
    browser.find_element(By.CSS_SELECTOR, ".stacked-form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Your account"))

