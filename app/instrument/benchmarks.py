"""Where one organisation stands among others that use the same questionnaire version:
the pool's quartiles and the organisation's percentile (docs/scoring.md, "Benchmarks").

Plain values in, plain values out: which organisations consented and what they scored is
read elsewhere (app/benchmarks/pool.py).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.instrument.statistics import summarise

# A figure is shown only when at least this many other organisations give it: fewer would
# let an organisation read a handful of others' scores off the quartiles.
MIN_OTHERS = 5

INDEX = ""  # the key of the questionnaire index among a contribution's figures


class Scope(enum.StrEnum):
    """The pool a benchmark was drawn from, narrowest first."""

    SECTOR_AND_SIZE = "sector_and_size"
    SECTOR = "sector"
    ALL = "all"


@dataclass(frozen=True)
class Contribution:
    """One other organisation's figures on one questionnaire version: its index (key
    ``INDEX``) and dimension scores (by dimension id), None where it has none."""

    sector: str
    size: str
    figures: Mapping[str, float | None]


@dataclass(frozen=True)
class Quartiles:
    q1: float
    median: float
    q3: float


@dataclass(frozen=True)
class Standing:
    """One figure (the index or a dimension) against the pool. ``quartiles`` is None when
    fewer than MIN_OTHERS others have the figure; ``percentile`` also when the
    organisation itself has none."""

    others: int  # how many others have this figure
    quartiles: Quartiles | None
    percentile: float | None


@dataclass(frozen=True)
class Benchmark:
    scope: Scope | None  # None: no pool has MIN_OTHERS others with an index
    others: int  # the organisations in the chosen pool (else the widest pool's)
    standings: Mapping[str, Standing]  # by figure key; empty without a pool


def median(ordered: Sequence[float]) -> float:
    summary = summarise(ordered)
    if summary is None:
        raise ValueError("the median of nothing")
    return summary.median


def quartiles(values: Sequence[float]) -> Quartiles:
    """The median, and the medians of the lower and upper halves; with an odd count the
    middle value belongs to neither half (Tukey's hinges without it, the method of most
    textbooks): 0, 25, 50, 75, 100 give 12.5, 50, 87.5."""
    ordered = sorted(values)
    half = len(ordered) // 2
    return Quartiles(
        q1=median(ordered[:half]),
        median=median(ordered),
        q3=median(ordered[len(ordered) - half :]),
    )


def percentile(value: float, others: Sequence[float]) -> float:
    """The share of the others scoring below ``value``, ties counting half, in 0-100:
    above all five others is 100, level with the middle of five is 50."""
    below = sum(1 for other in others if other < value)
    level = sum(1 for other in others if other == value)
    return 100 * (below + level / 2) / len(others)


def _same_sector(sector: str) -> Callable[[Contribution], bool]:
    wanted = sector.strip().casefold()
    return lambda c: bool(wanted) and c.sector.strip().casefold() == wanted


def choose_pool(
    sector: str, size: str, others: Sequence[Contribution]
) -> tuple[Scope | None, list[Contribution]]:
    """The narrowest pool in which at least MIN_OTHERS others have an index: the same
    sector and size, else the same sector, else everyone on the version. An organisation
    without a sector is compared with everyone. (None, the widest pool) when none is
    large enough."""
    in_sector = _same_sector(sector)
    candidates = [
        (Scope.SECTOR_AND_SIZE, lambda c: in_sector(c) and c.size == size),
        (Scope.SECTOR, in_sector),
        (Scope.ALL, lambda _c: True),
    ]
    pool: list[Contribution] = []
    for scope, belongs in candidates:
        pool = [c for c in others if belongs(c)]
        if sum(1 for c in pool if c.figures.get(INDEX) is not None) >= MIN_OTHERS:
            return scope, pool
    return None, pool


def benchmark(
    own: Mapping[str, float | None], sector: str, size: str, others: Sequence[Contribution]
) -> Benchmark:
    """Each of ``own`` figures (the index and every dimension) against the chosen pool."""
    scope, pool = choose_pool(sector, size, others)
    if scope is None:
        return Benchmark(scope=None, others=len(pool), standings={})
    standings = {}
    for key, value in own.items():
        values = [c.figures[key] for c in pool if c.figures.get(key) is not None]
        enough = len(values) >= MIN_OTHERS
        standings[key] = Standing(
            others=len(values),
            quartiles=quartiles(values) if enough else None,
            percentile=percentile(value, values) if enough and value is not None else None,
        )
    return Benchmark(scope=scope, others=len(pool), standings=standings)
