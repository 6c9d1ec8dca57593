"""Benchmarks (`make bench`): each bench_<component>.py has run(quick) -> list of figures."""
