"""Startup-investor matching for Techfest: ranking, assignment and meeting schedules.

A pure library (numpy, scipy, scikit-learn, OR-Tools): no web framework, no database.
The command line and its formats are described in ``matching/README.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> module that defines it; imported on first use, so that
#: ``python -m matching schedule`` does not pay for importing scikit-learn
_EXPORTS = {
    "Investor": "profiles",
    "Startup": "profiles",
    "Match": "ranking",
    "Matcher": "ranking",
    "assign": "assignment",
    "parse_dzn": "dzn",
    "check_schedule": "scheduling",
    "schedule": "scheduling",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'matching' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
