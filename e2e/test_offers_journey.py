"""Finding and buying again in a real browser: a misspelt search and its "Did you mean",
two favourites saved with the heart, an order, "Buy it again", the WELCOME5 voucher and the
savings on the order's confirmation."""
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from test_shopping_journey import cart_count, checkout, fill, shot, wait


def register(browser, shop_url):
    browser.get(shop_url + "/account/sign-up")
    fill(browser, "name", "Offer Tester")
    fill(browser, "email", f"offers-{uuid.uuid4().hex[:8]}@example.com")
    fill(browser, "password", "a long offers password")
    browser.find_element(By.CSS_SELECTOR, ".stacked-form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Your account"))


def add_colas(browser, shop_url, count):
    """Adds `count` colas (50p off each, the demo's offer) from the product's page."""
    before = cart_count(browser)
    browser.get(shop_url + "/products/cola-dr-0013")
    assert "Offer: 50p off colas" in browser.find_element(By.CSS_SELECTOR, ".product-info").text
    fill(browser, "quantity", str(count))
    browser.find_element(By.CSS_SELECTOR, ".buy-form button").click()
    wait(browser).until(lambda b: cart_count(b) == before + count)


def test_did_you_mean_favourites_buy_it_again_and_a_voucher(shop_url, browser):
    register(browser, shop_url)

    # A misspelt search: "Did you mean" leads to the right products.
    browser.get(shop_url + "/search?q=strawbery")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".did-you-mean a")))
    browser.find_element(By.CSS_SELECTOR, ".did-you-mean a").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Results for “strawberry”"))
    shot(browser, "offers-01-did-you-mean-followed")

    # Two favourites, with the heart on their tiles; the page shows them filled.
    cards = [card for card in browser.find_elements(By.CSS_SELECTOR, ".product-grid .card")
             if card.find_elements(By.CSS_SELECTOR, "form[data-add-to-cart] button:not([disabled])")]
    names = [card.find_element(By.CSS_SELECTOR, ".card-name").text for card in cards[:2]]
    for name in names:
        card = next(c for c in browser.find_elements(By.CSS_SELECTOR, ".product-grid .card")
                    if c.find_element(By.CSS_SELECTOR, ".card-name").text == name)
        heart = card.find_element(By.CSS_SELECTOR, ".heart-add")
        heart.click()
        # The form posts and the page comes back: wait for the new page, not the old one.
        wait(browser).until(EC.staleness_of(heart))
        wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Results for “strawberry”"))
    filled = browser.find_elements(By.CSS_SELECTOR, ".heart-remove")
    assert sorted(b.get_attribute("aria-label") for b in filled if b.is_displayed()) == sorted(
        f"Remove {name} from your favourites" for name in names)
    shot(browser, "offers-02-two-favourites")

    # The favourites page: add both to the cart, with enough colas for the voucher's £40 later.
    browser.get(shop_url + "/favourites")
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".card-name")] == list(reversed(names))
    for index in range(2):
        browser.find_elements(By.CSS_SELECTOR, "form[data-add-to-cart] button:not([disabled])")[index].click()
        wait(browser).until(lambda b, expected=index + 1: cart_count(b) == expected)
    add_colas(browser, shop_url, 20)
    checkout(browser, shop_url, "4242 4242 4242 4242")
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Thank you"))

    # Buy it again: what was bought, each added again with one tap.
    browser.get(shop_url + "/buy-again")
    listed = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".card-name")]
    assert sorted(listed) == sorted(names + ["Cola"])
    shot(browser, "offers-03-buy-it-again")
    for index in range(len(listed)):
        before = cart_count(browser)
        browser.find_elements(By.CSS_SELECTOR, "form[data-add-to-cart] button:not([disabled])")[index].click()
        wait(browser).until(lambda b, before=before: cart_count(b) > before)
    assert cart_count(browser) == 22

    # The voucher: typed in the cart, it shows what it takes off beside the offers' savings.
    browser.get(shop_url + "/cart")
    fill(browser, "voucher-code", "welcome5")
    browser.find_element(By.CSS_SELECTOR, ".voucher-form button").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".voucher"), "£5 off when you spend £40 (£5.00 off)"))
    savings = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "dt.saving")]
    assert savings == ["50p off colas", "Voucher WELCOME5: £5 off when you spend £40"]
    shot(browser, "offers-04-cart-with-voucher")

    # The confirmation names every saving and what they came to.
    checkout(browser, shop_url, "4242 4242 4242 4242")
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Thank you"))
    summary = browser.find_element(By.CSS_SELECTOR, ".cart-summary").text
    assert "Voucher WELCOME5: £5 off when you spend £40\n-£5.00" in summary
    assert "50p off colas\n-£10.00" in summary
    assert "You saved £15.00 with offers and vouchers." in summary
    shot(browser, "offers-05-confirmation-savings")
