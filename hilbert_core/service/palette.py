"""One colour per class, everywhere: a fixed qualitative palette, assigned to a task's classes in sorted
order, so "bipolar" has the same colour on Data, Interview, Embeddings (by label and by prediction) and
Diagnostics. The palette is Okabe and Ito's (2008): distinct hues, safe for colour-blind readers, and no
light/dark pairs that would suggest groups of classes that do not exist."""

from __future__ import annotations

from collections.abc import Iterable

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermilion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
OTHER = "#999999"  # classes beyond the palette, and unlabelled documents


def class_colours(classes: Iterable[object]) -> dict[str, str]:
    """Class name -> colour, fixed by the sorted class names of a task (not by their order on a page)."""
    names = sorted({str(c) for c in classes})
    return {name: OKABE_ITO[i] if i < len(OKABE_ITO) else OTHER for i, name in enumerate(names)}


def sequence(num: int) -> list[str]:
    """``num`` colours for things that are not classes (folds, loss terms), in palette order."""
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(num)]
