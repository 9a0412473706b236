"""Recommendations in a real browser: a demo shopper with orders sees "Recommended for you" on the
home page and badges in the aisles, and the row changes when they put a recommended product in
their cart."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import ARTIFACTS
from test_shopping_journey import fill, shot, wait


def recommended_links(browser):
    return [card.get_attribute("href") for card in browser.find_elements(By.CSS_SELECTOR, ".recommended-products .card-link")]


def test_a_returning_shopper_sees_recommendations_from_their_last_order(recommending_shop_url, browser):
    shop = recommending_shop_url
    # A visitor who is not signed in sees no personal recommendations.
    browser.get(shop + "/")
    assert not browser.find_elements(By.ID, "recommended-heading")

    # Sign in as a demo shopper.
    browser.get(shop + "/account/sign-in")
    fill(browser, "email", "demo-shopper-0001@example.com")
    fill(browser, "password", "demo-shopper-password")
    browser.find_element(By.CSS_SELECTOR, "form[action='/account/sign-in'] button[type=submit]").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "a[href='/orders']")))

    # The home page: a "Recommended for you" row from their last order.
    browser.get(shop + "/")
    heading = wait(browser).until(EC.presence_of_element_located((By.ID, "recommended-heading")))
    assert heading.text == "Recommended for you"
    before = recommended_links(browser)
    assert len(before) >= 4
    shot(browser, "20-recommended-for-you")

    # The aisle of the first recommendation marks it with a badge.
    first_href = before[0]
    browser.get(first_href)
    aisle_link = browser.find_element(By.CSS_SELECTOR, ".aisle-nav a[aria-current]")
    browser.get(aisle_link.get_attribute("href") + "?limit=100")
    cards = [card for card in browser.find_elements(By.CSS_SELECTOR, "li.card")
             if card.find_element(By.CSS_SELECTOR, ".card-link").get_attribute("href") == first_href]
    assert len(cards) == 1
    assert "Recommended for you" in cards[0].find_element(By.CSS_SELECTOR, ".badge-recommended").text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", cards[0])
    shot(browser, "21-recommended-badge-in-aisle")

    # Put the first recommendation in the cart: it leaves the row, and another takes its place.
    browser.get(shop + "/")
    wait(browser).until(EC.presence_of_element_located((By.ID, "recommended-heading")))
    browser.find_element(By.CSS_SELECTOR, ".recommended-products form[data-add-to-cart] button:not([disabled])").click()
    wait(browser).until(lambda b: int(b.find_element(By.CSS_SELECTOR, "[data-cart-count]").text) >= 1)
    browser.get(shop + "/")
    wait(browser).until(EC.presence_of_element_located((By.ID, "recommended-heading")))
    after = recommended_links(browser)
    assert before[0] not in after
    assert after[: len(before) - 1] == before[1:]
