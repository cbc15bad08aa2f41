"""Command line: ``python -m matching rank | assign | schedule`` (formats in README.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

__all__ = ["main"]


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror}") from None


def _read_json(path: str) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise CliError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                       f"{exc.msg}") from None


def _read_jsonl(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise CliError(f"{path} line {number}: not JSON ({exc.msg} at column "
                           f"{exc.colno})") from None
        except ValueError as exc:
            raise CliError(f"{path} line {number}: {exc}") from None
        if not isinstance(item, dict):
            raise CliError(f"{path} line {number}: expected a JSON object, got "
                           f"{type(item).__name__}")
        yield number, item


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _profiles(path: str, kind: type) -> list[Any]:
    """Profiles of one JSONL file; a bad line names its number and field."""
    from .profiles import ProfileError

    out, seen = [], {}
    for number, data in _read_jsonl(path):
        try:
            profile = kind.from_dict(data)
        except ProfileError as exc:
            raise CliError(f"{path} line {number}: {exc}") from None
        key = (type(profile.id).__name__ == "str", profile.id)
        if key in seen:
            raise CliError(f"{path} line {number}: field id: {profile.id!r} is already the id "
                           f"of line {seen[key]}")
        seen[key] = number
        out.append(profile)
    return out


def _dump(obj: Any, out: TextIO) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _rank(args: argparse.Namespace, out: TextIO) -> int:
    from .profiles import Investor, Startup
    from .ranking import Matcher

    if args.top < 0:
        raise CliError("--top must be zero or more")
    startups = _profiles(args.startups, Startup)
    investors = _profiles(args.investors, Investor)
    try:
        matcher = Matcher(random_state=0, lang=args.lang).fit(startups, investors)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.for_ == "investors":
        ranked = matcher.rank_for_investors(top=args.top)
        for inv in investors:
            _dump({"investor": inv.id, "matches": [
                {"startup": m.startup, "score": m.score, "reasons": list(m.reasons)}
                for m in ranked[inv.id]]}, out)
    else:
        ranked = matcher.rank_for_startups(top=args.top)
        for st in startups:
            _dump({"startup": st.id, "matches": [
                {"investor": m.investor, "score": m.score, "reasons": list(m.reasons)}
                for m in ranked[st.id]]}, out)
    return 0


def _assign(args: argparse.Namespace, out: TextIO) -> int:
    from .assignment import AssignmentInputError, assign

    try:
        result = assign(_read_json(args.problem))
    except AssignmentInputError as exc:
        raise CliError(str(exc)) from None
    _dump(result, out)
    if result["status"] == "infeasible":
        for line in result.get("explanation", []):
            print(f"infeasible: {line}", file=sys.stderr)
        return 2
    for item in result.get("unmet_minimums", []):
        print(f"warning: startup {item['startup']!r} gets {item['meetings']} of its "
              f"{item['min_meetings']} minimum meetings: {item['reason']}", file=sys.stderr)
    return 0


def _schedule(args: argparse.Namespace, out: TextIO) -> int:
    from .dzn import DznError, parse_dzn
    from .scheduling import ScheduleInputError, schedule

    if args.format == "dzn":
        try:
            problem = parse_dzn(_read_text(args.problem))
        except DznError as exc:
            raise CliError(f"{args.problem}: {exc}") from None
    else:
        problem = _read_json(args.problem)
    if args.time_limit <= 0:
        raise CliError("--time-limit must be positive")
    if args.fairness is not None and args.fairness < 0:
        raise CliError("--fairness must be zero or more")
    try:
        result = schedule(problem, time_limit=args.time_limit, fairness=args.fairness)
    except ScheduleInputError as exc:
        raise CliError(str(exc)) from None
    _dump(result, out)
    if result["status"] in ("infeasible", "unknown"):
        for line in result.get("explanation", []):
            print(f"{result['status']}: {line}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m matching``."""
    parser = argparse.ArgumentParser(
        prog="python -m matching",
        description="Startup-investor matching: rank pairs, assign meetings, schedule them.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    rank = sub.add_parser(
        "rank", help="rank startups for each investor (or investors for each startup)",
        description="Write one JSON line per investor (or per startup): the best matches "
                    "with a score in [0, 1] and short reasons.",
    )
    rank.add_argument("--startups", required=True, metavar="S.jsonl",
                      help="startup profiles, one JSON object per line")
    rank.add_argument("--investors", required=True, metavar="I.jsonl",
                      help="investor profiles, one JSON object per line")
    rank.add_argument("--top", type=int, default=10, metavar="K",
                      help="matches per line (default 10)")
    rank.add_argument("--for", dest="for_", choices=("investors", "startups"),
                      default="investors", help="one line per investor (default) or startup")
    rank.add_argument("--lang", choices=("vi", "en"), default="en",
                      help="language of the reasons (default en)")
    rank.set_defaults(func=_rank)

    assign = sub.add_parser(
        "assign", help="choose who meets whom (optimal, under meeting quotas)",
        description="Read an assignment problem (JSON) and write the chosen meetings "
                    "maximising the total score. Exit status 2 when infeasible.",
    )
    assign.add_argument("problem", metavar="PROBLEM.json")
    assign.set_defaults(func=_assign)

    sched = sub.add_parser(
        "schedule", help="place meetings into slots and tables with the fewest breaks",
        description="Read a scheduling problem (JSON, or a B2B benchmark .dzn with "
                    "--format dzn) and write the schedule with its proven lower bound. "
                    "Exit status 2 when infeasible or when no schedule was found in time "
                    "(the reasons on stderr), and when the file cannot be used (one line "
                    "saying why).",
    )
    sched.add_argument("problem", metavar="PROBLEM")
    sched.add_argument("--format", choices=("json", "dzn"), default="json",
                       help="input format (default json; dzn: the MiniZinc data of the "
                            "B2B meeting-scheduling benchmark)")
    sched.add_argument("--time-limit", type=float, default=10.0, metavar="S",
                       help="seconds to search (default 10)")
    sched.add_argument("--fairness", type=int, default=None, metavar="D",
                       help="max difference between people's break counts "
                            "(default: the problem's, else 2)")
    sched.set_defaults(func=_schedule)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args, out or sys.stdout))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # Input shapes the checks above did not foresee: still a message, not a traceback.
        print(f"error: invalid input ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped early (``| head``): not an error. Python would complain
        # again when it flushes stdout at exit, so stdout now goes nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
