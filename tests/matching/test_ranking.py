from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from matching.features import Features, amount_in, char_tfidf, stage_in
from matching.profiles import Investor, ProfileError, Startup
from matching.ranking import Matcher
from matching.synth import make_ranking_eval
from matching.text import Surface, expand, fold

CITIES = ("Hai Phong", "Da Nang", "Can Tho", "Ha Noi")
TOPICS = ("port logistics", "shrimp farming", "school software", "hotel booking",
          "solar panels", "clinic records")


def _startup(sid, description, **kw):
    return Startup(id=sid, description=description, **kw)


def _city_world(seed: int, n_investors: int = 40, n_startups: int = 200):
    """Investors who only ever back companies of their own city; topics are random."""
    rng = np.random.default_rng(seed)
    investors = []
    for j in range(n_investors):
        city = CITIES[j % len(CITIES)]
        portfolio = tuple(
            f"{rng.choice(TOPICS)} company in {city}" for _ in range(int(rng.integers(3, 7))))
        investors.append(Investor(id=f"i{j}", thesis=str(rng.choice(TOPICS)),
                                  portfolio=portfolio))
    startups = [_startup(f"s{n}", f"{rng.choice(TOPICS)} platform",
                         location=str(rng.choice(CITIES))) for n in range(n_startups)]
    return startups, investors


def _stage_world(seed: int, n_investors: int = 40, n_startups: int = 200):
    """Investors who only ever back one stage; cities and topics are random."""
    rng = np.random.default_rng(seed)
    stages = ("pre-seed", "seed", "series-a", "series-b")
    investors = []
    for j in range(n_investors):
        stage = stages[j % len(stages)]
        portfolio = tuple(
            f"{rng.choice(TOPICS)} company in {rng.choice(CITIES)}, joined its {stage} round"
            for _ in range(int(rng.integers(3, 7))))
        investors.append(Investor(id=f"i{j}", thesis=str(rng.choice(TOPICS)),
                                  portfolio=portfolio))
    startups = [_startup(f"s{n}", f"{rng.choice(TOPICS)} platform",
                         location=str(rng.choice(CITIES)), stage=str(rng.choice(stages)))
                for n in range(n_startups)]
    return startups, investors


# ---------------------------------------------------------------- text and parsing


def test_fold_removes_vietnamese_diacritics():
    assert fold("Logistics Cảng Biển Đình Vũ") == "logistics cang bien dinh vu"


@pytest.mark.parametrize("min_df", [1, 2])
def test_character_ngrams_from_words_equal_scikit_learns_char_wb(min_df):
    from sklearn.feature_extraction.text import TfidfVectorizer

    ev = make_ranking_eval(n_investors=30, n_pool=200, random_state=1)
    docs = [expand(s.description) for s in ev.startups] + [
        expand("Cảng biển Hải Phòng, logistics và thương mại điện tử"),
        expand("cang bien hai phong  logistics"), "", "x", "",
    ]
    expected = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                               min_df=min_df, max_df=0.3).fit_transform(docs)
    got = char_tfidf(docs, (3, 5), min_df=min_df, max_df=0.3)
    assert got.shape == expected.shape
    assert got.nnz == expected.nnz
    assert abs(got - expected).max() < 1e-6


def test_expand_adds_english_for_vietnamese_phrases():
    assert "port" in expand("logistics cảng biển").split()
    assert "port" in expand("logistics cang bien").split()


@pytest.mark.parametrize(("text", "stage"), [
    ("joined its seed round ($500K) in 2010", "seed"),
    ("rót vốn vòng A năm 2023", "series-a"),
    ("pre-seed cheque for a port app", "pre-seed"),
    ("Series B, 2021", "series-b"),
    ("a logistics company", None),
])
def test_stage_read_from_a_portfolio_line(text, stage):
    assert stage_in(text) == stage


@pytest.mark.parametrize(("text", "usd"), [
    ("joined its seed round ($1.5M) in 2010", 1_500_000),
    ("200k USD for 10%", 200_000),
    ("vòng hạt giống 5 tỷ đồng", 200_000),
    ("founded in 2019", None),
])
def test_amount_read_from_a_portfolio_line(text, usd):
    got = amount_in(text)
    assert got == (None if usd is None else pytest.approx(usd))


def test_surface_keeps_what_was_written_and_knows_syllables():
    s = Surface(["Nền tảng logistics cảng biển cho doanh nghiệp"])
    assert s.get("cang bien") == "cảng biển"
    assert s.displayable("cang bien")
    assert s.displayable("logistics")
    assert not s.displayable("cang")      # a syllable of "cảng biển"
    assert not s.displayable("cho")       # a function word
    assert not s.displayable("bien cho")  # a phrase may not end on a function word
    assert Surface(["Vietnam's AI hub"]).displayable("ai")  # an acronym in capitals


# ---------------------------------------------------------------- profiles


def test_profile_errors_name_the_field():
    with pytest.raises(ProfileError, match="field stage: unknown stage 'series-z'"):
        Startup.from_dict({"id": 1, "stage": "series-z"})
    with pytest.raises(ProfileError, match="field ticket_min_usd"):
        Investor.from_dict({"id": 1, "ticket_min_usd": 9, "ticket_max_usd": 3})
    with pytest.raises(ProfileError, match="field portfolio: entry 2 is empty"):
        Investor.from_dict({"id": 1, "portfolio": ["port app", " "]})
    with pytest.raises(ProfileError, match="field raising_usd"):
        Startup.from_dict({"id": 1, "raising_usd": -5})
    with pytest.raises(ProfileError, match="field strict"):
        Investor.from_dict({"id": 1, "strict": ["thesis"]})


def test_vietnamese_stage_names_are_read():
    assert Startup.from_dict({"id": 1, "stage": "Hạt giống"}).stage == "seed"
    assert Investor.from_dict({"id": 1, "stages": ["vòng A", "seed"]}).stages == (
        "series-a", "seed")


# ---------------------------------------------------------------- learning


@pytest.mark.parametrize("seed", [0, 1])
def test_weights_learn_that_investors_back_their_own_city(seed):
    startups, investors = _city_world(seed)
    m = Matcher().fit(startups, investors)
    weights = m.weights_.standardised()
    assert m.weights_.source != "defaults"
    assert max(weights, key=weights.get) == "place_history"
    ranked = m.rank_for_investors(top=5)
    for j, inv in enumerate(investors):
        city = CITIES[j % len(CITIES)]
        by_id = {s.id: s for s in startups}
        in_city = sum(by_id[x.startup].location == city for x in ranked[inv.id])
        assert in_city >= 4, (inv.id, [x.reasons for x in ranked[inv.id]])


def test_weights_learn_that_investors_back_one_stage():
    startups, investors = _stage_world(2)
    weights = Matcher().fit(startups, investors).weights_.standardised()
    assert max(weights, key=weights.get) == "stage_history"
    assert weights["stage_history"] > 2 * weights["place_history"]


def test_without_outcomes_the_defaults_rank():
    startups = [_startup("port", "port logistics for shipping lines"),
                _startup("hotel", "hotel booking for tourists")]
    investors = [Investor(id="sea", thesis="port logistics"), Investor(id="inn", thesis="hotels")]
    m = Matcher().fit(startups, investors)
    assert m.weights_.source == "defaults"
    assert m.weights_.lessons == 0
    # Nothing speaks for the hotel: a match without a reason is not shown.
    assert [x.startup for x in m.rank_for_investors(top=2)["sea"]] == ["port"]


def test_earlier_outcomes_are_lessons_too():
    startups, investors = _city_world(3, n_investors=8)
    outcomes = {(s.id, inv.id): 1.0 for s, inv in zip(startups[:30], investors * 4,
                                                        strict=False)}
    plain = Matcher().fit(startups, investors)
    taught = Matcher().fit(startups, investors, feedback=outcomes)
    assert taught.weights_.lessons > plain.weights_.lessons


def test_a_stated_value_only_the_held_out_company_supports_is_not_used():
    investors = [Investor(id="i", stages=("seed", "series-b"), portfolio=(
        "port app, seed round", "ship tracker, seed round", "cold chain, series-b round"))]
    f = Features([_startup("s", "x")], investors)
    held_out = f.n_startups + 2  # the only series-b company
    rows = f.profiles(np.array([0, 0]), np.array([held_out, f.n_startups]))
    b = 4  # series-b column
    assert rows.stage[0, b] < 1.0  # without it, series-b is no longer a stated stage
    assert rows.stage[1, b] == 1.0  # holding out a seed company changes nothing


# ---------------------------------------------------------------- ranking


def test_bilingual_text_matches_with_and_without_diacritics():
    startups = [
        _startup("accented", "logistics cảng biển"),
        _startup("plain", "logistics cang bien"),
        _startup("english", "port logistics"),
        _startup("other", "ứng dụng học tiếng Anh cho học sinh"),
        _startup("other2", "online pharmacy delivery"),
    ]
    investors = [Investor(id="sea", thesis="logistics cảng biển Hải Phòng")]
    scores = Matcher().fit(startups, investors).score_matrix()[:, 0]
    by_id = dict(zip([s.id for s in startups], scores, strict=True))
    for near in ("accented", "plain", "english"):
        assert by_id[near] > by_id["other"]
        assert by_id[near] > by_id["other2"]


def test_a_stated_stage_lowers_the_score_and_excludes_only_when_strict():
    startups = [
        _startup("seed", "fintech payments", stage="seed"),
        _startup("unknown", "fintech payments"),
        _startup("growth", "fintech payments", stage="growth"),
    ]
    investors = [
        Investor(id="soft", thesis="fintech", stages=("seed",)),
        Investor(id="strict", thesis="fintech", stages=("seed",), strict=("stages",)),
    ]
    m = Matcher().fit(startups, investors)
    soft = {s: m.score_pair(s, "soft") for s in ("seed", "unknown", "growth")}
    assert all(x is not None for x in soft.values())
    assert soft["seed"].score > soft["unknown"].score > soft["growth"].score
    assert m.score_pair("growth", "strict") is None
    assert m.score_pair("unknown", "strict") is not None  # unknown is never a reason
    assert "growth" not in [x.startup for x in m.rank_for_investors(top=3)["strict"]]


def test_a_strict_ticket_excludes_and_inside_gives_the_reason():
    startups = [
        _startup("small", "shrimp farming", raising_usd=200_000, stage="seed"),
        _startup("huge", "shrimp farming", raising_usd=50_000_000, stage="seed"),
        _startup("unsaid", "shrimp farming", stage="seed"),
    ]
    soft = Investor(id=1, thesis="aquaculture shrimp", stages=("seed",),
                    ticket_min_usd=50_000, ticket_max_usd=500_000)
    strict = Investor(id=2, thesis="aquaculture shrimp", stages=("seed",),
                      ticket_min_usd=50_000, ticket_max_usd=500_000, strict=("ticket",))
    m = Matcher().fit(startups, [soft, strict])
    assert m.score_pair("huge", 2) is None
    assert m.score_pair("unsaid", 2) is not None
    assert m.score_pair("huge", 1) is not None
    assert m.score_pair("huge", 1).score < m.score_pair("small", 1).score
    assert "seed stage, within 50k–500k USD" in m.score_pair("small", 1).reasons


def test_startups_that_fit_everyone_alike_do_not_fill_every_list():
    ev = make_ranking_eval(n_investors=100, n_pool=1000, random_state=5)

    def shown(matcher):
        ranked = matcher.fit(ev.startups, ev.investors).rank_for_investors(top=10)
        return len({x.startup for ms in ranked.values() for x in ms})

    assert shown(Matcher()) > shown(Matcher(hubness=0.0)) * 1.02


def test_exclude_pairs_are_never_proposed():
    startups = [_startup("x", "solar energy"), _startup("y", "solar panels")]
    inv = [Investor(id="i", thesis="solar energy")]
    m = Matcher().fit(startups, inv, exclude_pairs=[("x", "i")])
    ranked = m.rank_for_investors(top=5)
    assert [match.startup for match in ranked["i"]] == ["y"]


def test_ids_are_kept_exactly():
    startups = [Startup.from_dict({"id": 7, "description": "edtech", "unknown_key": 1})]
    investors = [Investor.from_dict({"id": "07", "thesis": "edtech"})]
    ranked = Matcher().fit(startups, investors).rank_for_investors()
    assert list(ranked) == ["07"]
    assert ranked["07"][0].startup == 7


def test_scores_are_in_unit_interval_and_sorted():
    ev = make_ranking_eval(n_investors=20, n_pool=200, random_state=3)
    m = Matcher().fit(ev.startups, ev.investors)
    for matches in m.rank_for_investors(top=10).values():
        scores = [x.score for x in matches]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= x <= 1.0 for x in scores)


@pytest.mark.parametrize("seed", [0, 1])
def test_top_k_equals_brute_force_over_all_pairs(seed):
    ev = make_ranking_eval(n_investors=15, n_pool=150, random_state=seed)
    m = Matcher().fit(ev.startups, ev.investors)
    full = m.score_matrix()

    def explained(i, j):
        match = m.score_pair(ev.startups[i].id, ev.investors[j].id)
        return match is not None and bool(match.reasons)

    ranked = m.rank_for_investors(top=10)
    for j, inv in enumerate(ev.investors):
        order = np.argsort(-full[:, j], kind="stable")
        expected = [full[i, j] for i in order if full[i, j] >= 0 and explained(i, j)][:10]
        got = [x.score for x in ranked[inv.id]]
        np.testing.assert_allclose(got, np.round(expected, 4), atol=1e-4)
    by_startup = m.rank_for_startups(top=3)
    for i, st in enumerate(ev.startups[:30]):
        order = np.argsort(-full[i], kind="stable")
        expected = [full[i, j] for j in order if full[i, j] >= 0 and explained(i, j)][:3]
        got = [x.score for x in by_startup[st.id]]
        np.testing.assert_allclose(got, np.round(expected, 4), atol=1e-4)


def test_score_pair_matches_the_matrix():
    ev = make_ranking_eval(n_investors=5, n_pool=40, random_state=4)
    m = Matcher().fit(ev.startups, ev.investors)
    full = m.score_matrix()
    for i in range(0, len(ev.startups), 7):
        for j, inv in enumerate(ev.investors):
            match = m.score_pair(ev.startups[i].id, inv.id)
            if full[i, j] < 0:
                assert match is None
            else:
                assert match is not None
                assert match.score == pytest.approx(float(full[i, j]), abs=1e-4)


def test_a_good_earlier_meeting_pulls_similar_startups_up():
    startups = [
        _startup("liked", "drone crop spraying"),
        _startup("twin", "drone spraying crops"),
        _startup("far", "hotel booking"),
    ]
    inv = [Investor(id="i", thesis="agriculture")]
    base = Matcher().fit(startups, inv).score_matrix()[:, 0]
    fed = Matcher().fit(startups, inv, feedback={("liked", "i"): 1.0}).score_matrix()[:, 0]
    assert fed[1] - fed[2] > base[1] - base[2]


# ---------------------------------------------------------------- reasons


def _vietnamese_pair(**matcher):
    s = _startup("cx", "Nền tảng logistics cảng biển cho doanh nghiệp xuất nhập khẩu",
                 name="Cảng Xanh", sectors=("logistics",), stage="seed", raising_usd=100_000,
                 location="Hải Phòng")
    other = _startup("edu", "ứng dụng học tiếng Anh cho học sinh", sectors=("edtech",))
    inv = Investor(id="sea", thesis="Đầu tư vào logistics cảng biển và chuỗi cung ứng",
                   sectors=("logistics",), stages=("seed",), ticket_min_usd=50_000,
                   ticket_max_usd=500_000, locations=("Hải Phòng",),
                   portfolio=("Tàu Nhanh: theo dõi container cho cảng Hải Phòng",))
    return Matcher(max_reasons=6, **matcher).fit([s, other], [inv]).score_pair("cx", "sea")


def test_reasons_in_vietnamese_are_whole_words_as_written():
    match = _vietnamese_pair(lang="vi")
    assert match is not None
    text = " | ".join(match.reasons)
    assert "cùng lĩnh vực logistics" in match.reasons
    assert "giai đoạn hạt giống (seed), trong khoảng đầu tư 50k–500k USD" in match.reasons
    assert "đặt tại Hải Phòng, nơi nhà đầu tư quan tâm" in match.reasons
    thesis = next(r for r in match.reasons + ("",) if r.startswith("luận điểm"))
    assert "cảng biển" in thesis or "logistics" in text
    for bad in (" cang", " bien", "cho,", " va,", "và"):
        assert bad not in thesis


def test_a_bilingual_profile_shares_a_term_once_per_page_in_its_language():
    """A pitch written in both languages holds "khách hàng" and "customers": a Vietnamese
    page names it once, in Vietnamese and in lower case where the text writes it so."""
    s = _startup("ro", "Khách hàng tiết kiệm nhiên liệu; phần mềm cho khách hàng ở cảng biển. "
                 "Customers save fuel at the seaport.", name="Tuyến", sectors=("logistics",))
    other = _startup("edu", "ứng dụng học tiếng Anh cho học sinh", sectors=("edtech",))
    inv = Investor(id="f", thesis="khách hàng ở cảng biển; customers at the seaport",
                   sectors=("logistics",))
    matcher = Matcher(max_reasons=6).fit([s, other], [inv])
    vi = next(r for r in matcher.in_language("vi").score_pair("ro", "f").reasons
              if r.startswith("luận điểm"))
    en = next(r for r in matcher.in_language("en").score_pair("ro", "f").reasons
              if r.startswith("its thesis"))
    assert "khách hàng" in vi
    assert "Khách hàng" not in vi
    assert "ustomers" not in vi
    assert "Customers" in en
    assert "khách" not in en.lower()


def test_reasons_never_show_function_words_or_syllables():
    startups = [_startup("a", "the app for the port and the ships of Hải Phòng"),
                _startup("b", "học sinh và giáo viên")]
    investors = [Investor(id="i", thesis="and the port for ships, Hải Phòng"),
                 Investor(id="j", thesis="sinh viên và học sinh")]
    m = Matcher().fit(startups, investors)
    shown = [r for ms in m.rank_for_investors(top=2).values() for x in ms for r in x.reasons]
    terms = [t.strip() for r in shown if r.startswith("its thesis speaks of ")
             for t in r.removeprefix("its thesis speaks of ").split(",")]
    assert terms, shown
    for t in terms:
        assert t.lower() not in {"and", "the", "for", "và", "sinh", "học", "hai", "phong"}


def test_sector_labels_are_shown_in_the_page_language():
    s = _startup("a", "computer vision for ports", sectors=("ai",))
    inv = Investor(id="i", thesis="computer vision", sectors=("ai",))
    match = Matcher(lang="vi", labels={"ai": "Trí tuệ nhân tạo"}).fit([s], [inv]).score_pair(
        "a", "i")
    assert "cùng lĩnh vực Trí tuệ nhân tạo" in match.reasons
    assert not any("cùng lĩnh vực ai" in r for r in match.reasons)


def test_one_fit_explains_in_both_languages():
    match_vi = _vietnamese_pair(lang="vi")
    s = _startup("cx", "Nền tảng logistics cảng biển cho doanh nghiệp xuất nhập khẩu",
                 sectors=("logistics",), stage="seed")
    inv = Investor(id="sea", thesis="logistics cảng biển", sectors=("logistics",),
                   stages=("seed",))
    m = Matcher(lang="vi").fit([s, _startup("x", "hotel booking")], [inv])
    en = m.in_language("en", {"logistics": "Logistics & supply chain"})
    assert "cùng lĩnh vực logistics" in m.score_pair("cx", "sea").reasons
    assert "both in Logistics & supply chain" in en.score_pair("cx", "sea").reasons
    assert en.score_pair("cx", "sea").score == m.score_pair("cx", "sea").score
    assert match_vi is not None


def test_a_past_investment_is_quoted_as_written():
    startups = [_startup("a", "container tracking for ports"), _startup("b", "hotel booking")]
    inv = Investor(id="i", portfolio=("Tàu Nhanh: container tracking for Hải Phòng port; 2023",
                                      "Bến Xanh: port cranes"))
    match = Matcher().fit(startups, [inv]).score_pair("a", "i")
    assert "backed “Tàu Nhanh: container tracking for Hải Phòng port”" in match.reasons


def test_every_listed_match_has_a_reason():
    ev = make_ranking_eval(n_investors=30, n_pool=300, random_state=6)
    ranked = Matcher(lang="vi").fit(ev.startups, ev.investors).rank_for_investors(top=10)
    assert all(x.reasons for ms in ranked.values() for x in ms)


def test_matcher_finds_planted_deals_smoke():
    """Smoke check on generated data (not a quality measure: the generator's own rules)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        from bench_rank import smoke_quality
    finally:
        sys.path.pop(0)
    result = smoke_quality(n_investors=100, n_pool=1000)
    assert result["ours"] > result["baseline"]
