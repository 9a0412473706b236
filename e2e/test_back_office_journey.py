"""The back office in a real browser: a manager signs in with the code from an authenticator app,
changes a price and sees it in the shop; a picker picks an order with one line short and the
shopper's order page shows the refund; a driver delivers it; the owner finds every step in the
audit log and the sale on the dashboard."""
import base64
import email
import hashlib
import hmac
import re
import struct
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import BINARY, serve
from test_shopping_journey import book_slot, cart_count, checkout, fill, shot, wait


PASSWORD = "a long staff password"


def totp(secret, at=None):
    """The RFC 6238 code (SHA-1, 30 s, 6 digits) an authenticator app shows for `secret`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


@pytest.fixture(scope="module")
def staffed_shop():
    """A fresh shop with an owner, a manager, a picker and a driver added by `gomart staff add`;
    yields the address and the authenticator secrets by role."""
    data = Path(tempfile.mkdtemp(prefix="gomart-e2e-staff-"))
    (data / "password").write_text(PASSWORD + "\n")
    secrets = {}
    for email, role, name in (("owner@example.com", "owner", "Olive Owner"), ("manager@example.com", "manager", "Max Manager"),
                              ("picker@example.com", "picker", "Pat Picker"), ("driver@example.com", "driver", "Dev Driver")):
        added = subprocess.run([str(BINARY), "staff", "add", "--email", email, "--role", role, "--name", name,
                                "--password-file", str(data / "password"), "--data-dir", str(data / "data")],
                               cwd=data, check=True, capture_output=True, text=True, timeout=120)
        found = re.search(r"secret:\s+([A-Z2-7]+)", added.stderr)
        if found:
            secrets[role] = found.group(1)
    for url in serve(data):
        yield url, secrets, data / "data" / "mail" / "new"


def staff_sign_in(browser, shop_url, email, code=None):
    browser.delete_all_cookies()
    browser.get(shop_url + "/admin/sign-in")
    fill(browser, "email", email)
    fill(browser, "password", PASSWORD)
    if code is not None:
        fill(browser, "code", code())
    submit = browser.find_element(By.CSS_SELECTOR, "form button[type=submit]")
    submit.click()
    # The old page must be gone before the new one is read: reading an element while the page
    # is being replaced fails in the driver itself.
    wait(browser).until(EC.staleness_of(submit))
    try:
        wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Back office"))
    except Exception:
        shot(browser, f"sign-in-failed-{email}")
        raise AssertionError(f"{email} did not reach the back office: {browser.current_url}\n{browser.find_element(By.TAG_NAME, 'body').text}")


def press(browser, label):
    """Presses a form's button and waits until the page it posted to has replaced this one."""
    button = browser.find_element(By.XPATH, f"//button[normalize-space()='{label}']")
    button.click()
    wait(browser).until(EC.staleness_of(button))


def sign_up(browser, shop_url, name, prefix):
    """Registers a new shopper, who is then signed in."""
    browser.get(shop_url + "/account/sign-up")
    fill(browser, "name", name)
    fill(browser, "email", f"{prefix}-{uuid.uuid4().hex[:8]}@example.com")
    fill(browser, "password", "a long journey password")
    register = browser.find_element(By.CSS_SELECTOR, ".stacked-form button[type=submit]")
    register.click()
    wait(browser).until(EC.staleness_of(register))
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Your account"))


def add_three_of_the_dearest_pantry_product(browser, shop_url, cart_count_after):
    browser.get(shop_url + "/aisles/pantry?in_stock=1&sort=price-desc")
    browser.find_elements(By.CSS_SELECTOR, ".card-link")[0].click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "quantity")))
    fill(browser, "quantity", "3")
    browser.find_element(By.CSS_SELECTOR, ".buy-form button").click()
    wait(browser).until(lambda b: cart_count(b) == cart_count_after)


def pick(browser, shop_url, order_id, field, value, picture):
    """As the signed-in picker: starts picking the order, enters `value` in `field` (a count or
    a weight) and marks it packed."""
    browser.get(shop_url + f"/admin/orders/{order_id}")
    press(browser, "Start picking")
    wait(browser).until(EC.presence_of_element_located((By.ID, field)))
    fill(browser, field, value)
    shot(browser, picture)
    press(browser, "Record picks and mark packed")
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "h1 .pill"), "Packed"))


def as_shopper(browser, shop_url, cookies):
    """Back to the shopper's session, from the cookies kept before staff signed in."""
    browser.delete_all_cookies()
    browser.get(shop_url + "/")
    for cookie in cookies:
        browser.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": cookie.get("path", "/")})


def test_a_manager_changes_a_price_and_the_shop_shows_it(staffed_shop, browser):
    shop_url, secrets, _ = staffed_shop
    staff_sign_in(browser, shop_url, "manager@example.com", code=lambda: totp(secrets["manager"]))
    browser.get(shop_url + "/admin/products?q=brioche")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Brioche").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "f-price")))
    fill(browser, "f-price", "2.15")
    shot(browser, "19-manager-changes-a-price")
    press(browser, "Save changes")
    wait(browser).until(EC.presence_of_element_located((By.ID, "f-price")))
    assert browser.find_element(By.ID, "f-price").get_attribute("value") == "2.15"
    shop_page = browser.find_element(By.PARTIAL_LINK_TEXT, "See it in the shop").get_attribute("href")
    browser.get(shop_page)
    assert "£2.15" in browser.find_element(By.CSS_SELECTOR, "main").text
    shot(browser, "19b-the-shop-shows-the-new-price")

    # The manager's slots: the demo delivery area and collection point, and how full each coming slot is.
    browser.get(shop_url + "/admin/slots")
    assert "Home delivery" in browser.find_element(By.CSS_SELECTOR, "main").text
    assert browser.find_elements(By.CSS_SELECTOR, "meter")
    shot(browser, "19c-manager-slots")


def test_a_short_pick_is_refunded_and_the_order_delivered_and_audited(staffed_shop, browser):
    shop_url, secrets, _ = staffed_shop

    # A shopper orders three of one product.
    sign_up(browser, shop_url, "Journey Tester", "picked")
    add_three_of_the_dearest_pantry_product(browser, shop_url, cart_count_after=3)
    checkout(browser, shop_url, "4242 4242 4242 4242")
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Thank you"))
    order_url = browser.current_url.split("?")[0]
    order_id = order_url.rsplit("/", 1)[1]
    number = re.search(r"GM-[0-9A-Z]{6}", browser.find_element(By.CSS_SELECTOR, ".confirmation").text).group(0)
    shopper_cookies = browser.get_cookies()

    # The picker finds it on today's picking list, starts picking and finds only two.
    staff_sign_in(browser, shop_url, "picker@example.com")
    browser.get(shop_url + "/admin/picking")
    assert number in browser.find_element(By.TAG_NAME, "main").text
    pick(browser, shop_url, order_id, "picked_1", "2", "20-picker-records-a-short-pick")
    unit_price = browser.find_element(By.CSS_SELECTOR, ".data-table tbody tr td:nth-child(6)").text

    # The shopper's order page shows the missing unit not charged: the card pays for what was picked.
    as_shopper(browser, shop_url, shopper_cookies)
    browser.get(order_url)
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "1 not available, not charged" in page
    assert f"Not charged\n−{unit_price}" in page
    assert "for what we picked" in page
    shot(browser, "21-shopper-sees-the-refund")

    # The driver takes it out and delivers it.
    staff_sign_in(browser, shop_url, "driver@example.com")
    browser.get(shop_url + "/admin/deliveries")
    browser.find_element(By.LINK_TEXT, number).click()
    press(browser, "Out for delivery")
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "h1 .pill"), "Out for delivery"))
    press(browser, "Delivered")
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "h1 .pill"), "Delivered"))
    shot(browser, "22-driver-delivered")

    # The owner signs in with the authenticator code and finds every step in the audit log.
    staff_sign_in(browser, shop_url, "owner@example.com", code=lambda: totp(secrets["owner"]))
    browser.get(shop_url + "/admin/audit?action=order.moved")
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, ".data-table tbody tr")]
    assert len(rows) == 4
    assert any("Pat Picker" in row and "status: picking → packed" in row for row in rows)
    assert any("Dev Driver" in row and "status: out_for_delivery → delivered" in row for row in rows)
    shot(browser, "23-owner-reads-the-audit-log")
    browser.get(shop_url + "/admin/audit?action=product.changed")
    assert "Max Manager" in browser.find_element(By.CSS_SELECTOR, ".data-table tbody").text

    # ... and the sale on the dashboard.
    browser.get(shop_url + "/admin/dashboard")
    tiles = browser.find_element(By.CSS_SELECTOR, ".tiles").text
    assert re.search(r"Orders\n[1-9]\d* today", tiles), tiles
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 4
    shot(browser, "24-owner-sees-the-dashboard")


def money(text):
    """Pence from "£2.01"."""
    return int(text.replace("£", "").replace(".", ""))


def mail_about(folder, needle, timeout=30):
    """The text part of the first e-mail in the Maildir `folder` whose subject mentions `needle`,
    once it is there."""
    deadline = time.monotonic() + timeout
    while True:
        for path in sorted(folder.glob("*")) if folder.exists() else []:
            message = email.message_from_bytes(path.read_bytes())
            if needle in (message["Subject"] or ""):
                part = message.get_payload()[0] if message.is_multipart() else message
                return part.get_payload(decode=True).decode()
        assert time.monotonic() < deadline, f"no e-mail about {needle!r}"
        time.sleep(0.2)


def test_weighed_apples_and_a_rejected_substitute_are_charged_for_what_was_handed_over(staffed_shop, browser):
    shop_url, _, mailbox = staffed_shop

    # A shopper books a slot, chooses 1 kg of loose apples by weight, and three of a pantry
    # product with "Any similar product" if it is not on the shelf.
    sign_up(browser, shop_url, "Weighed Journey", "weighed")
    window = book_slot(browser, shop_url)
    browser.get(shop_url + "/products/loose-braeburn-apples-fv-0004")
    Select(browser.find_element(By.ID, "quantity")).select_by_visible_text("1 kg, about £1.90")
    shot(browser, "23-loose-apples-by-weight")
    browser.find_element(By.CSS_SELECTOR, ".buy-form button").click()
    wait(browser).until(lambda b: cart_count(b) == 1)
    add_three_of_the_dearest_pantry_product(browser, shop_url, cart_count_after=4)
    browser.get(shop_url + "/cart")
    assert "Estimated total" in browser.find_element(By.CSS_SELECTOR, ".cart-summary").text
    choice = Select(browser.find_element(By.CSS_SELECTOR, ".substitute-form select"))
    assert choice.first_selected_option.text == "Any similar product"
    shot(browser, "24-cart-with-an-estimate-and-substitutes")
    checkout(browser, shop_url, "4242 4242 4242 4242")
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Thank you"))
    order_url = browser.current_url.split("?")[0]
    order_id = order_url.rsplit("/", 1)[1]
    shopper_cookies = browser.get_cookies()

    # The picker weighs the apples at 1.06 kg (6 % over the kilogram ordered), finds one of the
    # three of the other product and puts in the first suggested substitute for the other two.
    staff_sign_in(browser, shop_url, "picker@example.com")
    browser.get(shop_url + f"/admin/orders/{order_id}")
    press(browser, "Start picking")
    wait(browser).until(EC.presence_of_element_located((By.ID, "weight_1")))
    fill(browser, "weight_1", "1060")
    fill(browser, "picked_2", "1")
    suggestions = Select(browser.find_element(By.ID, "substitute_2"))
    substitute = suggestions.options[1].text.split(",")[0]
    suggestions.select_by_index(1)
    shot(browser, "25-picker-weighs-and-substitutes")
    press(browser, "Record picks and mark packed")
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "h1 .pill"), "Packed"))

    # The shopper gets the e-mail and rejects the substitute on their order page.
    assert substitute in mail_about(mailbox, "Substitutes in your order")
    as_shopper(browser, shop_url, shopper_cookies)
    browser.get(order_url)
    assert "Weighed 1.06 kg; estimated £1.90" in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "26-shopper-sees-the-substitute")
    press(browser, "Reject")
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "main"), "rejected: not charged"))

    # The driver delivers; the card is captured at the door for what was handed over.
    staff_sign_in(browser, shop_url, "driver@example.com")
    browser.get(shop_url + f"/admin/orders/{order_id}")
    press(browser, "Out for delivery")
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "h1 .pill"), "Out for delivery"))
    press(browser, "Delivered")
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "h1 .pill"), "Delivered"))

    # Captured: the re-priced apples (£2.01) plus the one of the other product found, plus delivery.
    as_shopper(browser, shop_url, shopper_cookies)
    browser.get(order_url)
    assert window in browser.find_element(By.TAG_NAME, "main").text
    rows = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in browser.find_elements(By.CSS_SELECTOR, "table tbody tr")]
    apples = next(row for row in rows if "Loose Braeburn Apples" in row[0])
    assert apples[-1] == "£2.01"
    other = rows[1]
    summary = browser.find_element(By.CSS_SELECTOR, ".cart-summary").text
    delivery = re.search(r"Delivery\n(Free|£\d+\.\d\d)", summary).group(1)
    paid = re.search(r"You paid (£\d+\.\d\d) for what we picked", summary).group(1)
    assert money(paid) == 201 + money(other[-2]) * 1 + (0 if delivery == "Free" else money(delivery))
    shot(browser, "27-shopper-charged-for-what-was-handed-over")
