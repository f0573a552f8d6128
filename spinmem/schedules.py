r"""Annealing schedules: non-increasing sequences of temperatures ``T_k > 0``.

A schedule is a plain 1-D float64 array of temperatures (coupling units, :math:`\beta =
1/T`), one per annealing step (``docs/physics.md`` section 3). The constructors below
build the common ones; :func:`check` validates any user-given array.
"""

import numpy as np

from . import _checks

__all__ = ["check", "geometric", "linear_beta", "linear_temperature"]


_T_MIN = _checks.T_MIN  # below it beta = 1/T is not a float


def _ends(t_start, t_end, steps):
    t_start = _checks.temperature("t_start", t_start)
    t_end = _checks.temperature("t_end", t_end)
    steps = _checks.integer("steps", steps, minimum=1)
    if t_end > t_start:
        raise ValueError(
            "an annealing schedule cools: t_end must be <= t_start, got "
            f"t_start={t_start}, t_end={t_end}"
        )
    return t_start, t_end, steps


def geometric(t_start: float, t_end: float, steps: int) -> np.ndarray:
    r"""Geometric cooling: :math:`T_k = T_\mathrm{start} (T_\mathrm{end} /
    T_\mathrm{start})^{(k-1)/(K-1)}`, k = 1..K.

    Parameters
    ----------
    t_start, t_end : float
        First and last temperature, ``t_start >= t_end > 0``, in coupling units.
    steps : int
        Number of temperatures K >= 1 (one: ``[t_end]``).

    Returns
    -------
    numpy.ndarray
        K float64 temperatures from ``t_start`` to ``t_end`` exactly, never increasing.
    """
    t_start, t_end, steps = _ends(t_start, t_end, steps)
    if steps == 1:
        return np.array([t_end])
    # in logarithms, so that ratios like 1e308 / 1e-308 cannot overflow
    temps = np.exp(np.linspace(np.log(t_start), np.log(t_end), steps))
    temps[[0, -1]] = t_start, t_end
    return np.minimum.accumulate(temps)


def linear_temperature(t_start: float, t_end: float, steps: int) -> np.ndarray:
    """Temperatures equally spaced from ``t_start`` to ``t_end``.

    Parameters
    ----------
    t_start, t_end : float
        First and last temperature, ``t_start >= t_end > 0``, in coupling units.
    steps : int
        Number of temperatures K >= 1 (one: ``[t_end]``).

    Returns
    -------
    numpy.ndarray
        K float64 temperatures from ``t_start`` to ``t_end`` exactly, never increasing.
    """
    t_start, t_end, steps = _ends(t_start, t_end, steps)
    if steps == 1:
        return np.array([t_end])
    return np.linspace(t_start, t_end, steps)


def linear_beta(t_start: float, t_end: float, steps: int) -> np.ndarray:
    """Inverse temperatures equally spaced from ``1/t_start`` to ``1/t_end``.

    Parameters
    ----------
    t_start, t_end : float
        First and last temperature, ``t_start >= t_end > 0``, in coupling units.
    steps : int
        Number of temperatures K >= 1 (one: ``[t_end]``).

    Returns
    -------
    numpy.ndarray
        K float64 temperatures from ``t_start`` to ``t_end`` exactly, never increasing.
    """
    t_start, t_end, steps = _ends(t_start, t_end, steps)
    if steps == 1:
        return np.array([t_end])
    temps = 1.0 / np.linspace(1.0 / t_start, 1.0 / t_end, steps)
    temps[[0, -1]] = t_start, t_end
    return np.minimum.accumulate(temps)


def check(schedule, name: str = "schedule") -> np.ndarray:
    """A validated copy of a user-given schedule.

    It must be a non-empty 1-D array of finite temperatures > 0 that never increase.

    Parameters
    ----------
    schedule : array_like
        Temperatures, in coupling units.
    name : str
        The argument's name in error messages.

    Returns
    -------
    numpy.ndarray
        float64 copy.

    Raises
    ------
    TypeError
        Not numeric.
    ValueError
        Empty, not 1-D, non-finite, non-positive or increasing somewhere.
    """
    try:
        temps = np.array(schedule, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of temperatures: {exc}") from None
    if temps.ndim != 1 or temps.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {temps.shape}")
    if not np.all(np.isfinite(temps)):
        raise ValueError(f"{name} temperatures must be finite")
    if np.any(temps < _T_MIN):
        k = int(np.flatnonzero(temps < _T_MIN)[0])
        raise ValueError(
            f"{name} temperatures must be > 0, got {temps[k]} at step {k} (the "
            f"smallest is {_T_MIN:.3g}, where 1/T is still finite); "
            "finish with spinmem.relax for a zero-temperature quench"
        )
    rises = np.flatnonzero(np.diff(temps) > 0)
    if rises.size:
        k = int(rises[0])
        raise ValueError(
            f"{name} must be non-increasing, but rises from {temps[k]} to {temps[k + 1]} "
            f"at step {k + 1}"
        )
    return temps
