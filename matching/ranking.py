"""Explainable startup-investor ranking, with weights learned from outcomes.

The score of a (startup, investor) pair is a logistic model over the pair features of
``matching.features`` (text likeness to the thesis and to the portfolio; stated and past
places, sectors, stages and round sizes), weighted by ``matching.learning`` from the
outcomes the data holds: each investor's own portfolio, and earlier meetings.

Two things are not learned, on purpose:

* **Strict preferences only exclude.** A stated stage or ticket range that a startup
  breaks lowers its score like any other feature; the pair is excluded only when the
  investor marked the field strict (``Investor.strict``). Real deals break stated ranges
  often (ranges drawn from past rounds are soft).
* **Startups that resemble everyone are not everyone's best match.** A startup whose
  text and fields fit all investors about equally (a long, generic profile) would top
  every list. The score is lowered by ``hubness`` times how much the average investor
  likes the startup (and, symmetrically, by how much the average startup likes the
  investor), the correction that cross-domain similarity search uses against "hubs".

Every feature is bilinear, so the scores of a block of investors against all startups
are one sparse product of stacked matrices plus a small dense one; no Python loop runs
over pairs except to write the reasons of the matches kept.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from .features import FEATURES, N_STAGES, Features
from .learning import Outcome, Weights, learn_weights
from .parallel import fork_map
from .profiles import Investor, Startup
from .reasons import Reasons

__all__ = ["Match", "Matcher", "top_pairs"]

_BLOCK = 512
_DENSE_LIMIT = 32_000_000  # floats of a densified block (128 MB) before products stay sparse
_HUB_PRIOR = 10.0  # investors (or startups) whose average counts as much as a full one
_PAIRS_PER_PROCESS = 4_000_000  # fewer pairs: a second process costs more than it saves
#: entity matrices in the order they are stacked; the dense ones come last
_SPARSE_KINDS = ("words", "chars", "places", "sectors")
_DENSE_KINDS = ("stage", "size")


@dataclass(frozen=True)
class Match:
    """One ranked pair with its score in [0, 1] and short human reasons."""

    startup: Hashable
    investor: Hashable
    score: float
    reasons: tuple[str, ...]


def _top_columns(z: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values of each row (in no order).

    A few rows at a time: each pass's threshold, mask and indices stay small, where one
    argpartition of the whole block would spend its time faulting in a fresh index array
    of the block's size.
    """
    n = z.shape[1]
    out = np.empty((z.shape[0], k), dtype=np.int64)
    for a in range(0, z.shape[0], 32):
        part = z[a: a + 32]
        threshold = np.partition(part, n - k, axis=1)[:, n - k]
        for r, row in enumerate(part):
            found = np.flatnonzero(row >= threshold[r])
            if len(found) > k:  # ties at the threshold: keep the first ones
                found = found[np.argsort(-row[found], kind="stable")[:k]]
            out[a + r] = found
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class Matcher(BaseEstimator):  # type: ignore[misc]
    """Rank investors for startups and startups for investors, with reasons.

    Parameters follow scikit-learn conventions: they are only stored here; ``fit``
    builds the features, learns the weights and returns ``self``.

    ``labels`` maps a sector (as the profiles spell it) or a stage code to the words the
    reasons should show, e.g. the sector names of the page's language.
    """

    def __init__(
        self,
        random_state: int | None = 0,
        lang: str = "en",
        hubness: float = 1.0,
        negatives: int = 30,
        chars: bool = False,
        C: float = 1.0,
        max_reasons: int = 4,
        labels: Mapping[str, str] | None = None,
        n_jobs: int = 2,
    ) -> None:
        self.random_state = random_state
        self.lang = lang
        self.hubness = hubness
        self.negatives = negatives
        self.chars = chars
        self.C = C
        self.max_reasons = max_reasons
        self.labels = labels
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        startups: Iterable[Startup | Mapping[str, Any]],
        investors: Iterable[Investor | Mapping[str, Any]],
        *,
        exclude_pairs: Iterable[tuple[Hashable, Hashable]] = (),
        feedback: Mapping[tuple[Hashable, Hashable], float] | None = None,
    ) -> Matcher:
        """Build the features, learn the weights and the matrices of the scores.

        ``exclude_pairs`` are (startup id, investor id) pairs never to propose (they met
        in an earlier edition). ``feedback`` maps (startup id, investor id) to an earlier
        meeting's outcome in [-1, 1]: above 0 it went well (accepted, held, "follow up"),
        and the startup then also counts as one of the investor's past companies; below
        0 it did not (declined, "not useful"). Both are lessons for the weights.
        """
        if self.lang not in ("en", "vi"):
            raise ValueError("lang must be 'en' or 'vi'")
        self.startups_ = [s if isinstance(s, Startup) else Startup.from_dict(s) for s in startups]
        self.investors_ = [
            i if isinstance(i, Investor) else Investor.from_dict(i) for i in investors
        ]
        self.startup_index_ = {s.id: n for n, s in enumerate(self.startups_)}
        self.investor_index_ = {i.id: n for n, i in enumerate(self.investors_)}
        if len(self.startup_index_) != len(self.startups_):
            raise ValueError("startup ids must be unique")
        if len(self.investor_index_) != len(self.investors_):
            raise ValueError("investor ids must be unique")

        outcomes, extra = [], {}
        for (sid, iid), rating in (feedback or {}).items():
            s_n, i_n = self.startup_index_.get(sid), self.investor_index_.get(iid)
            if s_n is None or i_n is None or rating == 0:
                continue
            outcomes.append(Outcome(startup=s_n, investor=i_n, good=rating > 0))
            if rating > 0:
                extra.setdefault(i_n, []).append(s_n)
        self.features_ = Features(self.startups_, self.investors_, chars=self.chars,
                                  extra_items=extra)
        self.weights_: Weights = learn_weights(
            self.features_, outcomes, random_state=self.random_state,
            negatives=self.negatives, C=self.C)
        self._stack()
        self._exclusions(exclude_pairs)
        self.reasons_ = Reasons(self.features_, self.weights_, lang=self.lang,
                                labels=self.labels or {})
        return self

    def in_language(self, lang: str, labels: Mapping[str, str] | None = None) -> Matcher:
        """The same fitted matcher, writing its reasons in ``lang`` (with ``labels``)."""
        if lang not in ("en", "vi"):
            raise ValueError("lang must be 'en' or 'vi'")
        other = copy.copy(self)
        other.lang, other.labels = lang, labels
        other.reasons_ = Reasons(self.features_, self.weights_, lang=lang, labels=labels or {})
        return other

    def _stack(self) -> None:
        """One startup matrix and one weighted investor matrix for all features."""
        f, w = self.features_, self.weights_.as_dict()
        inv = f.full
        n_s = f.n_startups
        sparse_a, sparse_b, dense_a, dense_b = [], [], [], []
        for kind in (*_SPARSE_KINDS, *_DENSE_KINDS):
            names = [name for name in FEATURES if f.ENTITY_OF[name] == kind]
            A = getattr(f, kind)[:n_s]
            B = None
            for name in names:
                part = inv.block(name) * w[name]
                B = part if B is None else B + part
            if kind in _SPARSE_KINDS:
                if A.shape[1]:
                    sparse_a.append(sp.csr_matrix(A))
                    sparse_b.append(sp.csr_matrix(B))
            else:
                dense_a.append(np.asarray(A, dtype=np.float32))
                dense_b.append(np.asarray(B, dtype=np.float32))
        self.A_sp_ = sp.hstack(sparse_a, format="csr", dtype=np.float32)
        self.B_sp_ = sp.hstack(sparse_b, format="csr", dtype=np.float32)
        self.A_sp_T_ = self.A_sp_.T.tocsr()
        self.B_sp_T_ = self.B_sp_.T.tocsr()
        self.A_de_ = np.ascontiguousarray(np.hstack(dense_a), dtype=np.float32)
        self.B_de_ = np.ascontiguousarray(np.hstack(dense_b), dtype=np.float32)
        # How much the average investor likes each startup, and the reverse.
        mean_b = np.asarray(self.B_sp_.mean(axis=0)).ravel()
        mean_a = np.asarray(self.A_sp_.mean(axis=0)).ravel()
        self.startup_prior_ = (np.asarray(self.A_sp_ @ mean_b).ravel()
                               + self.A_de_ @ self.B_de_.mean(axis=0)).astype(np.float32)
        self.investor_prior_ = (np.asarray(self.B_sp_ @ mean_a).ravel()
                                + self.B_de_ @ self.A_de_.mean(axis=0)).astype(np.float32)
        # The average of few investors says little (and is mostly the investor itself):
        # the correction grows with their number, reaching ``hubness`` for many.
        n_s, n_i = self.A_de_.shape[0], self.B_de_.shape[0]
        h_i = float(self.hubness) * (n_i - 1) / (n_i - 1 + _HUB_PRIOR)
        h_s = float(self.hubness) * (n_s - 1) / (n_s - 1 + _HUB_PRIOR)
        self.startup_shift_ = (-h_i * (self.startup_prior_ - self.startup_prior_.mean())
                               ).astype(np.float32)
        self.investor_shift_ = (-h_s * (self.investor_prior_ - self.investor_prior_.mean())
                                + self.weights_.intercept).astype(np.float32)

    def _exclusions(self, exclude_pairs: Iterable[tuple[Hashable, Hashable]]) -> None:
        f = self.features_
        n_s, n_i = f.n_startups, len(self.investors_)
        index_s, index_i = self.startup_index_, self.investor_index_
        excl = [(index_s[a], index_i[b]) for a, b in exclude_pairs
                if a in index_s and b in index_i]
        self.excluded_ = sp.csr_matrix(
            (np.ones(len(excl), dtype=np.float32), ([x for x, _ in excl], [y for _, y in excl])),
            shape=(n_s, n_i))
        self.excluded_.sum_duplicates()
        # Strict stages: a stated stage list the startup's known stage is not in.
        banned = np.zeros((n_i, N_STAGES + 1), dtype=np.float32)
        for j, inv in enumerate(self.investors_):
            if "stages" in inv.strict and inv.stages:
                banned[j, :N_STAGES] = 1.0 - f.stated_stages[j]
        self.stage_banned_ = banned
        self.startup_stage_ = f.stage[:n_s]
        # Strict tickets: a known raise outside the stated range.
        strict_ticket = np.array(["ticket" in i.strict for i in self.investors_], dtype=bool)
        self.ticket_low_ = np.where(strict_ticket, np.nan_to_num(f.ticket_low, nan=-np.inf),
                                    -np.inf)
        self.ticket_high_ = np.where(strict_ticket, np.nan_to_num(f.ticket_high, nan=np.inf),
                                     np.inf)
        raising = [s.raising_usd for s in self.startups_]
        self.raising_ = np.array([np.nan if r is None else r for r in raising], dtype=np.float64)
        self.any_strict_ = bool(banned.any() or strict_ticket.any())

    # ---------------------------------------------------------------- scoring
    def _logits(self, s_rows: np.ndarray | None, i_rows: np.ndarray | None,
                by_investor: bool) -> np.ndarray:
        """Logits of a block (``None``: every startup, or every investor); rows are
        investors when ``by_investor``, else startups; excluded pairs are -inf."""
        everyone_s = slice(None) if s_rows is None else s_rows
        everyone_i = slice(None) if i_rows is None else i_rows
        if by_investor:
            if s_rows is None:
                z = self._against_all(self.B_sp_[everyone_i], self.A_sp_T_)
            else:
                z = (self.B_sp_[everyone_i] @ self.A_sp_[s_rows].T).toarray()
            z += self.B_de_[everyone_i] @ self.A_de_[everyone_s].T
            z += self.investor_shift_[everyone_i][:, None]
            z += self.startup_shift_[everyone_s][None, :]
        else:
            if i_rows is None:
                z = self._against_all(self.A_sp_[everyone_s], self.B_sp_T_)
            else:
                z = (self.A_sp_[everyone_s] @ self.B_sp_[i_rows].T).toarray()
            z += self.A_de_[everyone_s] @ self.B_de_[everyone_i].T
            z += self.startup_shift_[everyone_s][:, None]
            z += self.investor_shift_[everyone_i][None, :]
        if self.excluded_.nnz:
            ex = self.excluded_[everyone_s][:, everyone_i].tocoo()
            if by_investor:
                z[ex.col, ex.row] = -np.inf
            else:
                z[ex.row, ex.col] = -np.inf
        if self.any_strict_:
            conflict = self.startup_stage_[everyone_s] @ self.stage_banned_[everyone_i].T > 0
            r = self.raising_[everyone_s][:, None]
            with np.errstate(invalid="ignore"):
                conflict |= (r < self.ticket_low_[everyone_i][None, :]) | (
                    r > self.ticket_high_[everyone_i][None, :])
            z[conflict.T if by_investor else conflict] = -np.inf
        return z

    @staticmethod
    def _against_all(rows: sp.csr_matrix, others_t: sp.csr_matrix) -> np.ndarray:
        """``rows @ others_t`` as a dense array: the columns the rows use, densified,
        times the matching rows of the other side's transpose (a sparse-dense product,
        half the time of a sparse-sparse one whose result is dense anyway)."""
        cols = np.unique(rows.indices)
        if not len(cols) or len(cols) * rows.shape[0] > _DENSE_LIMIT:
            return np.asarray((rows @ others_t).toarray(), dtype=np.float32)
        dense = rows[:, cols].toarray()
        return np.ascontiguousarray((others_t[cols].T @ dense.T).T, dtype=np.float32)

    def score_matrix(self) -> np.ndarray:
        """Dense startups x investors scores in [0, 1] (-1 = excluded). For small problems."""
        z = self._logits(None, None, by_investor=False)
        return np.where(np.isfinite(z), _sigmoid(z), -1.0).astype(np.float32)

    def _top(self, by_investor: bool, top: int) -> dict[Hashable, list[Match]]:
        """The ``top`` matches of every investor (or startup), best first."""
        n_s, n_i = len(self.startups_), len(self.investors_)
        items = self.investors_ if by_investor else self.startups_
        n_items, n_other = (n_i, n_s) if by_investor else (n_s, n_i)
        out: dict[Hashable, list[Match]] = {item.id: [] for item in items}
        k = min(top, n_other)
        if k <= 0 or n_items == 0:
            return out
        # Large problems are split between processes (scores and reasons alike).
        parts = max(1, min(self.n_jobs, n_items * n_other // _PAIRS_PER_PROCESS))
        ranges = [(int(r[0]), int(r[-1]) + 1) for r in np.array_split(np.arange(n_items), parts)
                  if len(r)]
        for matches in fork_map(lambda span: self._top_of(by_investor, k, *span), ranges,
                                parts):
            for match in matches:
                out[match.investor if by_investor else match.startup].append(match)
        return out

    def _top_of(self, by_investor: bool, k: int, first: int, last: int) -> list[Match]:
        """The ``k`` best matches of the investors (or startups) ``first .. last - 1``."""
        n_other = len(self.startups_) if by_investor else len(self.investors_)
        # A few more candidates than asked for: a match that nothing explains is left out.
        cand = min(n_other, k + max(5, k // 2))
        pairs: list[tuple[int, int, float, int]] = []
        for start in range(first, last, _BLOCK):
            rows = np.arange(start, min(start + _BLOCK, last))
            z = (self._logits(None, rows, True) if by_investor
                 else self._logits(rows, None, False))
            if cand < n_other:
                idx = _top_columns(z, cand)
            else:
                idx = np.repeat(np.arange(n_other)[None, :], len(rows), axis=0)
            vals = np.take_along_axis(z, idx, axis=1)
            order = np.lexsort((idx, -vals), axis=1)
            idx = np.take_along_axis(idx, order, axis=1)
            vals = np.take_along_axis(vals, order, axis=1)
            for r, row in enumerate(rows.tolist()):
                ranked = zip(idx[r].tolist(), vals[r].tolist(), strict=True)
                for rank, (other, value) in enumerate(ranked):
                    if not np.isfinite(value):
                        break
                    s_n, i_n = (other, row) if by_investor else (row, other)
                    pairs.append((s_n, i_n, value, rank))
        # Explain the best k of each; the spare candidates only where one was left out.
        matches = self._matches([p[:3] for p in pairs if p[3] < k])
        kept: dict[Hashable, int] = {}
        for match in matches:
            key = match.investor if by_investor else match.startup
            kept[key] = kept.get(key, 0) + 1
        items = self.investors_ if by_investor else self.startups_
        short = {n for n in range(first, last) if kept.get(items[n].id, 0) < k}
        if short:
            matches += self._matches([p[:3] for p in pairs if p[3] >= k
                                      and (p[1] if by_investor else p[0]) in short])
        best: dict[Hashable, list[tuple[float, int, Match]]] = {}
        for n, match in enumerate(matches):
            key = match.investor if by_investor else match.startup
            best.setdefault(key, []).append((-match.score, n, match))
        return [m for found in best.values() for _, _, m in sorted(found)[:k]]

    def rank_for_investors(self, top: int = 10) -> dict[Hashable, list[Match]]:
        """For every investor, its ``top`` best startups, best first."""
        return self._top(True, top)

    def rank_for_startups(self, top: int = 10) -> dict[Hashable, list[Match]]:
        """For every startup, its ``top`` best investors, best first."""
        return self._top(False, top)

    def score_pair(self, startup_id: Hashable, investor_id: Hashable) -> Match | None:
        """The match of one pair, or None when it is excluded or an id is unknown."""
        s_n = self.startup_index_.get(startup_id)
        i_n = self.investor_index_.get(investor_id)
        if s_n is None or i_n is None:
            return None
        z = float(self._logits(np.array([s_n]), np.array([i_n]), by_investor=False)[0, 0])
        if not np.isfinite(z):
            return None
        matches = self._matches([(s_n, i_n, z)], keep_unexplained=True)
        return matches[0] if matches else None

    def contributions(self, startup_id: Hashable, investor_id: Hashable) -> dict[str, float]:
        """How much each feature adds to the pair's logit against a random pair."""
        s_n, i_n = self.startup_index_[startup_id], self.investor_index_[investor_id]
        values = self.features_.pair_values(self.features_.full, np.array([i_n]),
                                            np.array([s_n]))[0]
        delta = self.weights_.coef * (values - self.weights_.reference)
        return dict(zip(FEATURES, (float(x) for x in delta), strict=True))

    # ---------------------------------------------------------------- reasons
    def _matches(self, pairs: Sequence[tuple[int, int, float]], keep_unexplained: bool = False
                 ) -> list[Match]:
        """Matches with reasons; a match that nothing explains is left out."""
        if not pairs:
            return []
        s_idx = np.array([p[0] for p in pairs], dtype=np.int64)
        i_idx = np.array([p[1] for p in pairs], dtype=np.int64)
        logits = np.array([p[2] for p in pairs], dtype=np.float64)
        scores = _sigmoid(logits)
        texts = self.reasons_.explain(s_idx, i_idx, self.max_reasons)
        out = []
        for n, (s_n, i_n, _) in enumerate(pairs):
            if not texts[n] and not keep_unexplained:
                continue
            out.append(Match(
                startup=self.startups_[s_n].id,
                investor=self.investors_[i_n].id,
                score=round(float(scores[n]), 4),
                reasons=tuple(texts[n]),
            ))
        return out


def top_pairs(matches: Mapping[Hashable, Sequence[Match]]) -> list[Match]:
    """All matches of a ranking, flattened (handy for building an assignment problem)."""
    return [m for ms in matches.values() for m in ms]

