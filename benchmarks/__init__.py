"""Benchmarks for helpline: routing quality against two FAQ-bot baselines, speed, size, growth.

Run `python -m benchmarks` (or `--quick`); see benchmarks/README.md.
"""
