"""Two shop processes over one database: each caches cart counts in memory, and neither may show a
shopper a stale count after their own change, whichever of them answers next."""
import http.client
import json
import re
import shutil
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import serve


@pytest.fixture(scope="module")
def two_instances():
    data = Path(tempfile.mkdtemp(prefix="gomart-e2e-two-"))
    first = serve(data, name="first", keep_data=True)
    first_url = next(first)
    second = serve(data, name="second", keep_data=True)
    second_url = next(second)
    yield first_url, second_url
    for instance in (second, first):
        next(instance, None)
    shutil.rmtree(data, ignore_errors=True)


def request(base, method, path, cookies, body=None):
    """One request with `cookies`; returns the status, the body and the cookies it set."""
    address = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())} if cookies else {}
    if body is not None:
        body = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read().decode()
    set_cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, value = header.split(";", 1)[0].split("=", 1)
        set_cookies[name] = value
    connection.close()
    return response.status, content, set_cookies


def cart_count(page):
    return int(re.search(r'data-cart-count aria-label="(\d+) items"', page).group(1))


def test_a_shoppers_own_change_is_never_stale_on_the_other_instance(two_instances):
    first, second = two_instances
    _, page, cookies = request(first, "GET", "/", {})
    visitor = {"gm_visitor": cookies["gm_visitor"]}
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    _, products, _ = request(first, "GET", "/api/v1/products?in_stock=true&limit=1", {})
    product = json.loads(products)["products"][0]["id"]
    # The second instance has now read (and cached) an empty cart for this visitor.
    assert cart_count(request(second, "GET", "/", visitor)[1]) == 0

    status, _, changed = request(first, "POST", "/cart/items", visitor, {"_csrf": csrf, "product_id": product, "quantity": "2"})
    assert status == 303
    assert re.fullmatch(r"\d+", changed["gm_changed"])

    # The very next page, from the other instance, before it has read the change feed.
    assert cart_count(request(second, "GET", "/", dict(visitor, gm_changed=changed["gm_changed"]))[1]) == 2

    # Without the cookie (another tab that has not seen the answer) the other instance catches up
    # within a second, when it reads the change feed.
    deadline = time.monotonic() + 1.0
    while cart_count(request(second, "GET", "/", visitor)[1]) != 2:
        assert time.monotonic() < deadline, "the other instance still shows the old count after a second"
