"""The ranking's weights, learned from the outcomes a festival has.

Two kinds of outcome teach which features matter:

* **Each investor's own portfolio.** One past company is held out, the investor's profile
  is rebuilt from the others (``Features.profiles(rows, held_out)``), and the held-out
  company is a pair that happened. Other investors' past companies and random startups
  are pairs that did not. Every investor with two or more past companies gives one such
  lesson, so a first edition already has hundreds.
* **Earlier meetings** (from the second edition on): a request accepted, a meeting held,
  a "follow up" rating are pairs that worked; a decline or "not useful" one that did not.
  They weigh ``OUTCOME_WEIGHT`` times a portfolio lesson: they are about the festival's
  own meetings, not a proxy.

A logistic regression on standardised features learns one weight per feature. Weights
stay non-negative (a feature that would need a negative weight is left out and the
model refitted), so that every reason reads "this fits". With few lessons the learned
weights are pulled towards ``DEFAULT_WEIGHTS`` (``PRIOR_LESSONS`` lessons' worth); with
none at all the defaults are used as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression

from .features import FEATURES, Features

__all__ = ["DEFAULT_WEIGHTS", "Outcome", "Weights", "learn_weights"]

#: Weight of each feature, in standard deviations of the feature, when nothing is
#: learned: text and stated preferences first, the history shares beside them.
DEFAULT_WEIGHTS: dict[str, float] = {
    "thesis": 0.3, "portfolio": 0.3, "portfolio_chars": 0.1, "place": 0.2,
    "place_history": 0.2, "sector": 0.2, "sector_history": 0.2, "stage": 0.3,
    "stage_history": 0.1, "ticket": 0.3, "size_history": 0.1,
}
PRIOR_LESSONS = 150.0
OUTCOME_WEIGHT = 3.0
NEGATIVES = 30
#: past companies held out per investor, each one lesson (the profile built without it)
HELD_OUT_PER_INVESTOR = 1
#: at most this many investors give a portfolio lesson (a random choice of them)
MAX_PORTFOLIO_LESSONS = 1000
#: share of the negatives that are other investors' past companies (the rest: startups)
OTHER_COMPANIES = 0.5


@dataclass(frozen=True)
class Outcome:
    """An earlier meeting's outcome: ``good`` when it was accepted, held or followed up."""

    startup: int   # entity index of the startup
    investor: int  # investor index
    good: bool


@dataclass(frozen=True)
class Weights:
    """Per-feature weights on the features' own scale, and what they came from."""

    coef: np.ndarray       # one per FEATURES entry, >= 0
    intercept: float       # logit of a pair whose features are all zero
    reference: np.ndarray  # mean feature vector of random pairs
    scale: np.ndarray      # standard deviation of each feature over random pairs
    lessons: int           # how many positive lessons the weights were learned from
    source: str            # "learned", "learned+defaults" or "defaults"

    def as_dict(self) -> dict[str, float]:
        """The weights by feature name."""
        return dict(zip(FEATURES, (float(w) for w in self.coef), strict=True))

    def standardised(self) -> dict[str, float]:
        """The weights in standard deviations of each feature (comparable to each other)."""
        return dict(zip(FEATURES, (float(w) for w in self.coef * self.scale), strict=True))


def _lessons(features: Features, outcomes: Iterable[Outcome], rng: np.random.Generator,
             negatives: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature vectors, labels and sample weights of every lesson."""
    n_s = features.n_startups
    profile_rows: list[tuple[int, int]] = []  # (investor, held-out entity or -1)
    pairs: list[tuple[int, int, float, float]] = []  # (profile row, entity, label, weight)
    own_items = [list(range(n_s + features.item_start[j], n_s + features.item_start[j + 1]))
                 + features.extra_items.get(j, []) for j in range(len(features.investors))]
    all_items = np.arange(n_s, features.n_entities)
    teachers = [j for j, own in enumerate(own_items) if len(own) >= 2]
    if len(teachers) > MAX_PORTFOLIO_LESSONS:  # plenty to learn eleven weights from
        teachers = sorted(rng.choice(teachers, size=MAX_PORTFOLIO_LESSONS, replace=False))
    for j in teachers:
        own = own_items[j]
        chosen = rng.choice(len(own), size=min(HELD_OUT_PER_INVESTOR, len(own)), replace=False)
        for held in (int(own[c]) for c in chosen):
            row = len(profile_rows)
            profile_rows.append((j, held))
            pairs.append((row, held, 1.0, 1.0))
            half = int(round(negatives * OTHER_COMPANIES)) if len(all_items) > len(own) else 0
            others = rng.choice(all_items, size=min(half * 2, len(all_items)), replace=False) \
                if half else np.empty(0, dtype=np.int64)
            others = [int(e) for e in others if features.item_owner[e - n_s] != j][:half]
            startups = rng.integers(0, n_s, negatives - len(others)) if n_s else []
            pairs += [(row, e, 0.0, 1.0) for e in [*others, *(int(s) for s in startups)]]
    full_row: dict[int, int] = {}
    for outcome in outcomes:
        j, e = outcome.investor, outcome.startup
        if e in features.extra_items.get(j, []):
            row = len(profile_rows)
            profile_rows.append((j, e))
        else:
            if j not in full_row:
                full_row[j] = len(profile_rows)
                profile_rows.append((j, -1))
            row = full_row[j]
        pairs.append((row, e, 1.0 if outcome.good else 0.0, OUTCOME_WEIGHT))
    if not pairs:
        return (np.zeros((0, len(FEATURES)), dtype=np.float32), np.zeros(0), np.zeros(0))
    rows = np.array([r for r, _ in profile_rows], dtype=np.int64)
    held = np.array([h for _, h in profile_rows], dtype=np.int64)
    inv = features.profiles(rows, held)
    p_row = np.array([p[0] for p in pairs], dtype=np.int64)
    p_ent = np.array([p[1] for p in pairs], dtype=np.int64)
    X = features.pair_values(inv, p_row, p_ent)
    y = np.array([p[2] for p in pairs])
    w = np.array([p[3] for p in pairs])
    return X, y, w


def _fit_intercept(z: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """The intercept that best separates pairs that happened, with both classes weighing
    the same (a score of 0.5 is "as likely a real pair as not")."""
    pos, neg = w * (y > 0.5), w * (y <= 0.5)
    if pos.sum() == 0 or neg.sum() == 0:
        return 0.0
    balance = pos / pos.sum() + neg / neg.sum()

    def loss(b: float) -> float:
        t = z + b
        return float(np.sum(balance * (np.logaddexp(0.0, t) - y * t)))

    return float(minimize_scalar(loss, bounds=(-50.0, 50.0), method="bounded").x)


def _random_pairs(features: Features, rng: np.random.Generator, n: int = 4000
                  ) -> np.ndarray:
    """Feature vectors of random (investor, startup) pairs: the features' scale and the
    reference a reason is measured against ("more than for a random pair")."""
    n_s, n_i = features.n_startups, len(features.investors)
    if not n_s or not n_i:
        return np.zeros((1, len(FEATURES)), dtype=np.float32)
    rows = rng.integers(0, n_i, n)
    entities = rng.integers(0, n_s, n)
    return features.pair_values(features.full, rows, entities)


def learn_weights(features: Features, outcomes: Iterable[Outcome] = (), *,
                  random_state: int | None = 0, negatives: int = NEGATIVES,
                  C: float = 1.0) -> Weights:
    """Learn the weights from the portfolios and earlier outcomes (see the module)."""
    rng = np.random.default_rng(random_state)
    R = _random_pairs(features, rng)
    reference = R.mean(axis=0)
    scale = R.std(axis=0)
    # A feature that does not vary over these profiles (or too few pairs to tell) keeps
    # its default weight on its own scale.
    scale = np.where(scale > 1e-6, scale, 1.0)
    usable = np.ones(len(FEATURES), dtype=bool)
    default = np.array([DEFAULT_WEIGHTS[f] for f in FEATURES])
    X, y, w = _lessons(features, list(outcomes), rng, negatives)
    good = y > 0.5
    lessons = int(round(float((good * w).sum())))
    learned = np.zeros(len(FEATURES))
    if lessons and (~good).any():
        Z = (X - reference) / scale
        active = np.flatnonzero(usable)
        while len(active):
            model = LogisticRegression(C=C, max_iter=500, tol=1e-3, class_weight="balanced")
            model.fit(Z[:, active], good, sample_weight=w)
            coef = model.coef_[0]
            if (coef >= 0).all():
                learned[active] = coef
                break
            active = active[coef > 0]
    blend = lessons / (lessons + PRIOR_LESSONS)
    coef = (blend * learned + (1.0 - blend) * default) / scale
    if lessons and (~good).any():
        intercept = _fit_intercept(X @ coef, y, w)
        source = "learned" if blend > 0.9 else "learned+defaults"
    else:
        # A random pair one unit of logit below even odds.
        intercept = -float(coef @ reference) - 1.0
        source = "defaults"
    return Weights(coef=coef, intercept=intercept, reference=reference, scale=scale,
                   lessons=lessons, source=source)
