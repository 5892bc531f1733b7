"""Descriptive statistics that do not depend on the order of their input.

Sums use ``math.fsum`` (exactly rounded), so the same answers give the same figures to
the last bit whatever order the respondents come in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    median: float
    sd: float  # population standard deviation (divides by n)
    min: float
    max: float


def summarise(values: Iterable[float]) -> Summary | None:
    ordered = sorted(values)
    if not ordered:
        return None
    n = len(ordered)
    mean = math.fsum(ordered) / n
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    sd = math.sqrt(math.fsum((value - mean) ** 2 for value in ordered) / n)
    return Summary(n=n, mean=mean, median=median, sd=sd, min=ordered[0], max=ordered[-1])
