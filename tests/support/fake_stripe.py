"""Stripe without the network: an HTTP client for `stripe.StripeClient` that answers like
Stripe's API and records every request, plus signed webhook events.

    api = FakeStripeAPI()
    stripe_client.set_http_client_factory(lambda: FakeStripeHTTPClient(api))
    ...                                   # the app creates a Checkout Session
    api.requests[-1].path                 # "/v1/checkout/sessions"
    event = api.completed_event(cs_id)    # what Stripe sends once the buyer paid
    body, header = signed(event, "whsec_...")

Answers: POST /v1/checkout/sessions, GET /v1/checkout/sessions/<id>, GET /v1/balance,
GET /v1/account; an unknown key (`refused_keys`, or one not shaped like a secret key) gets
Stripe's 401 and a restricted key listed in `limited_keys` a 403. The checkout stand-in of
the browser tests (tests/support/checkout_standin.py) serves the same API over HTTP.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import stripe


@dataclass
class Recorded:
    method: str
    path: str
    params: dict
    api_key: str
    headers: dict


def _nested(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (`line_items[0][price_data][currency]=usd`) as nested values."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


@dataclass
class FakeStripeAPI:
    """Stripe's API in memory (thread-safe). `pay_url` makes a session's hosted page URL."""

    pay_url: str = "https://checkout.stripe.test/pay/{id}"
    refused_keys: set = field(default_factory=set)
    limited_keys: set = field(default_factory=set)
    fail_with: int | None = None  # answer every request with this status (500, 429...)
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------ HTTP

    def handle(self, method: str, url: str, headers: dict, body: str | bytes | None):
        """(status, JSON body) for one request, recorded."""
        parts = urlsplit(url)
        raw = body.decode() if isinstance(body, bytes) else (body or "")
        pairs = parse_qsl(raw, keep_blank_values=True) + parse_qsl(
            parts.query, keep_blank_values=True
        )
        params = _nested(pairs)
        auth = {k.lower(): v for k, v in (headers or {}).items()}.get("authorization", "")
        key = auth.removeprefix("Bearer ").strip()
        with self._lock:
            self.requests.append(Recorded(method.upper(), parts.path, params, key, dict(headers)))
        if self.fail_with:
            return self.fail_with, _error("api_error", "Something went wrong on Stripe's end.")
        if key in self.refused_keys or not re.match(r"^(sk|rk)_(test|live)_\w+$", key):
            return 401, _error("invalid_request_error", "Invalid API Key provided: " + key[:8])
        route = (method.upper(), parts.path)
        if route == ("GET", "/v1/balance"):
            if key in self.limited_keys:
                return 403, _error(
                    "invalid_request_error", "The provided key does not have access."
                )
            return 200, {
                "object": "balance",
                "available": [{"amount": 0, "currency": "usd"}],
                "pending": [{"amount": 0, "currency": "usd"}],
                "livemode": "_live_" in key,
            }
        if route == ("GET", "/v1/account"):
            return 200, {"id": "acct_test_fake", "object": "account", "country": "US"}
        if route == ("POST", "/v1/checkout/sessions"):
            return 200, self._create_session(params, key)
        found = re.fullmatch(r"/v1/checkout/sessions/(cs_[A-Za-z0-9_]+)", parts.path)
        if method.upper() == "GET" and found:
            with self._lock:
                session = self.sessions.get(found.group(1))
            if session is None:
                return 404, _error("invalid_request_error", "No such checkout.session")
            return 200, session
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({parts.path}).")

    def _create_session(self, params: dict, key: str) -> dict:
        for name in ("mode", "success_url", "cancel_url", "line_items"):
            if name not in params:
                raise AssertionError(f"Checkout Session without {name}")
        item = params["line_items"][0]
        amount = int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
        cs_id = _id("cs")
        session = {
            "id": cs_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": amount,
            "currency": item["price_data"]["currency"],
            "customer_email": params.get("customer_email"),
            "customer_details": None,
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "payment_intent": None,
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "url": self.pay_url.format(id=cs_id),
            "livemode": "_live_" in key,
            "line_items_description": item["price_data"]["product_data"].get("description", ""),
            "product_name": item["price_data"]["product_data"].get("name", ""),
        }
        with self._lock:
            self.sessions[cs_id] = session
        return session

    # ------------------------------------------------------------ what Stripe sends

    def pay(self, cs_id: str) -> dict:
        """The buyer paid on the hosted page: the session completes (with a payment intent)."""
        with self._lock:
            session = self.sessions[cs_id]
            if session["payment_intent"] is None:
                session.update(
                    status="complete",
                    payment_status="paid",
                    payment_intent=_id("pi"),
                    customer_details={"email": session["customer_email"], "name": None},
                )
            return dict(session)

    def completed_event(self, cs_id: str) -> dict:
        return event("checkout.session.completed", self.pay(cs_id))

    def refund_event(self, cs_id: str, amount: int | None = None) -> dict:
        session = self.pay(cs_id)
        return refund_event(
            session["payment_intent"], amount or session["amount_total"], session["currency"]
        )

    def checkout_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/v1/checkout/sessions"]


def _error(kind: str, message: str) -> dict:
    return {"error": {"type": kind, "message": message}}


def event(kind: str, obj: dict, *, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2025-01-01",
        "created": int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }


def refund_event(payment_intent: str, amount: int, currency: str = "usd") -> dict:
    return event(
        "charge.refunded",
        {
            "id": _id("ch"),
            "object": "charge",
            "amount": amount,
            "amount_refunded": amount,
            "currency": currency,
            "payment_intent": payment_intent,
            "refunded": True,
        },
    )


def checkout_completed(
    *,
    agent_id: int,
    visitor_key: str,
    email: str,
    amount: int = 900,
    currency: str = "usd",
    days: int = 30,
    credits: int | None = 100,
    payment_intent: str | None = None,
) -> dict:
    """A checkout.session.completed event as Stripe would send for our metadata."""
    cs_id = _id("cs")
    return event(
        "checkout.session.completed",
        {
            "id": cs_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "amount_total": amount,
            "currency": currency,
            "customer_email": email,
            "customer_details": {"email": email, "name": "Pat Buyer"},
            "payment_intent": payment_intent or _id("pi"),
            "metadata": {
                "agent_id": str(agent_id),
                "visitor_key": visitor_key,
                "email": email,
                "days": str(days),
                "credits": "" if credits is None else str(credits),
            },
        },
    )


def signed(evt: dict, secret: str, *, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and `Stripe-Signature` header Stripe would send for `evt`."""
    body = json.dumps(evt)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return body.encode(), header


class FakeStripeHTTPClient(stripe.HTTPClient):
    """The HTTP client `stripe.StripeClient` uses, answered by a FakeStripeAPI."""

    name = "fake-stripe"

    def __init__(self, api: FakeStripeAPI):
        super().__init__()
        self.api = api

    def request(self, method, url, headers, post_data=None, **_):
        status, body = self.api.handle(method, url, dict(headers or {}), post_data)
        return json.dumps(body).encode(), status, {"Request-Id": "req_fake"}

    def request_stream(self, method, url, headers, post_data=None, **_):
        raise NotImplementedError

    def close(self):
        pass
