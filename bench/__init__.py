"""Benchmarks run on demand (``make bench`` = ``python -m bench``); figures go to
``docs/performance.md``. Each module has a ``main(argv)``."""
