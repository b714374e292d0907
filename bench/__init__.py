"""Benchmarks: each times a workload and its baseline or peer side by side in one run."""
