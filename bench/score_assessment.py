"""Benchmark: score an assessment of the three shipped questionnaires with 100 respondents.

Goal (issue 3): 20 ms or less. The machine is shared and noisy, so the same run also times a
baseline, a bare pass over the same answers that only averages each item, and reports both
with the ratio between them.

    .venv/bin/python bench/score_assessment.py [--respondents 100] [--repeat 50]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.instrument.loader import load_directory
from app.instrument.results import Response
from app.instrument.scoring import score_assessment
from app.instrument.sharing import used_together

ASSESSMENTS = Path(__file__).resolve().parent.parent / "assessments"
GROUPS = ("executive", "manager", "staff")


def make_responses(definitions, count: int, seed: int = 2026) -> list[Response]:
    """Realistic answers: each respondent leans positive or negative, a few N/A and gaps."""
    rng = random.Random(seed)
    responses = []
    for number in range(count):
        lean = rng.uniform(-1.2, 1.2)
        answers = {}
        for definition in definitions:
            for dimension in definition.dimensions:
                for item in dimension.items:
                    roll = rng.random()
                    if roll < 0.03:
                        continue  # skipped
                    if roll < 0.08 and item.allow_na:
                        answers[(definition.id, item.id)] = None
                        continue
                    value = round(3 + lean + rng.gauss(0, 1))
                    answers[(definition.id, item.id)] = min(5, max(1, value))
        responses.append(Response(f"r{number}", GROUPS[number % 3], answers))
    return responses


def baseline(definitions, responses) -> dict:
    """The least any scoring must do: visit every answer once and average per item."""
    means = {}
    for definition in definitions:
        for dimension in definition.dimensions:
            for item in dimension.items:
                key = (definition.id, item.id)
                values = [r.answers[key] for r in responses if r.answers.get(key) is not None]
                means[key] = math.fsum(values) / len(values) if values else None
    return means


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def describe(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    median = statistics.median(ordered)
    return f"median {median:7.2f} ms   min {ordered[0]:7.2f} ms   p95 {p95:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    # As an assessment uses them: a question two of them share is asked once.
    definitions = used_together([loaded.definition for loaded in load_directory(ASSESSMENTS)])
    responses = make_responses(definitions, args.respondents)
    answers = sum(len(r.answers) for r in responses)
    items = sum(len(d.items) for q in definitions for d in q.dimensions)
    print(
        f"{len(definitions)} questionnaires, {items} items, {args.respondents} respondents, "
        f"{answers} answers; {args.repeat} runs each"
    )
    score_assessment(definitions, responses)  # warm up
    # Interleave the two so both see the same machine load.
    base, full = [], []
    for _ in range(args.repeat):
        base += timed(lambda: baseline(definitions, responses), 1)
        full += timed(lambda: score_assessment(definitions, responses), 1)
    print(f"baseline (average each item):  {describe(base)}")
    print(f"score_assessment:              {describe(full)}")
    ratio = statistics.median(full) / statistics.median(base)
    print(f"ratio (median score / median baseline): {ratio:.1f}x")
    print("goal: score_assessment median at or under 20 ms")


if __name__ == "__main__":
    main()
