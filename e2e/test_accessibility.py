"""axe-core (through axe-selenium-python) on the shopper's main pages, at desktop and phone
width: no serious or critical violation."""
import uuid

from axe_selenium_python import Axe
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from test_shopping_journey import add_first_in_stock, fill, shot, wait

SERIOUS = {"serious", "critical"}


def violations(browser):
    axe = Axe(browser)
    axe.inject()
    found = axe.run()["violations"]
    return [f"{v['impact']} {v['id']}: {v['help']} — {v['nodes'][0]['html'][:200]}" for v in found if v["impact"] in SERIOUS]


def test_main_pages_have_no_serious_accessibility_violations(shop_url, browser):
    browser.get(shop_url + "/account/sign-up")
    fill(browser, "name", "Axe Tester")
    fill(browser, "email", f"axe-{uuid.uuid4().hex[:8]}@example.com")
    fill(browser, "password", "a long accessible password")
    browser.find_element(By.CSS_SELECTOR, ".stacked-form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Your account"))
    browser.get(shop_url + "/aisles/bakery?in_stock=1")
    add_first_in_stock(browser, 1)
    product = browser.find_elements(By.CSS_SELECTOR, ".card-link")[0].get_attribute("href")

    pages = {"home": "/", "aisle": "/aisles/bakery", "search": "/search?q=milk", "product": product.replace(shop_url, ""),
             "cart": "/cart", "checkout": "/checkout"}
    problems = []
    for width, label in ((1280, "desktop"), (390, "phone")):
        browser.set_window_size(width, 1000)
        for name, path in pages.items():
            browser.get(shop_url + path)
            shot(browser, f"a11y-{name}-{label}")
            problems += [f"{name} ({label}): {problem}" for problem in violations(browser)]
    browser.set_window_size(1280, 1000)
    assert problems == []
