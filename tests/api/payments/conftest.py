"""The payments world of tests/unit/payments (two organizations, paid agents, fake Stripe)."""

from tests.unit.payments.stripe_flow.conftest import stripe_api, visitor, world  # noqa: F401
