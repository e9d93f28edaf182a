"""Benchmarks that print figures (not tests): run one with python -m bench.<name>."""
