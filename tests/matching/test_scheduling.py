from __future__ import annotations

import itertools
import random
import time
from pathlib import Path

import pytest

from matching.dzn import DznError, parse_dzn
from matching.scheduling import check_schedule, greedy_schedule, schedule
from matching.synth import festival_problem

from .checker import violations

B2B = Path("/work/shared/b2b")
if not B2B.is_dir():  # the repo's sibling folder, wherever it is checked out
    B2B = Path(__file__).resolve().parents[3] / "shared" / "b2b"


@pytest.mark.parametrize(("name", "optimum"), [("forum-13", 0), ("forum-14", 2), ("forumt-14", 5)])
def test_schedule_b2b_instance_reaches_known_optimum(name, optimum):
    path = B2B / f"{name}.dzn"
    if not path.exists():
        pytest.skip("public B2B instances not available")
    problem = parse_dzn(path.read_text())
    result = schedule(problem, time_limit=60, fairness=2)
    assert result["status"] == "optimal"
    assert result["breaks"] == optimum
    assert violations(problem, result, 2) == []
    assert check_schedule(problem, result) == []


def _tiny(rng, n_meetings=5, n_slots=5, n_people=4, tables=2, days=1):
    slots = [
        {
            "id": f"t{k}",
            "day": 1 + k * days // n_slots,
            "block": "morning" if k % 3 else "afternoon",
        }
        for k in range(n_slots)
    ]
    people = [f"p{k}" for k in range(n_people)]
    meetings = []
    for m in range(n_meetings):
        a, b = rng.sample(people, 2)
        meetings.append(
            {
                "id": m,
                "participants": [a, b],
                "blocks": ["morning"] if rng.random() < 0.2 else None,
                "fixed_slot": None,
            }
        )
    participants = [
        {"id": p, "unavailable": [s["id"] for s in slots if rng.random() < 0.1]} for p in people
    ]
    return {
        "slots": slots,
        "tables": [{"id": k} for k in range(tables)],
        "participants": participants,
        "meetings": meetings,
        "precedences": [],
    }


def _brute_force(problem, fairness):
    slots = [s["id"] for s in problem["slots"]]
    best = None
    for combo in itertools.product(slots, repeat=len(problem["meetings"])):
        result = {"assignments": [], "breaks": None}
        used: dict = {}
        for m, s in zip(problem["meetings"], combo, strict=True):
            used[s] = used.get(s, 0) + 1
            result["assignments"].append({"meeting": m["id"], "slot": s, "table": used[s] - 1})
        errors = violations(problem, result, fairness)
        real = [e for e in errors if not e.startswith("reported")]
        if real:
            continue
        breaks = int(next(e for e in errors if e.startswith("reported")).split()[-1])
        if best is None or breaks < best:
            best = breaks
    return best


@pytest.mark.parametrize("seed", range(12))
def test_schedule_is_optimal_against_brute_force(seed):
    rng = random.Random(seed)
    problem = _tiny(rng, days=1 + seed % 2)
    problem["precedences"] = [[0, 1]] if seed % 3 == 0 else []
    best = _brute_force(problem, 1)
    result = schedule(problem, time_limit=20, fairness=1)
    if best is None:
        assert result["status"] == "infeasible"
        assert result["explanation"]
    else:
        assert result["status"] == "optimal"
        assert result["breaks"] == best
        assert violations(problem, result, 1) == []


def test_schedule_bound_sees_partners_free_at_opposite_ends():
    # "hub" is free all day, but one partner only early and the other only late: no two
    # consecutive slots hold both meetings, so one break is forced although hub's usable
    # slots form a single run.
    problem = {
        "slots": [{"id": k, "day": 1} for k in range(1, 7)],
        "tables": [{"id": 1}],
        "participants": [
            {"id": "early", "unavailable": [3, 4, 5, 6]},
            {"id": "late", "unavailable": [1, 2, 3, 4]},
        ],
        "meetings": [
            {"id": "a", "participants": ["hub", "early"]},
            {"id": "b", "participants": ["hub", "late"]},
        ],
    }
    result = schedule(problem, fairness=1)
    assert result["status"] == "optimal"
    assert (result["breaks"], result["lower_bound"]) == (1, 1)
    assert violations(problem, result, 1) == []


def test_schedule_keeps_windows_within_table_capacity():
    # Two triangles of people meeting pairwise, one table: the six meetings fill the six
    # slots one after another, so no-break windows cannot all overlap as they would like.
    slots = [{"id": k, "day": 1} for k in range(6)]
    meetings = [{"id": f"{a}{b}", "participants": [a, b]}
                for a, b in [("p", "q"), ("p", "r"), ("q", "r"), ("s", "t"), ("s", "u"),
                             ("t", "u")]]
    problem = {"slots": slots, "tables": [{"id": 0}], "meetings": meetings,
               "participants": [{"id": p, "unavailable": []} for p in "pqrstu"]}
    result = schedule(problem, fairness=2)
    assert result["status"] == "optimal"
    assert result["breaks"] == _brute_force(problem, 2)
    assert violations(problem, result, 2) == []


def test_schedule_explains_meeting_without_common_slot():
    problem = {
        "slots": [{"id": 1, "day": 1, "block": "am"}, {"id": 2, "day": 1, "block": "am"}],
        "tables": [{"id": "A"}],
        "participants": [{"id": "x", "unavailable": [1]}, {"id": "y", "unavailable": [2]}],
        "meetings": [{"id": "m1", "participants": ["x", "y"]}],
    }
    result = schedule(problem)
    assert result["status"] == "infeasible"
    assert result["explanation"] == [
        "meeting 'm1': no slot where all of 'x', 'y' are available and its precedences can hold"
    ]


def test_schedule_explains_overloaded_participant():
    problem = {
        "slots": [{"id": k} for k in range(2)],
        "tables": [{"id": k} for k in range(5)],
        "participants": [],
        "meetings": [{"id": k, "participants": ["busy", f"o{k}"]} for k in range(3)],
    }
    result = schedule(problem)
    assert result["status"] == "infeasible"
    assert "participant 'busy' has 3 meetings" in result["explanation"][0]


def test_schedule_explains_too_few_tables():
    problem = {
        "slots": [{"id": k} for k in range(2)],
        "tables": [{"id": 1}],
        "meetings": [{"id": k, "participants": [f"a{k}", f"b{k}"]} for k in range(3)],
    }
    result = schedule(problem)
    assert result["status"] == "infeasible"
    assert result["explanation"] == ["3 meetings but only 1 tables x 2 slots = 2 places"]


def test_schedule_explains_tight_fairness():
    # "hub" meets in slots 1 and 3 only (slot 2 unavailable): one break it cannot avoid,
    # while others have none, so fairness 0 is impossible.
    problem = {
        "slots": [{"id": k, "day": 1} for k in range(1, 4)],
        "tables": [{"id": 1}, {"id": 2}],
        "participants": [{"id": "hub", "unavailable": [2]}],
        "meetings": [
            {"id": "a", "participants": ["hub", "x"]},
            {"id": "b", "participants": ["hub", "y"]},
            {"id": "c", "participants": ["x", "y"]},
        ],
    }
    assert schedule(problem, fairness=1)["status"] == "optimal"
    result = schedule(problem, fairness=0)
    assert result["status"] == "infeasible"
    assert "fairness bound 0 is too tight" in result["explanation"][0]


def test_schedule_respects_fixed_slots_and_echoes_ids():
    problem = {
        "slots": [{"id": "s1", "day": "mon"}, {"id": "s2", "day": "mon"}],
        "tables": [{"id": "T9"}],
        "participants": [{"id": 5, "unavailable": []}],
        "meetings": [{"id": "x", "participants": [5, 6], "fixed_slot": "s2"}],
    }
    result = schedule(problem)
    assert result["assignments"] == [{"meeting": "x", "slot": "s2", "table": "T9"}]


def test_check_schedule_finds_violations():
    problem = {
        "slots": [{"id": 1}, {"id": 2}],
        "tables": [{"id": 1}],
        "meetings": [
            {"id": "a", "participants": ["x", "y"]},
            {"id": "b", "participants": ["x", "z"]},
        ],
    }
    bad = {
        "assignments": [
            {"meeting": "a", "slot": 1, "table": 1},
            {"meeting": "b", "slot": 1, "table": 1},
        ],
        "breaks": 0,
    }
    errors = check_schedule(problem, bad)
    assert "table 1 holds two meetings in slot 1" in errors
    assert "participant 'x' has two meetings in slot 1" in errors


def test_parse_dzn_reads_a_small_instance():
    text = """
    nBusiness = 3; nMeetings = 2; nTables = 1; nTotalSlots = 3; nMorningSlots = 2;
    requested = [|1, 2, 1, |2, 3, 3, |];
    meetingsxBusiness = [{1,2}, {1,2,3}, {1,3}];
    nMeetingsBusiness = [1, 2, 1];
    forbidden = [{0}, {0,3}, {0}];
    fixed = [0, 3];
    precedences = [{}, {1}];
    """
    problem = parse_dzn(text)
    assert [s["block"] for s in problem["slots"]] == ["morning", "morning", "afternoon"]
    assert problem["meetings"] == [
        {"id": 1, "participants": [1, 2], "blocks": ["morning"], "fixed_slot": None},
        {"id": 2, "participants": [2, 3], "blocks": None, "fixed_slot": 3},
    ]
    assert problem["participants"][1] == {"id": 2, "unavailable": [3]}
    assert problem["precedences"] == [[1, 2]]
    result = schedule(problem)
    assert result["status"] == "infeasible"  # participant 2 cannot attend fixed slot 3


def test_parse_dzn_rejects_broken_text():
    with pytest.raises(DznError):
        parse_dzn("nBusiness = 2;")


def test_festival_generator_gives_valid_schedule():
    problem = festival_problem(
        n_startups=30,
        n_investors=10,
        n_meetings=120,
        days=2,
        slots_per_day=8,
        n_tables=10,
        random_state=1,
    )
    result = schedule(problem, time_limit=20)
    assert result["status"] in ("optimal", "feasible")
    assert violations(problem, result, 2) == []
    assert result["lower_bound"] <= result["breaks"]


def test_greedy_baseline_output_is_checked():
    problem = festival_problem(
        n_startups=20,
        n_investors=8,
        n_meetings=60,
        days=1,
        slots_per_day=10,
        n_tables=8,
        random_state=2,
    )
    result = greedy_schedule(problem)
    if result["status"] == "feasible":
        assert violations(problem, result, 2) == []


def test_schedule_explains_precedence_cycle():
    problem = {
        "slots": [{"id": k} for k in range(4)],
        "tables": [{"id": 1}],
        "meetings": [{"id": "a", "participants": ["p", "q"]},
                     {"id": "b", "participants": ["p", "r"]},
                     {"id": "c", "participants": ["q", "r"]}],
        "precedences": [["a", "b"], ["b", "c"], ["c", "a"]],
    }
    result = schedule(problem)
    assert result["status"] == "infeasible"
    assert result["explanation"] == ["the precedences contain a cycle"]


@pytest.mark.parametrize("fairness", [0, 1, 2, None])
def test_annealing_keeps_schedules_valid_and_fair(fairness):
    import time

    from matching.scheduling import bounds, greedy
    from matching.scheduling import problem as pbm
    from matching.scheduling.annealing import anneal

    problem = festival_problem(
        n_startups=30, n_investors=10, n_meetings=150, days=2, slots_per_day=8,
        n_tables=12, random_state=3,
    )
    pb = pbm._normalise(problem)
    start = greedy._greedy(pb, pbm._domains(pb))
    assert start is not None
    # Precedences the start keeps, between meetings of the same person (chains pass
    # through exactly those), so that moves have orders to break.
    rng = random.Random(fairness)
    ids = [m["id"] for m in problem["meetings"]]
    pairs = [(a, b) for a, b in itertools.combinations(range(len(ids)), 2)
             if set(pb.meeting_parts[a]) & set(pb.meeting_parts[b]) and start[a] < start[b]]
    problem["precedences"] = [[ids[a], ids[b]] for a, b in rng.sample(pairs, 25)]
    pb = pbm._normalise(problem)
    doms = pbm._domains(pb)
    start_result = pbm._result(pb, "feasible", start, None, fairness, time.perf_counter(), None)
    assert [e for e in check_schedule(problem, start_result) if "precedence" in e] == []
    start_fair = not check_schedule(problem, start_result, fairness=fairness)
    floor = bounds._run_bounds(pb, doms)
    slot_of = anneal(pb.meeting_parts, doms, pb.day_slots(), len(pb.table_ids),
                     pb.precedences, start, floor, fairness, time.perf_counter() + 0.5, 0)
    result = pbm._result(pb, "feasible", slot_of, None, fairness, time.perf_counter(), None)
    errors = check_schedule(problem, result, fairness=fairness)
    # Moves never break the hard rules; a fair start stays fair and gets no worse.
    assert [e for e in errors if "fairness bound" not in e] == []
    assert violations(problem, result, None) == []
    assert slot_of != start
    if start_fair:
        assert errors == []
        assert result["breaks"] <= start_result["breaks"]
    if fairness is not None and not errors:
        assert violations(problem, result, fairness) == []


def _small_festival(n_meetings: int, n_tables: int, random_state: int):
    """A small festival, its indexed form and domains, a greedy start and each person's
    own bound."""
    from matching.scheduling import bounds, greedy
    from matching.scheduling import problem as pbm

    problem = festival_problem(n_startups=30, n_investors=10, n_meetings=n_meetings, days=2,
                               slots_per_day=8, n_tables=n_tables, random_state=random_state)
    pb = pbm._normalise(problem)
    doms = pbm._domains(pb)
    return problem, pb, doms, greedy._greedy(pb, doms), bounds._run_bounds(pb, doms)


def test_a_walk_is_the_same_whatever_its_bursts_and_differs_by_seed():
    from matching.scheduling import problem as pbm
    from matching.scheduling.walk import Walk

    problem, pb, doms, start, floor = _small_festival(150, 10, 3)

    def walked(seed: int, bursts: list[int]) -> list[int]:
        walk = Walk(pb.meeting_parts, doms, pb.day_slots(), len(pb.table_ids),
                    pb.precedences, start, floor, 2, 0.2, None, seed)
        for steps in bursts:
            walk.run(steps)
        return walk.result()

    once = walked(0, [2000])
    # Still under way (above everyone's own bound), so every burst took its full share.
    assert sum(floor) < sum(pbm._breaks_by_participant(pb, once)) < sum(
        pbm._breaks_by_participant(pb, start))
    assert walked(0, [1, 255, 744, 1000]) == once
    assert walked(1, [2000]) != once
    result = pbm._result(pb, "feasible", once, None, 2, 0.0, None)
    assert violations(problem, result, None) == []
    assert check_schedule(problem, result) == []


@pytest.mark.parametrize("num_workers", [1, 2])
def test_festival_scale_path_is_valid_and_bounded(num_workers):
    # One worker walks in this process; two fork a second walk.
    problem = festival_problem(n_meetings=700, n_startups=90, n_investors=30, n_tables=40,
                               random_state=4)
    result = schedule(problem, time_limit=4, num_workers=num_workers)
    assert result["status"] in ("optimal", "feasible")
    assert violations(problem, result, 2) == []
    assert check_schedule(problem, result) == []
    assert result["lower_bound"] <= result["breaks"]


def test_annealing_stops_every_walk_once_all_reach_their_bounds():
    import threading
    import time

    from matching.scheduling import problem as pbm
    from matching.scheduling.annealing import anneal

    problem, pb, doms, start, floor = _small_festival(120, 12, 5)
    assert sum(pbm._breaks_by_participant(pb, start)) > sum(floor)
    stop = threading.Event()
    slot_of = anneal(pb.meeting_parts, doms, pb.day_slots(), len(pb.table_ids),
                     pb.precedences, start, floor, 2, time.perf_counter() + 30, 1, stop=stop)
    # The walk ends as soon as nobody is above their own bound, and tells the others.
    assert pbm._breaks_by_participant(pb, slot_of) == floor
    assert stop.is_set()
    result = pbm._result(pb, "optimal", slot_of, sum(floor), 2, time.perf_counter(), None)
    assert violations(problem, result, 2) == []


def test_festival_scale_path_forks_its_second_walk_from_a_job_thread():
    # The organiser's matcher runs in a background thread of a web worker.
    import threading

    problem = festival_problem(n_meetings=700, n_startups=90, n_investors=30, n_tables=40,
                               random_state=6)
    results = []
    job = threading.Thread(target=lambda: results.append(schedule(problem, time_limit=4)))
    job.start()
    job.join(60)
    assert not job.is_alive()
    (result,) = results
    assert result["status"] in ("optimal", "feasible")
    assert violations(problem, result, 2) == []


def _four_cycle():
    # a and b each meet x and y; one table, four slots: the four meetings go one after
    # another, and the four people need their two meetings side by side, which a row of
    # four places allows for three of them at most. Nobody alone needs a break.
    meetings = [{"id": f"{p}{q}", "participants": [p, q]}
                for p, q in [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")]]
    return {"slots": [{"id": k, "day": 1} for k in range(1, 5)], "tables": [{"id": 0}],
            "participants": [{"id": p, "unavailable": []} for p in "abxy"],
            "meetings": meetings}


def test_bound_that_counts_tables_sees_a_break_nobody_needs_alone():
    import time

    from matching.scheduling import bounds
    from matching.scheduling import problem as pbm

    problem = _four_cycle()
    pb = pbm._normalise(problem)
    doms = pbm._domains(pb)
    alone = bounds._alone_bounds(pb, doms, time.perf_counter() + 5)
    assert sum(alone) == 0
    assert bounds._table_bound(pb, doms, alone, 2, 0, time.perf_counter() + 10) == 1
    result = schedule(problem, fairness=2)
    assert (result["status"], result["breaks"], result["lower_bound"]) == ("optimal", 1, 1)
    assert result["breaks"] == _brute_force(problem, 2)
    assert violations(problem, result, 2) == []
    # With fairness 0 everyone would need the same count: no order of the four does it.
    assert _brute_force(problem, 0) is None
    tight = schedule(problem, fairness=0)
    assert tight["status"] == "infeasible"
    assert "fairness bound 0 is too tight" in tight["explanation"][0]


@pytest.mark.parametrize("seed", range(10))
def test_bound_that_counts_tables_is_never_above_the_optimum(seed):
    # Few tables, the structure that makes the crafted benchmark variants hard: most
    # slots are full, so people take turns.
    import time

    from matching.scheduling import bounds
    from matching.scheduling import problem as pbm

    rng = random.Random(100 + seed)
    problem = _tiny(rng, n_meetings=5, n_slots=5, n_people=4, tables=1, days=1 + seed % 2)
    if seed % 3 == 0:
        problem["precedences"] = [[0, 1]]
    if seed % 4 == 1:
        problem["meetings"][2]["fixed_slot"] = problem["slots"][seed % 5]["id"]
    fairness = 1 + seed % 2
    best = _brute_force(problem, fairness)
    pb = pbm._normalise(problem)
    doms = pbm._domains(pb)
    alone = bounds._alone_bounds(pb, doms, time.perf_counter() + 5)
    counted = bounds._table_bound(pb, doms, alone, fairness, sum(alone),
                                  time.perf_counter() + 10)
    result = schedule(problem, time_limit=20, fairness=fairness)
    if best is None:
        assert result["status"] == "infeasible"
        assert result["explanation"]
        return
    assert sum(alone) <= counted <= best
    assert (result["status"], result["breaks"]) == ("optimal", best)
    assert result["lower_bound"] == best
    assert violations(problem, result, fairness) == []
    assert check_schedule(problem, result) == []


class _Collect:
    def __init__(self):
        self.messages = []

    def send(self, message):
        self.messages.append(message)


@pytest.mark.parametrize("seed", range(12))
def test_clause_search_agrees_with_brute_force(seed):
    # The clause search runs beside CP-SAT and answers alone when it is first: every
    # total it refutes must be below the optimum, the total it accepts must be the
    # optimum, and its placement must pass the independent checker.
    from matching.scheduling import problem as pbm
    from matching.scheduling import sat

    rng = random.Random(300 + seed)
    problem = _tiny(rng, n_meetings=5, n_slots=5, n_people=4, tables=1 + seed % 2,
                    days=1 + seed % 2)
    if seed % 2 == 0:
        problem["precedences"] = [[1, 0], [3, 4]]
    if seed % 4 == 1:
        problem["meetings"][2]["fixed_slot"] = problem["slots"][seed % 5]["id"]
    fairness = seed % 3
    best = _brute_force(problem, fairness)
    pb = pbm._normalise(problem)
    doms = pbm._domains(pb)
    conn = _Collect()
    first = 0
    if seed % 3 == 1:
        # The climb that starts with the bound counting tables: that bound is a proof too.
        from matching.scheduling.bounds import _alone_bounds

        sat._climb(pb, doms, fairness, 0, conn,
                   tables=(_alone_bounds(pb, doms, time.perf_counter() + 5), 5.0))
        assert conn.messages[0][0] == "tables"
        first = conn.messages[0][1]
        assert best is None or first <= best
    else:
        sat._climb(pb, doms, fairness, 0, conn)
    _climb_agrees(problem, fairness, best, first, conn.messages)


def _climb_agrees(problem, fairness, best, first, messages):
    """The clause search's messages against the brute-force optimum ``best``."""
    refuted = [m[1] for m in messages if m[0] == "no"]
    assert refuted == list(range(first, first + len(refuted)))
    last = messages[-1]
    if best is None:
        assert last[0] != "yes"
        return
    assert all(b < best for b in refuted)
    if last[0] == "stop":
        # Only where "nobody above the fairness bound" stops being the fairness rule.
        assert last[1] <= best
        return
    assert last[:2] == ("yes", best)
    slots = [s["id"] for s in problem["slots"]]
    per_slot: dict = {}
    assignments = []
    for meeting, s in zip(problem["meetings"], last[2], strict=True):
        per_slot[s] = per_slot.get(s, 0) + 1
        assignments.append({"meeting": meeting["id"], "slot": slots[s],
                            "table": per_slot[s] - 1})
    errors = violations(problem, {"assignments": assignments, "breaks": best}, fairness)
    assert errors == []


@pytest.mark.parametrize("seed", range(10))
def test_clause_search_counts_people_per_slot_when_somebody_is_always_busy(seed):
    # When somebody's meetings fill every slot they can use, the clauses also bound the
    # people in each slot by the seats at the tables (one group of three here, so three
    # seats a table; with one table every slot is taken). Too tight a count would refute
    # the optimum; the brute force says what the optimum is.
    from matching.scheduling import problem as pbm
    from matching.scheduling import sat

    rng = random.Random(500 + seed)
    problem = _tiny(rng, n_meetings=5 + seed % 2, n_slots=5, n_people=5,
                    tables=1 + seed % 2, days=1 + seed // 5)
    for person in problem["participants"]:
        person["unavailable"] = []
    busy = problem["participants"][0]
    busy["unavailable"] = [problem["slots"][seed % 5]["id"]]
    others = [p["id"] for p in problem["participants"][1:]]
    for k, meeting in enumerate(problem["meetings"][:4]):
        meeting["participants"] = [busy["id"], others[k]]
    for meeting in problem["meetings"]:
        meeting["blocks"] = None
    problem["meetings"][4]["participants"] = rng.sample(others, 3)
    fairness = 1 + seed // 5
    best = _brute_force(problem, fairness)
    pb = pbm._normalise(problem)
    doms = pbm._domains(pb)
    assert sat._Clauses(pb, doms, fairness).filled
    conn = _Collect()
    sat._climb(pb, doms, fairness, 0, conn)
    _climb_agrees(problem, fairness, best, 0, conn.messages)


def _scheduled_through_the_command_line(name: str, time_limit: int) -> dict:
    """``python -m matching schedule`` on a public instance, fairness 2; its result,
    checked by both checkers."""
    import json
    import subprocess
    import sys

    path = B2B / f"{name}.dzn"
    if not path.exists():
        pytest.skip("public B2B instances not available")
    done = subprocess.run(
        [sys.executable, "-m", "matching", "schedule", "--format", "dzn", str(path),
         "--fairness", "2", "--time-limit", str(time_limit)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    result = json.loads(done.stdout)
    problem = parse_dzn(path.read_text())
    assert violations(problem, result, 2) == []
    assert check_schedule(problem, result, fairness=2) == []
    return result


def test_few_tables_and_one_break_is_found_and_proven_through_the_command_line():
    # forum-13crafc: 12 tables for 154 meetings, where every schedule needs one break.
    # CP-SAT alone wanders for minutes on "at most one break"; the clause search beside
    # it finds the placement.
    result = _scheduled_through_the_command_line("forum-13crafc", 60)
    assert (result["status"], result["breaks"], result["lower_bound"]) == ("optimal", 1, 1)


def test_nearly_full_tables_are_scheduled_and_proven_through_the_command_line():
    # forumt-14crafe: 236 meetings for 24 tables x 10 slots (98 % of all table-slots).
    # Each person alone needs 4 breaks; counting tables proves 5, and walks between the
    # solver's tries find a placement with 5: the published optimum, proven.
    result = _scheduled_through_the_command_line("forumt-14crafe", 30)
    assert (result["status"], result["breaks"], result["lower_bound"]) == ("optimal", 5, 5)


def test_people_busy_in_every_slot_are_counted_to_a_proof_through_the_command_line():
    # tic-13crafc: 180 meetings for 19 tables x 10 slots, and 14 people whose meetings
    # fill all ten slots. Counting tables proves only 3; the clause search, which counts
    # the people in each slot, refutes 3 and finds 4: the published optimum, proven.
    result = _scheduled_through_the_command_line("tic-13crafc", 25)
    assert (result["status"], result["breaks"], result["lower_bound"]) == ("optimal", 4, 4)
