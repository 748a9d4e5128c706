"""The ``hilbert`` command line: ``main(argv) -> exit status``.

One module per command group (``models``, ``data``, ``runs``, ``sweep``, ``bench``, ``demo``) plus
``common`` (what they share); only :mod:`hilbert_core.cli.entry`, the entry point, imports them.
"""

from __future__ import annotations

from .entry import main

__all__ = ["main"]
