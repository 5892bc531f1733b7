"""Benchmarks across organisations (opt-in and anonymous) and a consultant's portfolio of
clients. The blueprint is ``app.benchmarks.routes.bp``; the statistics are the pure
``app.instrument.benchmarks``."""
