"""Every task and periodic job, registered with the queue by importing this module."""

from crm_app.jobs import email, events, gate, imports
from crm_app.jobs.queue import huey

__all__ = ["email", "events", "gate", "huey", "imports"]
