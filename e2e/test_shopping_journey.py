"""A shopper's whole journey in a real browser: browse, search, fill a cart as a guest, register,
see the cart merged, book a delivery slot, pay with the test card, find the order in the history;
then a declined card, and the order changed before its cut-off (a quantity, then the cart added)."""
import re
import uuid

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS


def shot(browser, name):
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def wait(browser, seconds=15):
    """A wait that keeps polling through the driver's errors while a page is being replaced
    ("node does not belong to the document", stale elements)."""
    return WebDriverWait(browser, seconds, ignored_exceptions=(WebDriverException,))


def cart_count(browser):
    return int(browser.find_element(By.CSS_SELECTOR, "[data-cart-count]").text)


def add_first_in_stock(browser, expected_count):
    """Presses the first enabled "Add to cart" on the page and waits for the header count."""
    button = browser.find_element(By.CSS_SELECTOR, "form[data-add-to-cart] button:not([disabled])")
    button.click()
    wait(browser).until(lambda b: cart_count(b) == expected_count)


def fill(browser, field_id, text):
    element = browser.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(text)


def book_slot(browser, shop_url, postcode="BS1 6QF"):
    """Books the first free delivery slot for `postcode`; returns the window booked."""
    browser.get(shop_url + "/slots?method=delivery&postcode=" + postcode.replace(" ", "+"))
    first = browser.find_element(By.CSS_SELECTOR, ".slot form button")
    window = first.get_attribute("aria-label").removeprefix("Book ")
    first.click()
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".confirmation"), "Your slot is booked."))
    return window


def checkout(browser, shop_url, card):
    browser.get(shop_url + "/checkout")
    wait(browser).until(EC.presence_of_element_located((By.ID, "line1")))
    if browser.find_elements(By.LINK_TEXT, "Book a slot"):
        book_slot(browser, shop_url)
        browser.get(shop_url + "/checkout")
        wait(browser).until(EC.presence_of_element_located((By.ID, "line1")))
    fill(browser, "name", "Journey Tester")
    fill(browser, "line1", "1 Station Road")
    fill(browser, "city", "Bristol")
    fill(browser, "postcode", "BS1 6QF")
    fill(browser, "phone", "0117 496 0123")
    fill(browser, "card_number", card)
    fill(browser, "card_expiry", "12/30")
    fill(browser, "card_cvc", "123")
    browser.find_element(By.CSS_SELECTOR, "button.place-order").click()


def test_guest_to_paid_order_and_a_declined_card(shop_url, browser):
    # Browse: the home page lists aisles.
    browser.get(shop_url + "/")
    assert "GoMart" in browser.title
    shot(browser, "01-home")

    # Search and add a result.
    search = browser.find_element(By.ID, "site-search")
    search.send_keys("milk")
    search.submit()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Results for"))
    add_first_in_stock(browser, 1)
    shot(browser, "02-search-added")

    # An aisle: add another product.
    browser.find_element(By.LINK_TEXT, "Bakery").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Bakery"))
    buttons = browser.find_elements(By.CSS_SELECTOR, "form[data-add-to-cart] button:not([disabled])")
    buttons[1].click()
    wait(browser).until(lambda b: cart_count(b) == 2)

    # A product page: add several of a third product.
    browser.get(shop_url + "/aisles/meat-fish?in_stock=1")
    browser.find_elements(By.CSS_SELECTOR, ".card-link")[0].click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "quantity")))
    fill(browser, "quantity", "3")
    browser.find_element(By.CSS_SELECTOR, ".buy-form button").click()
    wait(browser).until(lambda b: cart_count(b) == 5)
    shot(browser, "03-three-products-as-guest")

    browser.get(shop_url + "/cart")
    guest_lines = len(browser.find_elements(By.CSS_SELECTOR, ".cart-line"))
    assert guest_lines == 3

    # Register: the guest cart becomes the customer's.
    browser.find_element(By.LINK_TEXT, "Register").click()
    email = f"journey-{uuid.uuid4().hex[:8]}@example.com"
    fill(browser, "name", "Journey Tester")
    fill(browser, "email", email)
    fill(browser, "password", "a long journey password")
    browser.find_element(By.CSS_SELECTOR, ".stacked-form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Your account"))
    browser.get(shop_url + "/cart")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".cart-line")) == 3
    assert cart_count(browser) == 5
    shot(browser, "04-cart-merged-after-sign-up")

    # The shop asks for a slot first: book one, and checkout shows it with its price.
    browser.get(shop_url + "/checkout")
    assert browser.find_element(By.CSS_SELECTOR, "button.place-order").get_attribute("disabled") is not None
    window = book_slot(browser, shop_url)
    shot(browser, "05-slot-booked")
    browser.get(shop_url + "/checkout")
    assert window in browser.find_element(By.CSS_SELECTOR, ".held-slot").text

    # Pay with the test card and see the confirmation.
    checkout(browser, shop_url, "4242 4242 4242 4242")
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Thank you"))
    confirmation = browser.find_element(By.CSS_SELECTOR, ".confirmation").text
    number = re.search(r"GM-[0-9A-Z]{6}", confirmation).group(0)
    assert "Visa ending 4242" in browser.page_source
    assert "Delivery slot" in browser.find_element(By.CSS_SELECTOR, ".cart-summary").text
    shot(browser, "06-order-confirmation")

    # The order is in the history, paid.
    browser.get(shop_url + "/orders")
    history = browser.find_element(By.CSS_SELECTOR, ".order-table").text
    assert number in history and "Paid" in history
    assert cart_count(browser) == 0
    shot(browser, "07-order-history")

    # A declined card: a clear error, and no second paid order.
    browser.get(shop_url + "/aisles/pantry?in_stock=1&sort=price-desc")
    add_first_in_stock(browser, 1)
    checkout(browser, shop_url, "4000 0000 0000 0002")
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".form-errors"), "declined"))
    shot(browser, "08-card-declined")
    browser.get(shop_url + "/orders")
    rows = browser.find_elements(By.CSS_SELECTOR, ".order-table tbody tr")
    paid = [row.text for row in rows if "Paid" in row.text]
    assert len(paid) == 1 and number in paid[0]
    shot(browser, "09-history-after-decline")

    # Before the slot's cut-off the order can be changed: one more of its first item, then the
    # pantry item left in the cart by the declined card added to it.
    browser.find_element(By.LINK_TEXT, number).click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "change-heading")))
    field = browser.find_element(By.CSS_SELECTOR, ".change-form input.quantity-input")
    more = str(int(field.get_attribute("value")) + 1)
    field.clear()
    field.send_keys(more)
    browser.find_element(By.CSS_SELECTOR, ".change-form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "main .confirmation"), "Your changes are saved."))
    assert browser.find_element(By.CSS_SELECTOR, ".change-form input.quantity-input").get_attribute("value") == more
    shot(browser, "10-order-changed")
    lines = len(browser.find_elements(By.CSS_SELECTOR, ".change-form input.quantity-input"))
    browser.find_element(By.CSS_SELECTOR, ".add-cart-form button").click()
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".change-form input.quantity-input")) == lines + 1)
    assert cart_count(browser) == 0
    timeline = browser.find_element(By.CSS_SELECTOR, ".timeline").text
    assert timeline.count("Changed by you") == 2
    shot(browser, "11-cart-added-to-order")
