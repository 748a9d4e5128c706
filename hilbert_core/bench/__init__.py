"""Benchmarks that write JSON (``hilbert bench cv|extract|sweep|interview``): speed is measured here,
never in timed tests.
"""
