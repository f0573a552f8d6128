"""Input validation shared by the public API.

Every check raises ``TypeError`` for a wrong type and ``ValueError`` for a wrong value,
with a message that names the argument, repeats the value and says what is allowed.
"""

import importlib
import math
import os
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np


def integer(
    name: str, value, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer (not bool) in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value}")
    return value


def flag(name: str, value) -> bool:
    """True or False (numpy booleans too); anything else is refused, not coerced."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def real(
    name: str,
    value,
    *,
    minimum: float | None = None,
    positive: bool = False,
    maximum: float | None = None,
) -> float:
    """A finite real number, optionally bounded (``positive`` means > 0)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def _smallest_invertible() -> float:
    t = 1.0 / float(np.finfo(np.float64).max)  # 1/t rounds to infinity here
    while math.isinf(1.0 / t):
        t = math.nextafter(t, 1.0)
    return t


T_MIN = _smallest_invertible()
"""The smallest temperature T > 0 accepted, about 5.56e-309 (a subnormal double): the
smallest T whose inverse 1/T is finite. Below it 1/T is infinite, and zero-cost moves
would be rejected."""


def temperature(name: str, value, *, zero: bool = False) -> float:
    """A temperature: a finite real >= ``T_MIN`` (1/T finite), or 0 when ``zero``."""
    t = real(name, value, minimum=0.0 if zero else None)
    if t == 0.0 and zero:
        return t
    if t <= 0 and not zero:
        raise ValueError(f"{name} must be > 0, got {t}")
    if t < T_MIN:
        allowed = f"0 or >= {T_MIN:.3g}" if zero else f">= {T_MIN:.3g}"
        raise ValueError(
            f"{name} must be {allowed} (1/T must be a finite number), got {t!r}"
        )
    return t


def choice(name: str, value, allowed: Sequence[str]) -> str:
    """One of the strings in ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def spins(name: str, value, *, n: int | None = None, ndim: tuple[int, ...] = (1, 2)):
    """An int8 copy of a +-1 array of 1 or 2 dimensions whose last axis has length n."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of +-1 values: {exc}") from None
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
    ):
        raise TypeError(
            f"{name} must be a numeric array of +-1 values, got dtype {arr.dtype}"
        )
    if arr.ndim not in ndim:
        allowed = " or ".join(map(str, ndim)) if len(ndim) <= 2 else f"at least {ndim[0]}"
        raise ValueError(f"{name} must have {allowed} dimensions, got shape {arr.shape}")
    if n is not None and arr.shape[-1] != n:
        raise ValueError(
            f"{name} must have length {n} along its last axis, got shape {arr.shape}"
        )
    flat = arr.reshape(-1)
    for k in range(0, flat.size, 2**22):  # no full-size temporaries
        part = flat[k : k + 2**22]
        if not np.all((part == 1) | (part == -1)):
            bad = part[(part != 1) & (part != -1)][0]
            raise ValueError(f"{name} must contain only -1 and +1, found {bad!r}")
    return np.ascontiguousarray(arr, dtype=np.int8)


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux ``MemAvailable``, else the
    free physical pages); None when the platform does not say."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def memory(what: str, nbytes: int, detail: str) -> None:
    """Refuse, before allocating, a computation that needs more memory than is free.

    ``detail`` says where the bytes go (sizes and shapes), for the error message.
    """
    free = available_memory()
    if free is not None and nbytes > free:
        raise MemoryError(
            f"{what} needs about {size(nbytes)} ({detail}), but only {size(free)} of "
            "memory is available; reduce the sizes named"
        )


def fits(nbytes: int) -> bool:
    """Whether ``nbytes`` more would fit in free memory (True when unknown)."""
    free = available_memory()
    return free is None or nbytes <= free


def size(nbytes: float) -> str:
    """A byte count in words, e.g. ``"1.3 GiB"``."""
    units = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
    k = 0
    while nbytes >= 1024 and k < len(units) - 1:
        nbytes /= 1024
        k += 1
    return f"{nbytes:.3g} {units[k]}"


def real_input(name: str, value, what: str) -> np.ndarray:
    """``value`` as an array (no copy) of a real dtype; complex, object or text input
    is refused."""
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be {what}: {exc}") from None
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be {what}, got dtype {raw.dtype}")
    return raw


def real_array(name: str, value, what: str) -> np.ndarray:
    """A float64 copy of a real array; complex, object or text input is refused."""
    return np.array(real_input(name, value, what), dtype=np.float64)


def fields(value, n: int) -> np.ndarray:
    theta = real_array("fields", value, "a real array of length N")
    if theta.shape != (n,):
        raise ValueError(f"fields must have shape ({n},), got {theta.shape}")
    if not np.all(np.isfinite(theta)):
        raise ValueError("fields must be finite; found NaN or infinity")
    return theta


def patterns(value, n: int | None = None) -> np.ndarray:
    xi = spins("patterns", value, n=n, ndim=(1, 2))
    if xi.ndim == 1:
        xi = xi[None, :]
    if xi.shape[0] < 1:
        raise ValueError(f"patterns must hold p >= 1 patterns, got shape {xi.shape}")
    if xi.shape[1] < 2:
        raise ValueError(f"patterns must have N >= 2 spins, got shape {xi.shape}")
    return xi


def stored_patterns(model, what: str) -> np.ndarray:
    """The (p, N) patterns of ``model``; an error naming ``what`` when it has none."""
    if model.patterns is None:
        raise ValueError(f"{what} needs stored patterns; this model was built without any")
    return model.patterns


def optional(module: str, what: str, extra: str):
    """The optional dependency ``module``, or an ImportError naming the extra that
    installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f"{what} needs {module}: pip install 'spinmem[{extra}]'"
        ) from None
