"""The export route reuses the bulk/export unit fixtures (world, filled; `engine` is tests/conftest.py's)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "bulk_export_fixtures",
    Path(__file__).resolve().parents[2] / "unit" / "bulk_export" / "conftest.py",
)
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

world = _fixtures.world
filled = _fixtures.filled
