"""The package version (one place; the package and the checkpoints it writes read it here)."""

__version__ = "0.1.0"
