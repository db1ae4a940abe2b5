"""Benchmarks run on demand: ``python -m bench`` (all) or ``python -m bench.<name>``."""
