"""Stripe's webhook endpoint: POST /api/payments/stripe/{org_id}/webhook.

Stripe calls it (server to server: no Origin, no cookies). The body is read raw, as the
signature covers its exact bytes; services/payments/webhooks.py verifies it under the
organization's webhook signing secret and applies the event in one transaction. A refused
signature is 400 (logged, nothing written); a duplicate is 200 and changes nothing.
Processing runs in a worker thread: it talks to the database, which blocks.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from crm_app import routes
from crm_app.api.deps import NO_STORE
from crm_app.services.payments import webhooks

router = APIRouter(prefix=routes.API_PAYMENTS, tags=["payments"])

MAX_WEBHOOK_BYTES = 512 * 1024  # Stripe's events are a few KB


@router.post(routes.STRIPE_WEBHOOK, response_model=None, include_in_schema=False)
async def stripe_webhook(org_id: int, request: Request) -> JSONResponse:
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        return JSONResponse({"error": "too large"}, status_code=413, headers=NO_STORE)
    signature = request.headers.get("stripe-signature")
    try:
        outcome = await run_in_threadpool(webhooks.handle, org_id, body, signature)
    except webhooks.WebhookRefused:
        return JSONResponse({"error": "invalid signature"}, status_code=400, headers=NO_STORE)
    return JSONResponse({"received": True, "status": outcome.status}, headers=NO_STORE)
