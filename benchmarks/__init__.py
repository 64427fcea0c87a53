"""Benchmarks: scripts that print figures. Run ``python -m benchmarks.loaders --help``."""
