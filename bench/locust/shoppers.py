"""The mixed load of bench/mixed-load.py: three kinds of shopper, as Locust users.

- AnonymousShopper (70 %): home page, aisles, product pages, searches.
- SignedInShopper (25 %): the same pages with a session (recommendations, cart count), adds to
  the cart and looks at it.
- CheckoutShopper (5 %): fills a cart with restocked products and places the order through the
  checkout form, with the sandbox card, then opens the order page.

Every shopper is a browser: it keeps its cookies, posts forms with the CSRF token the page gave
it, and waits 0.5-1.5 s between requests. Set by bench/mixed-load.py through the environment:
MIXED_TOKENS (a file of session tokens, one per line), MIXED_TOKEN_OFFSET (where this run starts in it),
MIXED_AISLES, MIXED_PRODUCTS (slugs),
MIXED_RESTOCKED (product ids with stock enough for any run), MIXED_SEARCHES.
"""
import itertools
import os
import random
import re
import threading
from http.cookiejar import Cookie
from urllib.parse import urlencode

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

AISLES = os.environ["MIXED_AISLES"].split(",")
PRODUCTS = os.environ["MIXED_PRODUCTS"].split(",")
PRODUCT_IDS = os.environ["MIXED_PRODUCT_IDS"].split(",")
RESTOCKED = os.environ["MIXED_RESTOCKED"].split(",")
SEARCHES = os.environ["MIXED_SEARCHES"].split(",")
with open(os.environ["MIXED_TOKENS"], encoding="utf-8") as handle:
    TOKENS = [line.strip() for line in handle if line.strip()]
# Each signed-in or checkout user takes its own customer, so no two share a cart.
_next_token = itertools.count(int(os.environ.get("MIXED_TOKEN_OFFSET", "0")))
_token_lock = threading.Lock()
FIRST_VISIT = "first visit (users starting in bursts)"
CSRF = re.compile(rb'name="_csrf" value="([^"]+)"')
IDEMPOTENCY = re.compile(rb'name="idempotency_key" value="([^"]+)"')


def take_token():
    with _token_lock:
        index = next(_next_token)
    if index >= len(TOKENS):
        raise RuntimeError(f"more signed-in users than customers ({len(TOKENS)}); raise --customers")
    return TOKENS[index]


class Shopper(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    # Page answers are checked by status; a redirect is an answer of its own (not followed).
    default_headers = {"Accept": "text/html"}

    def on_start(self):
        # A first visit: the shop sets the visitor cookie, as for any browser. Locust starts users
        # in bursts (a quarter of them in the same instant), so these are reported on their own.
        self.page("/", FIRST_VISIT)

    def page(self, path, name):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response.content or b""

    def post_form(self, path, form, name, expected=303):
        with self.client.post(path, data=urlencode(form), name=name, allow_redirects=False, catch_response=True,
                              headers={"Content-Type": "application/x-www-form-urlencoded"}) as response:
            if response.status_code != expected:
                response.failure(f"{response.status_code}")
                return None
            return response


class AnonymousShopper(Shopper):
    weight = 70

    @task(2)
    def home(self):
        self.page("/", "home")

    @task(4)
    def aisle(self):
        self.page(f"/aisles/{random.choice(AISLES)}", "aisle")

    @task(4)
    def product(self):
        self.page(f"/products/{random.choice(PRODUCTS)}", "product")

    @task(2)
    def search(self):
        self.page(f"/search?q={random.choice(SEARCHES)}", "search")


class SignedIn(Shopper):
    abstract = True

    def on_start(self):
        super().on_start()
        self.client.cookiejar.set_cookie(Cookie(
            0, "gm_session", take_token(), None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}))
        self.csrf = None
        self.added = 0

    def remember_csrf(self, body):
        found = CSRF.search(body)
        if found:
            self.csrf = found.group(1).decode()

    def add_to_cart(self, product_id, quantity, name="cart add"):
        if self.csrf is None:
            self.remember_csrf(self.page(f"/products/{random.choice(PRODUCTS)}", "product (signed in)"))
        return self.post_form("/cart/items", {"_csrf": self.csrf, "product_id": product_id, "quantity": str(quantity),
                                              "return_to": "/cart"}, name)


class SignedInShopper(SignedIn):
    weight = 25

    @task(2)
    def home(self):
        self.remember_csrf(self.page("/", "home (signed in)"))

    @task(3)
    def aisle(self):
        self.remember_csrf(self.page(f"/aisles/{random.choice(AISLES)}", "aisle (signed in)"))

    @task(3)
    def product(self):
        self.remember_csrf(self.page(f"/products/{random.choice(PRODUCTS)}", "product (signed in)"))

    @task(1)
    def search(self):
        self.remember_csrf(self.page(f"/search?q={random.choice(SEARCHES)}", "search (signed in)"))

    @task(2)
    def fill_cart(self):
        # A weekly shop is a few dozen lines; past that, this shopper only browses.
        if self.added < 30:
            self.added += 1
            self.add_to_cart(random.choice(PRODUCT_IDS), random.randint(1, 3))

    @task(1)
    def cart(self):
        self.page("/cart", "cart page")


class CheckoutShopper(SignedIn):
    weight = 5

    @task
    def buy(self):
        for product_id in random.sample(RESTOCKED, 2):
            if self.add_to_cart(product_id, 10) is None:
                return
        body = self.page("/checkout", "checkout page")
        key, csrf = IDEMPOTENCY.search(body), CSRF.search(body)
        if not key or not csrf:
            return
        placed = self.post_form("/checkout", {
            "_csrf": csrf.group(1).decode(), "idempotency_key": key.group(1).decode(),
            "name": "Mixed Load", "line1": "1 Loop Road", "city": "Localhost", "postcode": "LO1 1AA", "phone": "0100 000 0000",
            "card_number": "4242424242424242", "card_expiry": "12/35", "card_cvc": "123",
        }, "place order")
        if placed is not None:
            location = placed.headers.get("Location", "")
            if "/orders/" in location:
                self.page(location, "order page")
