"""Ids as they arrive from the browser: any JSON value, checked before a service sees it."""

from __future__ import annotations


def as_int(value) -> int | None:
    """An integer id from an int or a string of digits; None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def id_list(values) -> list[int] | None:
    """Every value of a list as an id, or None when the list is not one or holds a non-id."""
    if not isinstance(values, (list, tuple)):
        return None
    ids = [as_int(v) for v in values]
    return None if any(i is None for i in ids) else ids


def str_ids(values) -> list[str]:
    """The values of a list that are ids, as strings (the rest dropped)."""
    if not isinstance(values, (list, tuple)):
        return []
    return [str(v) for v in values if as_int(v) is not None]
