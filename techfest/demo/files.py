"""The demo's content files (techfest/demo/data/*.json), read by every demo loader."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read(name: str) -> dict:
    """One content file of the demo, as parsed JSON."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))
