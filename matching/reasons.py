"""Reasons that explain a score, as a person would say them, in English or Vietnamese.

A pair's features are compared with those of a random pair, each difference weighted by
the feature's weight: what adds most to the score is said first ("backed “Tackk: web
company in Cleveland”", "seed stage, within 20k–40k USD", "both in maritime logistics").
Everything quoted comes from the profiles as written: a past investment's own words,
sector names as the startup spelled them (or as ``labels`` names them in the page's
language), words and phrases of the startup's text with their diacritics. Function words
and single syllables of Vietnamese words are never shown as shared terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .features import FEATURES, N_BINS, N_STAGES, Features
from .profiles import STAGES
from .text import GLOSSARY, STOP_WORDS, Surface, fold_label, has_diacritics, syllables_in

if TYPE_CHECKING:
    from .learning import Weights

__all__ = ["Reasons", "money"]

#: reasons, each made of the features whose contributions it sums
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("portfolio", ("portfolio", "portfolio_chars")),
    ("thesis", ("thesis",)),
    ("place", ("place", "place_history")),
    ("sector", ("sector", "sector_history")),
    ("stage", ("stage", "stage_history")),
    ("ticket", ("ticket", "size_history")),
)
_FEATURE = {name: n for n, name in enumerate(FEATURES)}
_STAGE_EN = {"idea": "idea", "pre-seed": "pre-seed", "seed": "seed", "series-a": "Series A",
             "series-b": "Series B", "series-c": "Series C", "growth": "growth"}
_STAGE_VI = {"idea": "ý tưởng", "pre-seed": "tiền hạt giống (pre-seed)",
             "seed": "hạt giống (seed)", "series-a": "vòng A (Series A)",
             "series-b": "vòng B (Series B)", "series-c": "vòng C (Series C)",
             "growth": "tăng trưởng (growth)"}
_COMMON = 0.15  # share of profiles from which a word is too common to be a reason
_MIN_LIKENESS = 0.12  # word cosine from which a past investment is "like" the startup
_QUOTE_WORDS = 12


def money(value: float) -> str:
    """A short amount: 50k, 1.5M, 2B."""
    for size, unit in ((1e9, "B"), (1e6, "M")):
        if value >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + unit
    if value >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def _quote(text: str) -> str:
    """The start of a portfolio line: up to its first ';' and at most a dozen words."""
    head = text.split(";")[0].strip().rstrip(".")
    words = head.split()
    return " ".join(words[:_QUOTE_WORDS]) + ("…" if len(words) > _QUOTE_WORDS else "")


class Reasons:
    """Writes the reasons of pairs for one fitted set of features and weights."""

    def __init__(self, features: Features, weights: Weights, *, lang: str = "en",
                 labels: Mapping[str, str] | None = None) -> None:
        self.f, self.w = features, weights
        self.vi = lang == "vi"
        self.labels = dict(labels or {})
        texts = [s.description for s in features.startups]
        texts += [i.thesis for i in features.investors] + [t for _, t in features.items]
        self.syllables = syllables_in(texts)
        self._surfaces: dict[int, Surface] = {}
        self._term_mask: np.ndarray | None = None
        #: per reason, whether any of its features weighs anything
        self.weighted = [any(weights.coef[_FEATURE[x]] > 0 for x in names)
                         for _, names in _GROUPS]
        # Past companies per investor, and how many of them have each place, sector, stage.
        members = features.membership(np.arange(len(features.investors)))
        self.n_past = np.asarray(members.sum(axis=1)).ravel().astype(int)
        self.place_counts = (members @ features.place_binary).tocsr()
        self.sector_counts = (members @ features.sector_binary).tocsr()
        self.stage_counts = np.asarray(members @ features.stage)
        self._counts: dict[tuple[str, int], dict[int, float]] = {}
        self._ranges: dict[int, str | None] = {}
        place_index, sector_index = features.place_names.index, features.sector_names.index
        self.s_places = []
        for st in features.startups:
            parts = [p.strip() for p in (st.location or "").split(",") if p.strip()]
            self.s_places.append([(p, place_index.get(fold_label(p))) for p in parts])
        self.s_sectors = [[(x, sector_index.get(fold_label(x))) for x in st.sectors]
                          for st in features.startups]

    # ---------------------------------------------------------------- helpers
    def _surface(self, s_n: int) -> Surface:
        surface = self._surfaces.get(s_n)
        if surface is None:
            st = self.f.startups[s_n]
            surface = Surface((st.name, st.description), syllables=self.syllables)
            self._surfaces[s_n] = surface
        return surface

    def _shown_terms(self) -> np.ndarray:
        """Which vocabulary terms could be shown, judged on their folded form: no function
        word at either end, not digits, not a place (places have a reason of their own),
        a single word only when it is not a Vietnamese syllable."""
        if self._term_mask is None:
            place_words = {w for p in self.f.place_names.index for w in p.split()}
            mask = np.zeros(len(self.f.terms), dtype=bool)
            # A word most profiles use says nothing about this pair ("customers").
            n_docs = self.f.n_entities + len(self.f.investors)
            df = (1.0 + n_docs) / np.exp(self.f.idf - 1.0) - 1.0
            common = df > max(3.0, _COMMON * n_docs) + 0.5
            for col, term in enumerate(self.f.terms.tolist()):
                parts = term.split()
                if not parts or parts[0] in STOP_WORDS or parts[-1] in STOP_WORDS:
                    continue
                if all(p.isdigit() or p in place_words for p in parts):
                    continue
                if len(parts) == 1 and (term in self.syllables or len(term) < 2):
                    continue
                mask[col] = not common[col]
            self._term_mask = mask
        return self._term_mask

    @staticmethod
    def _row(matrix: object, j: int) -> np.ndarray:
        indptr, indices = matrix.indptr, matrix.indices  # type: ignore[attr-defined]
        return indices[indptr[j]: indptr[j + 1]]  # type: ignore[no-any-return]

    def _count_of(self, kind: str, i_n: int, col: int) -> int:
        key = (kind, i_n)
        counts = self._counts.get(key)
        if counts is None:
            m = self.place_counts if kind == "place" else self.sector_counts
            a, b = m.indptr[i_n], m.indptr[i_n + 1]
            counts = dict(zip(m.indices[a:b].tolist(), m.data[a:b].tolist(), strict=True))
            self._counts[key] = counts
        return int(counts.get(col, 0))

    def _label(self, text: str) -> str:
        return self.labels.get(text, text)

    def _stage(self, stage: str) -> str:
        if stage in self.labels:
            return self.labels[stage]
        return (_STAGE_VI if self.vi else _STAGE_EN).get(stage, stage)

    # ---------------------------------------------------------------- vectorised parts
    def _closest_items(self, s_idx: np.ndarray, i_idx: np.ndarray) -> list[int | None]:
        """For each pair, the investor's most similar portfolio line (word cosine)."""
        f = self.f
        counts = (f.item_start[i_idx + 1] - f.item_start[i_idx]).astype(np.int64)
        out: list[int | None] = [None] * len(s_idx)
        if counts.sum() == 0:
            return out
        rows_s = np.repeat(s_idx, counts)
        rows_p = np.concatenate([np.arange(f.item_start[j], f.item_start[j + 1])
                                 for j in i_idx]) + f.n_startups
        sims = np.asarray(f.words[rows_s].multiply(f.words[rows_p]).sum(axis=1)).ravel()
        start = 0
        for n, cnt in enumerate(counts.tolist()):
            if cnt:
                seg = sims[start: start + cnt]
                k = int(np.argmax(seg))
                if seg[k] >= _MIN_LIKENESS:
                    out[n] = int(rows_p[start + k])
            start += cnt
        return out

    def _shared_terms(self, s_idx: np.ndarray, i_idx: np.ndarray, n: int = 3
                      ) -> list[list[str]]:
        """For each pair, up to ``n`` words or phrases of the startup found in the thesis,
        as the startup wrote them: rare ones first; a Vietnamese page prefers what is
        written with diacritics, an English page shows none of it."""
        f = self.f
        both = f.words[s_idx].multiply(f.thesis_words[i_idx]).tocoo()
        out: list[list[str]] = [[] for _ in range(len(s_idx))]
        keep = self._shown_terms()[both.col]
        rows, cols = both.row[keep], both.col[keep]
        if not len(rows):
            return out
        order = np.lexsort((-f.idf[cols], rows))
        rows, cols = rows[order], cols[order]
        first = np.searchsorted(rows, rows, side="left")
        near = (np.arange(len(rows)) - first) < 4 * n
        candidates: dict[int, list[int]] = {}
        for r, c in zip(rows[near].tolist(), cols[near].tolist(), strict=True):
            candidates.setdefault(r, []).append(c)
        terms = f.terms
        for r, cs in candidates.items():
            surface = self._surface(int(s_idx[r]))
            shown = []
            for rank, c in enumerate(cs):
                term = str(terms[c])
                written = surface.get(term)
                if written is None or not surface.displayable(term):
                    continue
                vietnamese = has_diacritics(written)
                if vietnamese and not self.vi:
                    continue  # an English page quotes no Vietnamese
                shown.append((vietnamese != self.vi, rank, term, written))
            seen: list[set[str]] = []
            translated: set[str] = set()
            for _, _, term, written in sorted(shown):
                words = set(term.split())
                if any(words & x for x in seen):
                    continue  # one of a phrase and its own words is enough
                if words <= translated:
                    continue  # "khách hàng" is shown; its English "customers" says it again
                out[r].append(written)
                seen.append(words)
                translated.update(GLOSSARY.get(term, "").split())
                if len(out[r]) >= n:
                    break
        return out

    # ---------------------------------------------------------------- sentences
    def explain(self, s_idx: np.ndarray, i_idx: np.ndarray, limit: int) -> list[list[str]]:
        """Reasons of each pair, the strongest first, at most ``limit`` each."""
        f, w = self.f, self.w
        values = f.pair_values(f.full, i_idx, s_idx)
        contrib = w.coef * (values - w.reference)
        groups = np.stack([contrib[:, [_FEATURE[x] for x in names]].sum(axis=1)
                           for _, names in _GROUPS], axis=1)
        closest = self._closest_items(s_idx, i_idx)
        terms = self._shared_terms(s_idx, i_idx)
        out = []
        for n in range(len(s_idx)):
            s_n, i_n = int(s_idx[n]), int(i_idx[n])
            reasons: list[str] = []
            stage_text = ticket_text = None
            for g in np.argsort(-groups[n], kind="stable").tolist():
                if len(reasons) >= limit:
                    break
                if not self.weighted[g]:
                    continue
                name = _GROUPS[g][0]
                if name == "portfolio":
                    text = self._portfolio(closest[n])
                elif name == "thesis":
                    text = self._thesis(terms[n])
                elif name == "place":
                    text = self._place(s_n, i_n, values[n])
                elif name == "sector":
                    text = self._sector(s_n, i_n, values[n])
                elif name == "stage":
                    text = stage_text = self._stage_reason(s_n, i_n, values[n])
                else:
                    text = ticket_text = self._ticket(s_n, i_n, values[n])
                if text is None:
                    continue
                if (stage_text and ticket_text and text in (stage_text, ticket_text)
                        and self._inside_ticket(s_n, i_n)):
                    # One sentence for both: "seed stage, within 50k–500k USD".
                    other = ticket_text if text == stage_text else stage_text
                    if other in reasons:
                        reasons[reasons.index(other)] = self._stage_and_ticket(s_n, i_n)
                        continue
                reasons.append(text)
            out.append(reasons[:limit])
        return out

    def _portfolio(self, entity: int | None) -> str | None:
        if entity is None:
            return None
        quote = _quote(self.f.entity_text(entity))
        return f"đã đầu tư “{quote}”" if self.vi else f"backed “{quote}”"

    def _thesis(self, terms: list[str]) -> str | None:
        if not terms:
            return None
        joined = ", ".join(terms)
        return (f"luận điểm đầu tư nhắc đến {joined}" if self.vi
                else f"its thesis speaks of {joined}")

    def _count(self, k: int, n: int) -> str:
        return f"như {k}/{n} khoản đầu tư trước" if self.vi else (
            f"like {k} of its {n} past investments")

    def _place(self, s_n: int, i_n: int, values: np.ndarray) -> str | None:
        location = self.f.startups[s_n].location
        if not location:
            return None
        stated = set(self._row(self.f.stated_places, i_n).tolist())
        places = self.s_places[s_n]
        if values[_FEATURE["place"]] > 0 and any(c in stated for _, c in places):
            return (f"đặt tại {location}, nơi nhà đầu tư quan tâm" if self.vi
                    else f"based in {location}, where it invests")
        best = None
        for part, col in places:
            if col is None:
                continue
            k = self._count_of("place", i_n, col)
            weight = k * self.f.place_weight[col]
            if k and (best is None or weight > best[0]):
                best = (weight, part, k)
        if best is None:
            return None
        _, part, k = best
        count = self._count(k, int(self.n_past[i_n]))
        return f"đặt tại {part}, {count}" if self.vi else f"based in {part}, {count}"

    def _sector(self, s_n: int, i_n: int, values: np.ndarray) -> str | None:
        stated = set(self._row(self.f.stated_sectors, i_n).tolist())
        sectors = self.s_sectors[s_n]
        if values[_FEATURE["sector"]] > 0:
            for sector, col in sectors:
                if col is not None and col in stated:
                    label = self._label(sector)
                    return f"cùng lĩnh vực {label}" if self.vi else f"both in {label}"
        best = None
        for sector, col in sectors:
            if col is None:
                continue
            k = self._count_of("sector", i_n, col)
            if k and (best is None or k > best[1]):
                best = (sector, k)
        if best is None:
            return None
        sector, k = best
        label, count = self._label(sector), self._count(k, int(self.n_past[i_n]))
        return f"lĩnh vực {label}, {count}" if self.vi else f"in {label}, {count}"

    def _stage_reason(self, s_n: int, i_n: int, values: np.ndarray) -> str | None:
        f = self.f
        stage = f.startups[s_n].stage
        if stage is None:
            return None
        k = STAGES.index(stage)
        if f.stated_stages[i_n, k] > 0:
            return (f"giai đoạn {self._stage(stage)}, đúng giai đoạn nhà đầu tư rót vốn"
                    if self.vi else f"{self._stage(stage)} stage, which it backs")
        hits, n = int(self.stage_counts[i_n, k]), int(self.n_past[i_n])
        if hits and k < N_STAGES:
            return (f"giai đoạn {self._stage(stage)}, {self._count(hits, n)}" if self.vi
                    else f"{self._stage(stage)} stage, {self._count(hits, n)}")
        return None

    def _range(self, i_n: int) -> str | None:
        if i_n not in self._ranges:
            self._ranges[i_n] = self._written_range(i_n)
        return self._ranges[i_n]

    def _written_range(self, i_n: int) -> str | None:
        inv = self.f.investors[i_n]
        lo, hi = inv.ticket_min_usd, inv.ticket_max_usd
        if lo is not None and hi is not None:
            return f"{money(lo)}–{money(hi)} USD"
        if lo is not None:
            return f"≥ {money(lo)} USD"
        if hi is not None:
            return f"≤ {money(hi)} USD"
        return None

    def _ticket(self, s_n: int, i_n: int, values: np.ndarray) -> str | None:
        raising = self.f.startups[s_n].raising_usd
        if raising is None:
            return None
        span = self._range(i_n)
        fit = values[_FEATURE["ticket"]]
        if span and fit >= 0.999:
            return (f"gọi vốn {money(raising)} USD, trong khoảng đầu tư {span}" if self.vi
                    else f"raising {money(raising)} USD, within {span}")
        if span and fit >= 0.5:
            return (f"gọi vốn {money(raising)} USD, gần khoảng đầu tư {span}" if self.vi
                    else f"raising {money(raising)} USD, close to its {span} tickets")
        if self.f.size_of[s_n] < N_BINS and values[_FEATURE["size_history"]] > 0:
            return (f"gọi vốn {money(raising)} USD, tương tự các vòng đã rót" if self.vi
                    else f"raising {money(raising)} USD, like its past rounds")
        return None

    def _inside_ticket(self, s_n: int, i_n: int) -> bool:
        st = self.f.startups[s_n]
        return (self._range(i_n) is not None and st.raising_usd is not None
                and self.f.full.ticket[i_n, self.f.size_of[s_n]] >= 0.999)

    def _stage_and_ticket(self, s_n: int, i_n: int) -> str:
        """"seed stage, within 50k–500k USD" (the raise is inside the stated range)."""
        stage = self._stage(self.f.startups[s_n].stage or "")
        span = self._range(i_n)
        if self.vi:
            return f"giai đoạn {stage}, trong khoảng đầu tư {span}"
        return f"{stage} stage, within {span}"
