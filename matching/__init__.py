"""Startup-investor matching for Techfest: ranking, assignment and meeting schedules.

A pure library (numpy, scipy, scikit-learn, OR-Tools): no web framework, no database.
The command line and its formats are described in ``matching/README.md``.
"""

from __future__ import annotations

from .assignment import assign
from .dzn import parse_dzn
from .profiles import Investor, Startup
from .ranking import Match, Matcher
from .scheduling import check_schedule, schedule

__all__ = [
    "Investor",
    "Match",
    "Matcher",
    "Startup",
    "assign",
    "check_schedule",
    "parse_dzn",
    "schedule",
]
