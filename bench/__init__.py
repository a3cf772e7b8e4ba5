"""Benchmarks: `python -m bench.complaint` (see bench/README.md)."""
