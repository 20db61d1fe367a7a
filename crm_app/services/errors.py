"""Typed errors with a message meant for the person who caused them."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: `message` is shown to the user; `field` names the input at fault."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(ServiceError):
    status = 422


class ValidationErrors(ValidationError):
    """Several inputs of one form are wrong: `errors` in the order the form shows them (the
    first one is also this error's own message and field)."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = errors


class NotFound(ServiceError):
    status = 404


class PermissionDenied(ServiceError):
    status = 403


class NotAuthenticated(ServiceError):
    status = 401


class RateLimited(ServiceError):
    status = 429


class Conflict(ServiceError):
    status = 409
