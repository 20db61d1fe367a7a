"""The export route reuses the payments unit fixtures (world; `engine` is tests/conftest.py's)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "payments_fixtures",
    Path(__file__).resolve().parents[2] / "unit" / "payments" / "conftest.py",
)
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

world = _fixtures.world
