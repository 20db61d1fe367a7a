"""A local stand-in for Stripe in browser tests: Stripe's API (the requests the app sends,
answered by tests/support/fake_stripe.FakeStripeAPI) and the hosted Checkout page.

    standin = CheckoutStandin()           # binds 127.0.0.1:<free port> at once
    os.environ["CRM_TEST_STRIPE_API_BASE"] = standin.url   # before the app starts
    standin.start()
    standin.webhook(url, "whsec_...")     # where and how "Stripe" posts its events

The app's Checkout Session URL points here: GET /pay/<cs_id> shows the amount, the offer
and a `Pay` button (no card fields: it is a stand-in); POST /pay/<cs_id> redirects the
browser to the session's success URL and posts the signed `checkout.session.completed`
event to the app's webhook shortly after (`webhook_delay` seconds: the success page must
wait for it, as with the real Stripe). `refund(cs_id)` posts a signed `charge.refunded`.
Every delivery's status is kept in `deliveries`.
"""

from __future__ import annotations

import html
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from crm_app.services.payments.offer import format_amount
from tests.support.fake_stripe import FakeStripeAPI, signed


class CheckoutStandin:
    def __init__(self, webhook_delay: float = 1.5):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api = FakeStripeAPI(pay_url=self.url + "/pay/{id}")
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_delay = webhook_delay
        self.deliveries: list[tuple[str, int]] = []  # (event type, HTTP status)
        self._thread: threading.Thread | None = None

    def start(self) -> CheckoutStandin:
        if self._thread is None:
            self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def webhook(self, url: str, secret: str) -> None:
        self.webhook_url, self.webhook_secret = url, secret

    # ------------------------------------------------------------ events to the app

    def post_event(self, event: dict) -> int:
        body, header = signed(event, self.webhook_secret)
        request = urllib.request.Request(
            self.webhook_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        self.deliveries.append((event["type"], status))
        return status

    def refund(self, cs_id: str) -> int:
        return self.post_event(self.api.refund_event(cs_id))

    def last_session_id(self) -> str:
        return list(self.api.sessions)[-1]

    def _paid(self, cs_id: str) -> None:
        time.sleep(self.webhook_delay)
        self.post_event(self.api.completed_event(cs_id))


def _page(session: dict) -> str:
    amount = html.escape(format_amount(session["amount_total"], session["currency"]))
    name = html.escape(session.get("product_name") or "")
    what = html.escape(session.get("line_items_description") or "")
    email = html.escape(session.get("customer_email") or "")
    cancel = html.escape(session["cancel_url"])
    return f"""<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checkout stand-in</title>
<style>body{{font-family:system-ui,sans-serif;background:#f6f9fc;margin:0;display:flex;
justify-content:center;padding:40px 16px}}main{{background:#fff;border-radius:12px;padding:28px;
max-width:380px;width:100%;box-shadow:0 2px 12px #0002}}.amount{{font-size:32px;font-weight:700}}
button{{width:100%;padding:12px;font-size:16px;background:#635bff;color:#fff;border:0;
border-radius:8px;margin-top:20px}}small{{color:#687385}}</style></head><body><main>
<small>TEST MODE · checkout stand-in (tests only)</small>
<p>{name}</p><div class="amount" data-testid="amount">{amount}</div><p>{what}</p>
<p><small>Email</small><br>{email}</p>
<form method="post"><button type="submit">Pay {amount}</button></form>
<p><a href="{cancel}">Cancel</a></p></main></body></html>"""


def _handler_for(standin: CheckoutStandin):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _api(self, method: str):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, answer = standin.api.handle(method, self.path, dict(self.headers), body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_standin")
            self.end_headers()
            self.wfile.write(data)

        def _session(self):
            cs_id = urlsplit(self.path).path.rsplit("/", 1)[-1]
            return cs_id, standin.api.sessions.get(cs_id)

        def do_GET(self):
            if self.path.startswith("/v1/"):
                return self._api("GET")
            cs_id, session = self._session()
            if not self.path.startswith("/pay/") or session is None:
                self.send_error(404)
                return
            data = _page(session).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            if self.path.startswith("/v1/"):
                return self._api("POST")
            cs_id, session = self._session()
            if not self.path.startswith("/pay/") or session is None:
                self.send_error(404)
                return
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            standin.api.pay(cs_id)
            threading.Thread(target=standin._paid, args=(cs_id,), daemon=True).start()
            self.send_response(303)
            self.send_header(
                "Location", session["success_url"].replace("{CHECKOUT_SESSION_ID}", cs_id)
            )
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler
