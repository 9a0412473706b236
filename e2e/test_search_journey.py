"""Search in a real browser: suggestions while typing, a misspelt search with "Did you mean",
and a synonym."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from test_shopping_journey import shot, wait


def test_suggestions_a_misspelling_and_a_synonym(shop_url, browser):
    browser.get(shop_url + "/")
    box = browser.find_element(By.ID, "site-search")

    # Typing shows suggestions under the box; the arrow keys choose one and Enter opens it.
    box.send_keys("strawb")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "search-suggestions")))
    options = browser.find_elements(By.CSS_SELECTOR, "#search-suggestions [role=option]")
    assert options and all("strawberr" in option.text.lower() for option in options)
    assert box.get_attribute("aria-expanded") == "true"
    shot(browser, "search-01-suggestions")
    box.send_keys(Keys.ARROW_DOWN)
    chosen = browser.find_element(By.CSS_SELECTOR, "#search-suggestions [aria-selected=true] a").get_attribute("href")
    box.send_keys(Keys.ENTER)
    wait(browser).until(lambda b: b.current_url == chosen)

    # A misspelt search: results for the correction, and a link to it.
    box = browser.find_element(By.ID, "site-search")
    box.clear()
    box.send_keys("bananna")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "search-suggestions")))
    # Escape closes the suggestions and keeps what was typed; Enter searches.
    box.send_keys(Keys.ESCAPE)
    assert not browser.find_element(By.ID, "search-suggestions").is_displayed()
    assert box.get_attribute("value") == "bananna"
    box.send_keys(Keys.ENTER)
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".did-you-mean a")))
    assert "Loose Bananas" in browser.find_element(By.CSS_SELECTOR, ".product-grid").text
    shot(browser, "search-02-did-you-mean")
    browser.find_element(By.CSS_SELECTOR, ".did-you-mean a").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Results for “banana”"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".did-you-mean")

    # Another name for the same food.
    browser.get(shop_url + "/search?q=zucchini")
    assert "GoMart Courgettes" in browser.find_element(By.CSS_SELECTOR, ".product-grid").text
