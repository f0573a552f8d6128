"""Progress bars of long calls: a widget in a notebook, text in a terminal.

A bar appears only after ``DELAY`` seconds (short calls show none) and only where there
is somewhere to draw it: a terminal, or a Jupyter notebook (a widget with ipywidgets,
the ``notebook`` extra; a text bar without it), not a redirected stream. Points of a
sweep run silenced: the sweep's own bar counts them.
"""

import contextlib
import importlib.util
import sys

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
    tqdm, disable = _kind()
    with tqdm(
        total=total, initial=initial, unit=unit, desc=desc, delay=delay, disable=disable
    ) as shown:
        yield shown


def _kind():
    """The tqdm class to draw with, and its ``disable``: in a notebook a widget when
    ipywidgets is installed, else a text bar (shown although the notebook's stream is
    not a terminal); elsewhere a text bar where the stream is a terminal."""
    if in_notebook():
        if _widgets():
            from tqdm.notebook import tqdm

            return tqdm, None
        from tqdm.std import tqdm

        return tqdm, False
    from tqdm.std import tqdm

    return tqdm, None


def _widgets() -> bool:
    try:
        return importlib.util.find_spec("ipywidgets") is not None
    except ValueError:  # in sys.modules as None: import blocked
        return False


def in_notebook() -> bool:
    """Whether this is a Jupyter kernel (IPython's ZMQ shell)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


@contextlib.contextmanager
def silenced():
    """No bars inside the block (a sweep's points)."""
    before = _silenced[0]
    _silenced[0] = True
    try:
        yield
    finally:
        _silenced[0] = before
