"""Progress bars of long calls: tqdm's own choice of a terminal or a notebook bar.

A bar appears only after ``DELAY`` seconds (short calls show none) and only where tqdm
finds somewhere to draw it (a terminal or a notebook; not a redirected stream). Points
of a sweep run silenced: the sweep's own bar counts them.
"""

import contextlib

import numpy as np

DELAY = 2.0
"""Seconds before a bar appears."""

_silenced = [False]


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass


@contextlib.contextmanager
def bar(
    total: int | None,
    unit: str,
    desc: str,
    enabled: bool = True,
    *,
    initial: int = 0,
    delay: float = DELAY,
):
    """A tqdm bar to ``update``, or one that draws nothing when disabled or
    silenced."""
    if not isinstance(enabled, bool | np.bool_):
        raise TypeError(f"progress must be True or False, got {enabled!r}")
    if not enabled or _silenced[0]:
        yield _NoBar()
        return
    from tqdm.auto import tqdm

    with tqdm(
        total=total, initial=initial, unit=unit, desc=desc, delay=delay, disable=None
    ) as shown:
        yield shown


@contextlib.contextmanager
def silenced():
    """No bars inside the block (a sweep's points)."""
    before = _silenced[0]
    _silenced[0] = True
    try:
        yield
    finally:
        _silenced[0] = before
