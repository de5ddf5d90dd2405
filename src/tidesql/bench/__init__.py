"""Benchmarks and workloads: scripts that print figures; never part of the test suite."""
