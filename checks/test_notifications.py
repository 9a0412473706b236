"""E-mail through a real SMTP server: a shop configured with GOMART_SMTP_URL sends to aiosmtpd
over STARTTLS with AUTH. A shopper orders, and the confirmation arrives as multipart text and
HTML with the order's lines and total. Then the SMTP server is down for a minute while another
order is paid: its confirmation is delayed, not lost, and arrives once the server is back."""
import email
import email.policy
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "checks"))
import benchlib  # noqa: E402
from conftest import serve, stop  # noqa: E402
from mail_server import MailServer  # noqa: E402

OUTAGE_SECONDS = 60


def wait_for_messages(server, predicate, timeout):
    """The messages once `predicate` holds for them (re-read every 0.2 s, for at most `timeout` s)."""
    deadline = time.monotonic() + timeout
    while True:
        messages = server.messages()
        if predicate(messages):
            return messages
        assert time.monotonic() < deadline, [m["Subject"] for m in messages]
        time.sleep(0.2)


def parts(message):
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    return parsed, parsed.get_body(("plain",)).get_content(), parsed.get_body(("html",)).get_content()


def place_order(base, token, product, name):
    # Enough units to pass the minimum order (£10).
    quantity = max(2, -(-1000 // product["price"]["amountMinor"]))
    status, _ = benchlib.call_json(base, "POST", "/api/v1/cart/items", {"productId": product["id"], "quantity": quantity}, token)
    assert status == 200
    status, order = benchlib.call_json(base, "POST", "/api/v1/orders", benchlib.sandbox_order(name), token,
                                       {"Idempotency-Key": uuid.uuid4().hex})
    assert status == 201, order
    return order


def test_an_order_confirmation_reaches_a_real_smtp_server_and_a_minute_of_outage_only_delays_the_next():
    work = Path(tempfile.mkdtemp(prefix="gomart-mail-"))
    port = benchlib.free_port()
    server = MailServer(str(work / "mailbox"), port, starttls=True, user="shop:mail pass 2026").start()
    env = {
        "GOMART_SMTP_URL": f"smtp://shop:mail%20pass%202026@127.0.0.1:{port}?starttls=required&ca={server.ca}",
        "GOMART_MAIL_FROM": "Corner Shop <orders@shop.test>", "GOMART_SHOP_NAME": "Corner Shop",
        "GOMART_NOTIFY_RETRY_SECONDS": "1", "GOMART_NOTIFY_ATTEMPTS": "12", "GOMART_RATE_LIMITS": "off",
    }
    # A known port, so that the links in the e-mails (GOMART_PUBLIC_URL) lead back to this shop.
    web_port = benchlib.free_port()
    env["GOMART_PUBLIC_URL"] = f"http://127.0.0.1:{web_port}"
    shop = serve(work, name="shop", keep_data=True, args=("--port", str(web_port)), env=env)
    shopper = f"mail-{uuid.uuid4().hex[:8]}@example.com"
    try:
        base = next(shop)
        status, session = benchlib.call_json(base, "POST", "/api/v1/customers", {
            "name": "Mira Patel", "email": shopper, "password": "mail shopper 2026"})
        assert status == 201, session
        token = session["token"]
        status, listing = benchlib.call_json(base, "GET", "/api/v1/products?in_stock=true&sort=price-desc&limit=20")
        first, second = benchlib.packs(listing["products"])[:2]

        order = place_order(base, token, first, "Mira Patel")
        messages = wait_for_messages(server, lambda ms: any(order["number"] in (m["Subject"] or "") for m in ms), 30)
        subjects = [m["Subject"] for m in messages]
        assert subjects == ["Confirm your e-mail for Corner Shop", f"Your Corner Shop order {order['number']} is confirmed"]
        confirmation, text, html = parts(messages[1])
        assert confirmation["From"] == "Corner Shop <orders@shop.test>"
        assert confirmation["To"] == f"Mira Patel <{shopper}>"
        assert confirmation["X-Envelope-To"] == shopper
        assert confirmation.get_content_type() == "multipart/alternative"
        line = order["lines"][0]
        assert f"{line['quantity']} x {line['name']}" in text
        assert f"Total: {order['total']['formatted']}" in text
        assert f"{base}/orders/{order['id']}" in text
        assert order["total"]["formatted"] in html and line["name"] in html

        # The SMTP server goes away; an order paid meanwhile waits for it.
        server.stop()
        down_at = time.monotonic()
        order2 = place_order(base, token, second, "Mira Patel")
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))  # the outage itself, not a wait for a result
        server = MailServer(str(work / "mailbox"), port, starttls=True, user="shop:mail pass 2026").start()
        back_at = time.monotonic()
        messages = wait_for_messages(server, lambda ms: any(order2["number"] in (m["Subject"] or "") for m in ms), 120)
        print(f"mail outage: {OUTAGE_SECONDS} s down; the delayed confirmation arrived {time.monotonic() - back_at:.1f} s after the server came back")
        ids = [m["Message-ID"] for m in messages]
        assert len(ids) == len(set(ids)) == 3
    finally:
        stop(shop)
        server.stop()
    logs = (work / "shop-stdout.log").read_text() + (work / "shop-stderr.log").read_text()
    shutil.rmtree(work, ignore_errors=True)
    # The worker logged the failures, never the shopper's address or name.
    assert "message failed, will retry" in logs
    assert shopper not in logs and "Mira Patel" not in logs
