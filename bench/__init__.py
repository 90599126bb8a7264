"""Benchmarks (see bench/README.md); `make bench` runs them all, `make bench-smoke` proves they run."""
