"""What makes a startup fit an investor, as numbers: the pair features of the ranking.

Two kinds of rows are described the same way, *entities*: the startups, and the
investors' past investments (one per portfolio line). A startup states its sectors,
stage, raise and place; a portfolio line is only text, so the same fields are read from
it: the places and sectors that the profiles name anywhere (a gazetteer made from their
own location and sector fields), a stage word ("seed", "vòng A"), an amount ("$1.5M",
"200k USD") and a year. Because both kinds look alike, what is learned from portfolio
lines (which of an investor's companies resemble the rest of its portfolio) applies to
startups.

An investor is described from its portfolio (word and character centroids; the shares
of its past deals per place, sector, stage and round size) and from what it states
(thesis, places, sectors, stages, ticket range). Every feature is *bilinear*:
``value(e, i) = E[e] · Y[i]`` for an entity matrix ``E`` and an investor matrix ``Y``,
so one sparse product gives a feature, or a weighted sum of features, for every pair of
a block. Unknown values are neutral: an entity whose stage is unknown gets, from each
investor, that investor's average over the entities whose stage is known, and an
investor that states nothing gives every entity the average of those that do.

``Features.profiles(rows, held_out)`` builds investor rows from a part of the portfolio
only (one past company held out), which is how ``learning`` makes training pairs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from .parallel import fork_map
from .profiles import STAGES, Investor, Startup
from .text import VECTOR_STOP_WORDS, expand_folded, fold, fold_label

__all__ = ["FEATURES", "Features", "InvestorRows", "amount_in", "stage_in"]

#: The features, in the order of every feature vector.
FEATURES: tuple[str, ...] = (
    "thesis",         # word cosine: startup text vs the investor's thesis
    "portfolio",      # word cosine: startup text vs the centroid of its past investments
    "portfolio_chars",  # character 3-5-gram cosine, the same (spelling, compounds)
    "place",          # the startup's place among the investor's stated places
    "place_history",  # share of the investor's past deals in the startup's place
    "sector",         # the startup's sectors among the investor's stated sectors
    "sector_history",  # share of its past deals in the startup's sectors (rare ones weigh more)
    "stage",          # graded: stated stage 1, a neighbouring stage 0.5, else 0
    "stage_history",  # share of its past deals at the startup's stage
    "ticket",         # graded: raise inside the stated ticket range 1, decaying outside
    "size_history",   # how close the raise is to the sizes of its past rounds
)

N_STAGES = len(STAGES)
_LOG_LOW, _LOG_HIGH, _BIN = 3.0, 10.0, 0.25  # round sizes: 1k..10B USD, quarter decades
N_BINS = int(round((_LOG_HIGH - _LOG_LOW) / _BIN)) + 1
_BIN_CENTRES = _LOG_LOW + _BIN * np.arange(N_BINS)
_SIZE_SPREAD = 0.35  # log10 width of one past round's pull on nearby sizes
_TICKET_DECAY = 0.3  # log10 distance outside the ticket range that costs 63 % of the fit
_ANYWHERE = {"vietnam", "viet nam", "global", "worldwide", "any", "anywhere", "asean", "asia",
             "southeast asia", "sea", "toan quoc", "ca nuoc", "toan cau", "quoc te"}
_WORDS = r"\b\w+\b"  # every word, one letter included (the default drops them)
_SPACED = r"\S+"  # what char_wb calls a word: anything between white space
_FORK_FROM = 8_000  # profiles from which the text is vectorised in a second process
_KEEP_TERMS = 64  # terms kept per portfolio centroid (sparser products, same ranking)

_STAGE_WORDS = re.compile(
    r"\b(?P<pre_seed>pre ?seed|tien hat giong|angel|thien than)\b"
    r"|\b(?P<seed>seed|hat giong)\b"
    r"|\b(?P<series_a>series a|vong a)\b"
    r"|\b(?P<series_b>series b|vong b)\b"
    r"|\b(?P<series_c>series c|vong c)\b"
    r"|\b(?P<growth>growth|series [d-h]|private equity|tang truong|pre ipo)\b"
    r"|\b(?P<idea>idea|y tuong)\b")
_AMOUNT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(k|m|mn|b|bn|thousand|million|billion|nghìn|ngàn|triệu|tỷ|tỉ)"
    r"(?![^\W\d_])", re.IGNORECASE)
_AMOUNT_UNIT = {"k": 1e3, "thousand": 1e3, "nghìn": 1e3, "ngàn": 1e3, "m": 1e6, "mn": 1e6,
                "million": 1e6, "triệu": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9, "tỷ": 1e9,
                "tỉ": 1e9}
_VND = re.compile(r"vnd|vnđ|đồng|\bđ\b|₫", re.IGNORECASE)
_VND_PER_USD = 25_000.0  # order of magnitude only: the size feature is in quarter decades


def stage_in(text: str, *, folded: bool = False) -> str | None:
    """The first investment stage a text names ("joined its seed round", "vòng A")."""
    match = _STAGE_WORDS.search(text if folded else fold(text))
    if match is None:
        return None
    return str(match.lastgroup).replace("_", "-")


def amount_in(text: str) -> float | None:
    """The first amount of money a text names, in USD ("$1.5M", "200k", "5 tỷ đồng")."""
    match = _AMOUNT.search(text)
    if match is None:
        return None
    value = float(match.group(1).replace(",", ".")) * _AMOUNT_UNIT[match.group(2).lower()]
    if _VND.search(text[match.end(): match.end() + 12]):
        value /= _VND_PER_USD
    return value if value > 0 else None


def _size_bin(value: float | None) -> int:
    if value is None or value <= 0:
        return N_BINS  # the "unknown" column
    return min(max(round((math.log10(value) - _LOG_LOW) / _BIN), 0), N_BINS - 1)


def _place_parts(location: str) -> list[str]:
    """Folded parts of a place, broad to narrow kept alike: "Cleveland, OH, USA"."""
    return [p for p in (fold_label(x) for x in location.split(",")) if p]


class _Gazetteer:
    """Finds known phrases (places, sector names) in folded text, longest first."""

    def __init__(self, phrases: set[str]) -> None:
        self.index = {p: n for n, p in enumerate(sorted(phrases))}
        #: first word of a phrase -> the lengths (in words) of phrases starting with it
        self.starts: dict[str, list[int]] = {}
        for p in phrases:
            words = p.split()
            self.starts.setdefault(words[0], []).append(len(words))
        for lengths in self.starts.values():
            lengths.sort(reverse=True)

    def find(self, folded: str) -> set[int]:
        """Indices of the phrases found in a folded text."""
        words = folded.split()
        found: set[int] = set()
        n, end = 0, len(words)
        starts, index = self.starts, self.index
        while n < end:
            lengths = starts.get(words[n])
            step = 1
            if lengths is not None:
                for size in lengths:
                    if n + size <= end:
                        k = index.get(" ".join(words[n: n + size]))
                        if k is not None:
                            found.add(k)
                            step = size
                            break
            n += step
        return found


def _binary(rows: Sequence[set[int] | list[int]], width: int) -> sp.csr_matrix:
    indptr = np.cumsum([0, *(len(r) for r in rows)])
    indices = np.fromiter((c for r in rows for c in sorted(r)), dtype=np.int32,
                          count=int(indptr[-1]))
    return sp.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                         shape=(len(rows), width))


def _normalize(X: sp.spmatrix) -> sp.csr_matrix:
    X = sp.csr_matrix(X, dtype=np.float32)
    if X.shape[0] == 0 or X.shape[1] == 0:
        return X
    return normalize(X, copy=False)


def _prune(X: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Keep each row's ``keep`` largest weights and re-normalise."""
    X = X.tocsr()
    lengths = np.diff(X.indptr)
    if lengths.max(initial=0) <= keep:
        return X
    data = X.data.copy()
    for r in np.flatnonzero(lengths > keep):
        a, b = X.indptr[r], X.indptr[r + 1]
        row = data[a:b]
        cut = np.partition(row, len(row) - keep)[len(row) - keep]
        row[row < cut] = 0.0
    out = sp.csr_matrix((data, X.indices, X.indptr), shape=X.shape)
    out.eliminate_zeros()
    return _normalize(out)


def char_tfidf(docs: Sequence[str], ngram_range: tuple[int, int], min_df: int,
               max_df: float) -> sp.csr_matrix:
    """TF-IDF of the ``char_wb`` n-grams of folded documents, built from their words.

    ``char_wb`` cuts every word on its own, so a document's n-gram counts are its word
    counts times each word's n-gram counts: one sparse product over the few thousand
    distinct words, instead of cutting every profile into strings and counting them in
    Python (the same matrix as ``TfidfVectorizer(analyzer="char_wb", sublinear_tf=True,
    min_df=..., max_df=...)``).
    """
    words = CountVectorizer(token_pattern=_SPACED, lowercase=False)
    try:
        D = words.fit_transform(docs)
    except ValueError:  # no word at all
        return sp.csr_matrix((len(docs), 0), dtype=np.float32)
    grams = CountVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False)
    counts = sp.csr_matrix(D @ grams.fit_transform(words.get_feature_names_out()))
    counts.sum_duplicates()
    # Document frequencies straight from the row-major matrix (no column-major copy).
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = (df >= min_df) & (df <= max_df * len(docs))
    if not keep.any():
        return sp.csr_matrix((len(docs), 0), dtype=np.float32)
    column = np.cumsum(keep) - 1
    kept = keep[counts.indices]
    row_of = np.repeat(np.arange(len(docs)), np.diff(counts.indptr))
    indptr = np.r_[0, np.cumsum(np.bincount(row_of[kept], minlength=len(docs)))]
    data = (1.0 + np.log(counts.data[kept])).astype(np.float64)
    idf = np.log((1.0 + len(docs)) / (1.0 + df[keep])) + 1.0
    indices = column[counts.indices[kept]]
    tfidf = sp.csr_matrix((data * idf[indices], indices, indptr),
                          shape=(len(docs), int(keep.sum())))
    return _normalize(tfidf)


@dataclass
class InvestorRows:
    """Investor matrices of every feature, for some investors (the ``Y`` of each block)."""

    rows: np.ndarray          # which investor each row describes
    thesis: sp.csr_matrix     # words
    portfolio: sp.csr_matrix  # words
    portfolio_chars: sp.csr_matrix
    place: sp.csr_matrix      # places + [known, unknown] columns
    place_history: sp.csr_matrix
    sector: sp.csr_matrix     # sectors + [known, unknown]
    sector_history: sp.csr_matrix
    stage: np.ndarray         # dense, stages + [unknown]
    stage_history: np.ndarray
    ticket: np.ndarray        # dense, size bins + [unknown]
    size_history: np.ndarray

    def block(self, name: str) -> sp.csr_matrix | np.ndarray:
        """The investor matrix of one feature."""
        return getattr(self, name)  # type: ignore[no-any-return]


class Features:
    """Entity and investor matrices of every feature, for one set of profiles."""

    #: which entity matrix each feature multiplies
    ENTITY_OF = {"thesis": "words", "portfolio": "words", "portfolio_chars": "chars",
                 "place": "places", "place_history": "places", "sector": "sectors",
                 "sector_history": "sectors", "stage": "stage", "stage_history": "stage",
                 "ticket": "size", "size_history": "size"}

    def __init__(self, startups: Sequence[Startup], investors: Sequence[Investor],
                 *, chars: bool = True,
                 extra_items: dict[int, list[int]] | None = None) -> None:
        self.startups, self.investors = list(startups), list(investors)
        n_s, n_i = len(self.startups), len(self.investors)
        self.items = [(j, text) for j, inv in enumerate(self.investors) for text in inv.portfolio]
        self.n_startups, self.n_items = n_s, len(self.items)
        self.n_entities = n_s + self.n_items
        self.item_owner = np.array([j for j, _ in self.items], dtype=np.int64)
        self.item_folded = [fold(text) for _, text in self.items]
        self.item_start = np.cumsum([0, *(len(i.portfolio) for i in self.investors)]).astype(
            np.int64)
        # Text in a second process while the fields are read here, for large profiles.
        jobs: list[Callable[[], Any]] = [self._fields, lambda: self._text(chars)]
        workers = 2 if self.n_entities + n_i >= _FORK_FROM else 1
        _, (W, C, self.terms, self.idf) = fork_map(lambda job: job(), jobs, workers)
        self.words, self.thesis_words = W[: self.n_entities], W[self.n_entities:]
        self.chars, self.thesis_chars = C[: self.n_entities], C[self.n_entities:]
        #: investor index -> startups (entity indices) that count as its past companies
        #: (earlier meetings that went well)
        self.extra_items = dict(extra_items or {})
        self.full = self.profiles(np.arange(n_i))

    # ----------------------------------------------------------------- entities
    def entity_text(self, e: int) -> str:
        """The text an entity is read from (a startup's profile, or a portfolio line)."""
        if e < self.n_startups:
            s = self.startups[e]
            return " ".join((s.name, s.description, *s.sectors, s.location or ""))
        return self.items[e - self.n_startups][1]

    def _text(self, use_chars: bool) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray,
                                               np.ndarray]:
        """Word TF-IDF (and character n-grams) of entities and theses: (words of every
        entity and thesis, their characters, the vocabulary, its idf)."""
        e_docs = [expand_folded(fold(self.entity_text(e))) for e in range(self.n_startups)]
        e_docs += [expand_folded(folded) for folded in self.item_folded]
        t_docs = [expand_folded(fold(i.thesis)) for i in self.investors]
        corpus = e_docs + t_docs
        padded = corpus if any(d.strip() for d in corpus) else [*corpus, "empty"]
        min_df = 2 if len(corpus) > 50 else 1
        vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32, token_pattern=_WORDS,
            stop_words=sorted(VECTOR_STOP_WORDS), min_df=min_df)
        try:
            W = vectorizer.fit_transform(padded)[: len(corpus)].tocsr()
        except ValueError:  # nothing survives the stop words
            vectorizer = TfidfVectorizer(token_pattern=_WORDS, dtype=np.float32)
            W = vectorizer.fit_transform([*corpus, "empty"])[: len(corpus)].tocsr()
        if use_chars:
            C = char_tfidf(padded, (3, 5), min_df=min_df, max_df=0.3)[: len(corpus)].tocsr()
        else:
            C = sp.csr_matrix((len(corpus), 0), dtype=np.float32)
        return W, C, vectorizer.get_feature_names_out(), vectorizer.idf_.astype(np.float32)

    def _fields(self) -> None:
        """Places, sectors, stages and round sizes of every entity and investor."""
        self._places()
        self._sectors()
        self._stages_and_sizes()

    def _bag(self, binary: sp.csr_matrix, weights: np.ndarray) -> sp.csr_matrix:
        """Rows of an indicator matrix weighted by rarity, unit length, plus the
        [known, unknown] columns that make unknown values neutral."""
        bag = _normalize(binary @ sp.diags(weights.astype(np.float32)))
        known = (np.diff(binary.indptr) > 0).astype(np.float32)
        return sp.hstack([bag, sp.csr_matrix(np.c_[known, 1.0 - known])], format="csr",
                         dtype=np.float32)

    def _rarity(self, binary: sp.csr_matrix) -> np.ndarray:
        df = np.asarray(binary.sum(axis=0)).ravel()
        return (np.log((1.0 + binary.shape[0]) / (1.0 + df)) + 1.0).astype(np.float32)

    def _places(self) -> None:
        phrases = {p for s in self.startups if s.location for p in _place_parts(s.location)}
        phrases |= {p for i in self.investors for loc in i.locations for p in _place_parts(loc)}
        phrases -= _ANYWHERE
        self.place_names = _Gazetteer(phrases)
        idx = self.place_names.index
        rows = [{idx[p] for p in _place_parts(s.location) if p in idx} if s.location else set()
                for s in self.startups]
        rows += [self.place_names.find(folded) for folded in self.item_folded]
        self.place_binary = _binary(rows, len(idx))
        self.place_weight = self._rarity(self.place_binary)
        self.places = self._bag(self.place_binary, self.place_weight)
        self.stated_places = _binary(
            [{idx[p] for loc in i.locations for p in _place_parts(loc) if p in idx}
             for i in self.investors], len(idx))
        self.anywhere = np.array([any(fold_label(loc) in _ANYWHERE for loc in i.locations)
                                  for i in self.investors], dtype=bool)

    def _sectors(self) -> None:
        labels = {fold_label(x) for s in self.startups for x in s.sectors}
        labels |= {fold_label(x) for i in self.investors for x in i.sectors}
        labels.discard("")
        self.sector_names = _Gazetteer(labels)
        idx = self.sector_names.index
        rows = [{n for n in (idx.get(fold_label(x)) for x in s.sectors) if n is not None}
                for s in self.startups]
        rows += [self.sector_names.find(folded) for folded in self.item_folded]
        self.sector_binary = _binary(rows, len(idx))
        self.sector_weight = self._rarity(self.sector_binary)
        self.sectors = self._bag(self.sector_binary, self.sector_weight)
        self.stated_sectors = _binary(
            [{n for n in (idx.get(fold_label(x)) for x in i.sectors) if n is not None}
             for i in self.investors],
            len(idx))

    def _stages_and_sizes(self) -> None:
        pos = {st: k for k, st in enumerate(STAGES)}
        stage = [pos.get(s.stage or "", N_STAGES) for s in self.startups]
        stage += [pos.get(stage_in(folded, folded=True) or "", N_STAGES)
                  for folded in self.item_folded]
        self.stage_of = np.array(stage, dtype=np.int64)
        self.stage = np.eye(N_STAGES + 1, dtype=np.float32)[self.stage_of]
        size = [_size_bin(s.raising_usd) for s in self.startups]
        size += [_size_bin(amount_in(text)) for _, text in self.items]
        self.size_of = np.array(size, dtype=np.int64)
        self.size = np.eye(N_BINS + 1, dtype=np.float32)[self.size_of]
        stated = np.zeros((len(self.investors), N_STAGES), dtype=np.float32)
        for j, inv in enumerate(self.investors):
            for st in inv.stages:
                stated[j, pos[st]] = 1.0
        self.stated_stages = stated
        lows = [i.ticket_min_usd for i in self.investors]
        highs = [i.ticket_max_usd for i in self.investors]
        self.ticket_low = np.array([np.nan if v is None else v for v in lows], dtype=np.float64)
        self.ticket_high = np.array([np.nan if v is None else v for v in highs],
                                    dtype=np.float64)
        # How often each stage and size occurs among startups: "neutral" is their average.
        known = self.stage_of[: self.n_startups] < N_STAGES
        counts = np.bincount(self.stage_of[: self.n_startups][known], minlength=N_STAGES)
        self.stage_mix = (counts + 1.0) / (counts.sum() + N_STAGES)
        known = self.size_of[: self.n_startups] < N_BINS
        counts = np.bincount(self.size_of[: self.n_startups][known], minlength=N_BINS)
        self.size_mix = (counts + 0.1) / (counts.sum() + 0.1 * N_BINS)

    def entity(self, name: str) -> sp.csr_matrix | np.ndarray:
        """The entity matrix a feature multiplies ("words", "places", "stage", ...)."""
        return getattr(self, self.ENTITY_OF[name])  # type: ignore[no-any-return]

    # ---------------------------------------------------------------- investors
    def membership(self, rows: np.ndarray, held_out: np.ndarray | None = None
                   ) -> sp.csr_matrix:
        """Which entities count as past investments of each row's investor.

        A row's own portfolio lines, plus its extra past companies, minus the entity
        ``held_out[r]`` (-1 for none).
        """
        r_idx, c_idx = [], []
        for r, j in enumerate(rows.tolist()):
            own = list(range(self.n_startups + self.item_start[j],
                             self.n_startups + self.item_start[j + 1]))
            own += self.extra_items.get(j, [])
            drop = -1 if held_out is None else int(held_out[r])
            for e in own:
                if e != drop:
                    r_idx.append(r)
                    c_idx.append(e)
        return sp.csr_matrix(
            (np.ones(len(r_idx), dtype=np.float32), (r_idx, c_idx)),
            shape=(len(rows), self.n_entities))

    def profiles(self, rows: np.ndarray, held_out: np.ndarray | None = None) -> InvestorRows:
        """Investor matrices for ``rows`` (investor indices), each row's profile built
        without its ``held_out`` entity; stated values that only the held-out company
        supports are left out too (an investor's own summary of its deals would not
        have named them without it)."""
        rows = np.asarray(rows, dtype=np.int64)
        M = self.membership(rows, held_out)
        n = np.asarray(M.sum(axis=1)).ravel()
        share = sp.diags((1.0 / np.maximum(n, 1.0)).astype(np.float32))
        has_history = n > 0
        masked = held_out is not None
        held = np.asarray(held_out if masked else np.full(len(rows), -1), dtype=np.int64)
        has_held = held >= 0

        def only_in_held(entity_binary: sp.csr_matrix) -> sp.csr_matrix:
            """Per row, the columns that the held-out entity has and no other past one."""
            if not masked or not has_held.any():
                return sp.csr_matrix((len(rows), entity_binary.shape[1]), dtype=np.float32)
            H = entity_binary[np.where(has_held, held, 0)]
            H = sp.diags(has_held.astype(np.float32)) @ H
            H.data[:] = 1.0
            others = (M @ entity_binary).tocsr()
            others.data[:] = 1.0
            return (H - H.multiply(others)).tocsr()

        # Text.
        thesis = self.thesis_words[rows]
        if masked:
            words_binary = self.words.copy()
            words_binary.data[:] = 1.0
            only = only_in_held(words_binary)
            thesis = _normalize(thesis - thesis.multiply(only))
        portfolio = _prune(_normalize(M @ self.words), _KEEP_TERMS)
        chars = _normalize(M @ self.chars) if self.chars.shape[1] \
            else sp.csr_matrix((len(rows), 0), dtype=np.float32)
        chars = _prune(chars, _KEEP_TERMS) if chars.shape[1] else chars

        # Places and sectors: stated, and the shares of past deals.
        def stated_bag(stated: sp.csr_matrix, entity_binary: sp.csr_matrix, bag: sp.csr_matrix,
                       neutral_rows: np.ndarray) -> sp.csr_matrix:
            S = stated[rows].tocsr()
            if masked:
                S = (S - S.multiply(only_in_held(entity_binary))).tocsr()
                S.eliminate_zeros()
            return self._with_unknown(S, bag, neutral_rows | (np.diff(S.indptr) == 0))

        def history_bag(entity_binary: sp.csr_matrix, bag: sp.csr_matrix) -> sp.csr_matrix:
            H = (share @ (M @ entity_binary)).tocsr()
            return self._with_unknown(H, bag, ~has_history)

        place = stated_bag(self.stated_places, self.place_binary, self.places,
                           self.anywhere[rows])
        place_history = history_bag(self.place_binary, self.places)
        sector = stated_bag(self.stated_sectors, self.sector_binary, self.sectors,
                            np.zeros(len(rows), dtype=bool))
        sector_history = history_bag(self.sector_binary, self.sectors)

        # Stages.
        stated = self.stated_stages[rows].copy()
        if masked and has_held.any():
            held_stage = self.stage_of[np.where(has_held, held, 0)]
            others = (M @ self.stage).astype(np.float32)
            for r in np.flatnonzero(has_held & (held_stage < N_STAGES)):
                k = held_stage[r]
                if stated[r, k] and others[r, k] == 0:
                    stated[r, k] = 0.0
        stage = self._graded_stages(stated)
        counts = (M @ self.stage)[:, :N_STAGES]
        counts = np.asarray(counts, dtype=np.float32)
        stage_history = (counts + self.stage_mix) / (counts.sum(axis=1, keepdims=True) + 1.0)
        stage_history = np.c_[stage_history, stage_history @ self.stage_mix].astype(np.float32)

        # Round sizes: the stated ticket range, and the sizes of past rounds.
        ticket = self._ticket_fit(self.ticket_low[rows], self.ticket_high[rows])
        sizes = np.asarray((M @ self.size)[:, :N_BINS], dtype=np.float32)
        kernel = np.exp(-0.5 * ((_BIN_CENTRES[:, None] - _BIN_CENTRES[None, :])
                                / _SIZE_SPREAD) ** 2).astype(np.float32)
        known_sizes = sizes.sum(axis=1, keepdims=True)
        density = (sizes @ kernel) / np.maximum(known_sizes, 1.0)
        neutral = density @ self.size_mix
        no_sizes = known_sizes.ravel() == 0
        size_history = np.c_[density, neutral].astype(np.float32)
        size_history[no_sizes] = 0.0  # filled with the average below

        out = InvestorRows(rows, thesis, portfolio, chars, place, place_history, sector,
                           sector_history, stage, stage_history, ticket, size_history)
        self._fill_neutral(out, "size_history", no_sizes)
        self._fill_neutral(out, "stage_history", ~has_history)
        return out

    def _with_unknown(self, Y: sp.csr_matrix, bag: sp.csr_matrix, neutral_rows: np.ndarray
                      ) -> sp.csr_matrix:
        """Append the [known, unknown] columns: an entity of unknown value gets the row's
        average over known startups; a row with nothing to compare (``neutral_rows``)
        gives every entity the average of the rows that have something."""
        width = Y.shape[1]
        startups = bag[: self.n_startups]
        known = np.asarray(startups[:, width].todense()).ravel() > 0
        if known.any():
            mean_known = np.asarray(startups[known][:, :width].mean(axis=0)).ravel()
        else:
            mean_known = np.zeros(width, dtype=np.float32)
        per_row = np.asarray(Y @ mean_known).ravel()
        active = ~neutral_rows
        overall = float(per_row[active].mean()) if active.any() else 0.0
        known_col = np.where(active, 0.0, overall)
        unknown_col = np.where(active, per_row, overall)
        Y = sp.diags(active.astype(np.float32)) @ Y
        return sp.hstack([Y, sp.csr_matrix(np.c_[known_col, unknown_col].astype(np.float32))],
                         format="csr", dtype=np.float32)

    def _fill_neutral(self, out: InvestorRows, name: str, empty: np.ndarray) -> None:
        block = out.block(name)
        assert isinstance(block, np.ndarray)
        if empty.any() and (~empty).any():
            mix = self.stage_mix if name.startswith("stage") else self.size_mix
            average = float((block[~empty, :-1] @ mix).mean())
            block[empty] = average
        elif empty.all():
            block[:] = 0.5

    def _graded_stages(self, stated: np.ndarray) -> np.ndarray:
        """Stated stage 1, a stage next to one 0.5, others 0; unknown: the row's average."""
        n = stated.shape[0]
        fit = stated.copy()
        near = np.zeros_like(stated)
        near[:, 1:] = np.maximum(near[:, 1:], stated[:, :-1])
        near[:, :-1] = np.maximum(near[:, :-1], stated[:, 1:])
        fit = np.maximum(fit, 0.5 * near)
        states = stated.sum(axis=1) > 0
        out = np.zeros((n, N_STAGES + 1), dtype=np.float32)
        out[:, :N_STAGES] = fit
        out[:, N_STAGES] = fit @ self.stage_mix
        if states.any():
            out[~states] = float(out[states, N_STAGES].mean())
        else:
            out[:] = 0.5
        return out

    def _ticket_fit(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Raise inside [low, high] 1, then exp(-distance / decay) in decades outside."""
        n = len(low)
        lo = np.where(np.isnan(low), -np.inf, np.log10(np.maximum(low, 1.0)))
        hi = np.where(np.isnan(high), np.inf, np.log10(np.maximum(high, 1.0)))
        c = _BIN_CENTRES[None, :]
        dist = np.maximum(lo[:, None] - c, 0.0) + np.maximum(c - hi[:, None], 0.0)
        fit = np.exp(-dist / _TICKET_DECAY)
        states = ~(np.isnan(low) & np.isnan(high))
        out = np.zeros((n, N_BINS + 1), dtype=np.float32)
        out[:, :N_BINS] = fit
        out[:, N_BINS] = fit @ self.size_mix
        if states.any():
            out[~states] = float(out[states, N_BINS].mean())
        else:
            out[:] = 0.5
        return out

    # ------------------------------------------------------------------- values
    def pair_values(self, inv: InvestorRows, rows: np.ndarray, entities: np.ndarray
                    ) -> np.ndarray:
        """Feature vectors of pairs (investor row ``rows[k]`` of ``inv``, ``entities[k]``)."""
        out = np.zeros((len(rows), len(FEATURES)), dtype=np.float32)
        gathered: dict[str, sp.csr_matrix] = {}
        for f, name in enumerate(FEATURES):
            Y, kind = inv.block(name), self.ENTITY_OF[name]
            if isinstance(Y, np.ndarray):
                out[:, f] = Y[rows, self.index_of(name, entities)]
            elif Y.shape[1]:
                if kind not in gathered:
                    gathered[kind] = self.entity(name)[entities]
                out[:, f] = np.asarray(Y[rows].multiply(gathered[kind]).sum(axis=1)).ravel()
        return out

    def index_of(self, name: str, entities: np.ndarray) -> np.ndarray:
        """The one-hot column of each entity in a dense feature (stage or size)."""
        return (self.stage_of if self.ENTITY_OF[name] == "stage" else self.size_of)[entities]
