"""Pay for Access with Stripe (PRODUCT.md §9, docs/payments.md).

- `stripe_client`: a `stripe.StripeClient` for an organization's key, its HTTP client
  replaceable by tests (no network in tests).
- `keys`: the organization's secret key and webhook signing secret (Settings → Payments,
  Owner only), sealed at rest, Test connection.
- `offer`: an agent's `paid_config` (price, currency, days, credits), checked and described.
- `checkout`: a Stripe Checkout Session for a visitor of a Pay for Access agent.
- `webhooks`: Stripe's signed events → contact, access pass, guest session; refunds revoke.

No module here imports Reflex; no Stripe call happens inside a database transaction.
"""
