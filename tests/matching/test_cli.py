from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "matching", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def profiles(tmp_path):
    s = tmp_path / "s.jsonl"
    s.write_text(
        "\n".join(
            json.dumps(x, ensure_ascii=False)
            for x in [
                {
                    "id": "s1",
                    "name": "Cảng Xanh",
                    "description": "logistics cảng biển Hải Phòng",
                    "sectors": ["logistics hàng hải"],
                    "stage": "seed",
                    "raising_usd": 200000,
                    "location": "Hải Phòng",
                    "founded_year": 2022,
                    "extra": True,
                },
                {
                    "id": 2,
                    "name": "EduVN",
                    "description": "online learning for students",
                    "sectors": ["edtech"],
                    "stage": "series-a",
                    "raising_usd": 3000000,
                },
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    i = tmp_path / "i.jsonl"
    i.write_text(
        "\n".join(
            json.dumps(x, ensure_ascii=False)
            for x in [
                {
                    "id": "inv-a",
                    "name": "Sea Fund",
                    "thesis": "port logistics, maritime shipping",
                    "sectors": ["maritime logistics"],
                    "stages": ["seed"],
                    "ticket_min_usd": 50000,
                    "ticket_max_usd": 500000,
                    "locations": ["Vietnam"],
                    "portfolio": ["container tracking for the port of Hai Phong"],
                    "max_meetings": 8,
                },
                {"id": 7, "thesis": "giáo dục trực tuyến", "stages": ["series-a"]},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return s, i


def test_cli_rank_for_investors_format(profiles):
    s, i = profiles
    out = _run("rank", "--startups", str(s), "--investors", str(i), "--top", "1")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["investor"] for x in lines] == ["inv-a", 7]
    first = lines[0]["matches"][0]
    assert first["startup"] == "s1"
    assert set(first) == {"startup", "score", "reasons"}
    assert 0 <= first["score"] <= 1
    assert "seed stage, within 50k–500k USD" in first["reasons"]
    assert lines[1]["matches"][0]["startup"] == 2


def test_cli_rank_for_startups_in_vietnamese(profiles):
    s, i = profiles
    out = _run(
        "rank", "--startups", str(s), "--investors", str(i), "--for", "startups", "--lang", "vi"
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert lines[0]["startup"] == "s1"
    assert lines[0]["matches"][0]["investor"] == "inv-a"
    assert any(r.startswith("giai đoạn hạt giống") for r in lines[0]["matches"][0]["reasons"])


def test_cli_assign_round_trip(tmp_path):
    problem = {
        "pairs": [{"startup": "a", "investor": 1, "score": 0.5, "tier": "nice"}],
        "startups": [{"id": "a", "min_meetings": 1, "max_meetings": 2}],
        "investors": [{"id": 1, "max_meetings": 3}],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(problem))
    out = _run("assign", str(path))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["status"] == "optimal"
    assert result["meetings"] == [{"startup": "a", "investor": 1, "score": 0.5}]


def test_generator_cli_feeds_the_schedule_command(tmp_path):
    from .checker import violations

    args = [sys.executable, "-m", "matching.synth", "--startups", "40", "--investors", "12",
            "--meetings", "150", "--slots-per-day", "8", "--tables", "12", "--seed", "4"]
    first = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60,
                           check=True)
    again = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60,
                           check=True)
    assert first.stdout == again.stdout  # the seed fixes the problem
    problem = json.loads(first.stdout)
    assert len(problem["meetings"]) == 150
    assert len(problem["slots"]) == 16
    assert len(problem["tables"]) == 12
    path = tmp_path / "festival.json"
    path.write_text(first.stdout)
    out = _run("schedule", str(path), "--time-limit", "5")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["status"] in ("optimal", "feasible")
    assert violations(problem, result, 2) == []


def test_cli_schedule_json_and_infeasible(tmp_path):
    ok = {
        "slots": [
            {"id": "a", "day": 1, "block": "morning"},
            {"id": "b", "day": 1, "block": "morning"},
        ],
        "tables": [{"id": "T1"}],
        "participants": [{"id": "x", "unavailable": []}],
        "meetings": [
            {"id": 1, "participants": ["x", "y"], "blocks": None, "fixed_slot": None},
            {"id": 2, "participants": ["x", "z"], "blocks": ["morning"], "fixed_slot": None},
        ],
        "precedences": [[2, 1]],
        "fairness": 2,
    }
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(ok))
    out = _run("schedule", str(path), "--time-limit", "5")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) >= {
        "status",
        "breaks",
        "lower_bound",
        "fairness",
        "solve_seconds",
        "assignments",
    }
    assert result["status"] == "optimal"
    assert [a["slot"] for a in sorted(result["assignments"], key=lambda a: a["meeting"])] == [
        "b",
        "a",
    ]
    ok["tables"] = []
    path.write_text(json.dumps(ok))
    out = _run("schedule", str(path))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "0 tables" in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["assign", "/nonexistent/p.json"], "no such file"),
        (["schedule", "--format", "dzn", "/nonexistent/x.dzn"], "no such file"),
    ],
)
def test_cli_errors_are_clear(args, message):
    out = _run(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_bad_json_and_bad_dzn(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    out = _run("assign", str(bad))
    assert out.returncode == 2
    assert "invalid JSON" in out.stderr
    out = _run("schedule", "--format", "dzn", str(bad))
    assert out.returncode == 2
    assert "missing field" in out.stderr
    lines = tmp_path / "s.jsonl"
    lines.write_text('{"id": 1}\n[1, 2]\n')
    out = _run("rank", "--startups", str(lines), "--investors", str(lines))
    assert out.returncode == 2
    assert "line 2" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("which", "lines", "message"),
    [
        ("startups", ['{"id": 1}', "{not json"], "s.jsonl line 2: not JSON"),
        ("startups", ['{"id": 1, "stage": "series-z"}'],
         "s.jsonl line 1: field stage: unknown stage 'series-z'"),
        ("investors", ['{"id": 1}', '{"id": 2, "ticket_min_usd": 9e6, "ticket_max_usd": 1e5}'],
         "i.jsonl line 2: field ticket_min_usd: the minimum"),
        ("investors", ['{"id": 1, "portfolio": [""]}'],
         "i.jsonl line 1: field portfolio: entry 1 is empty"),
        ("investors", ['{"id": 1, "portfolio": "port app", "max_meetings": 1.5}'],
         "i.jsonl line 1: field max_meetings"),
        ("startups", ['{"id": 1, "raising_usd": NaN}'], "s.jsonl line 1: NaN"),
        ("startups", ['{"id": "a"}', '{"id": "a"}'], "s.jsonl line 2: field id: 'a' is already"),
    ],
)
def test_cli_rank_names_the_bad_line_and_field(tmp_path, which, lines, message):
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": 1, "description": "port logistics"}\n')
    bad = tmp_path / ("s.jsonl" if which == "startups" else "i.jsonl")
    bad.write_text("\n".join(lines) + "\n")
    pair = (bad, good) if which == "startups" else (good, bad)
    out = _run("rank", "--startups", str(pair[0]), "--investors", str(pair[1]))
    assert out.returncode == 2
    assert out.stdout == ""
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_cli_rank_into_a_closed_pipe_is_quiet(tmp_path):
    from dataclasses import asdict

    from matching.synth import make_ranking_eval

    ev = make_ranking_eval(n_investors=300, n_pool=300, random_state=0)
    s, i = tmp_path / "s.jsonl", tmp_path / "i.jsonl"
    s.write_text("".join(json.dumps(asdict(x)) + "\n" for x in ev.startups))
    i.write_text("".join(json.dumps(asdict(x)) + "\n" for x in ev.investors))
    cmd = [sys.executable, "-m", "matching", "rank", "--startups", str(s), "--investors", str(i)]
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout.read(10)
        proc.stdout.close()  # the reader stops early, as `| head` does, with far more to come
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err
    assert "BrokenPipe" not in err


def test_cli_help_lists_the_commands():
    out = _run("--help")
    assert out.returncode == 0
    for word in ("rank", "assign", "schedule"):
        assert word in out.stdout


def test_matching_imports_no_web_framework():
    code = (
        "import sys, matching, matching.cli, matching.synth; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlmodel', 'sqlalchemy', 'techfest')]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_benchmarks_run_in_quick_mode(capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_matching
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    figures = bench_matching.main(quick=True)
    printed = capsys.readouterr().out
    assert "rank quality" in printed
    assert "assign:" in printed
    assert "schedule festival" in printed
    (festival,) = figures["schedule"]["festival"]["instances"]
    assert festival["valid"]
    assert festival["lower_bound"] <= festival["breaks"]


_DZN = ("nBusiness = 4; nMeetings = 4; nTables = 1; nTotalSlots = 4; nMorningSlots = 2;\n"
        "requested = [| 1, 3, 3 | 1, 4, 3 | 2, 3, 3 | 2, 4, 3 |];\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_DZN + "nTables = 2;\n", "field 'nTables' is given twice"),
        (_DZN.replace("nBusiness = 4", "nBusiness = 99999999999"), "nBusiness = 99999999999"),
        (_DZN.replace("nTotalSlots = 4", "nTotalSlots = 1000000"), "more than this reader"),
        (_DZN.replace("| 2, 4, 3 |", "| 2, 9, 3 |"), "meeting 4 has invalid participants"),
        (_DZN + "forbidden = [{1}, {}];\n", "forbidden has 2 sets, expected 4"),
        (_DZN + "fixed = [0, 0, 0, 7];\n", "meeting 4 is fixed to slot 7"),
        (_DZN + "precedences = [{}, {}, {}, {8}];\n", "unknown predecessor 8"),
        ("\xff\xfe not a model", "missing field 'nBusiness'"),
    ],
)
def test_cli_inconsistent_dzn_gives_one_line_and_exit_2(tmp_path, text, message):
    path = tmp_path / "x.dzn"
    path.write_text(text, encoding="utf-8")
    out = _run("schedule", "--format", "dzn", str(path), "--time-limit", "5")
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1
    assert message in out.stderr
    assert out.stderr.startswith("error: ")


def test_cli_dzn_with_too_few_tables_for_fairness_0_says_why(tmp_path):
    # Four meetings on one table: someone must wait, so no fair-to-the-break schedule.
    path = tmp_path / "four.dzn"
    path.write_text(_DZN, encoding="utf-8")
    out = _run("schedule", "--format", "dzn", str(path), "--fairness", "0")
    assert out.returncode == 2
    assert json.loads(out.stdout)["status"] == "infeasible"
    assert "infeasible: the fairness bound 0 is too tight" in out.stderr
    assert "Traceback" not in out.stderr
    out = _run("schedule", "--format", "dzn", str(path), "--fairness", "2")
    assert out.returncode == 0
    result = json.loads(out.stdout)
    assert (result["status"], result["breaks"], result["lower_bound"]) == ("optimal", 1, 1)
