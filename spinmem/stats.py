r"""Monte Carlo statistics of recorded time series, ``docs/physics.md`` section 10.

Successive records of a Markov chain are correlated. For a series with integrated
autocorrelation time :math:`\tau` (in records), the variance of its time average over n
records is :math:`\sigma^2 \tau / n`: the run holds :math:`n / \tau` effective samples. The
estimators here take a variable along ``time`` with independent chains along ``chain``
(both optional beyond ``time``), and report the time average, its standard error from
:math:`\tau`, and two equilibration checks that the user should read rather than trust the
error bar blindly: the split-chain potential scale reduction ``R-hat`` and the drift
between the two halves of the run in standard errors.

The autocorrelation time is emcee's estimator (``emcee.autocorr.integrated_time``): the
normalised autocorrelation function averaged over chains, summed up to Sokal's
self-consistent window :math:`M \ge c \tau`. It is the estimator of the statistical-physics
literature (Sokal 1997; Janke 2002), whose error :math:`\tau \sqrt{2 (2M + 1) / n}` is
known, and it measures :math:`\tau` in sweeps, the unit physicists compare. ArviZ's bulk ESS
(Vehtari et al. 2021: rank-normalised split chains, Geyer's initial monotone sequence)
answers a different question (the efficiency for quantiles, robust to heavy tails) and
may exceed the number of records for anticorrelated chains, which ``ess`` here never
does. ``docs/physics.md`` section 10 compares the two on chains of known :math:`\tau`;
:func:`to_inference_data` hands records to ArviZ for its diagnostics.
"""

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from . import _checks

__all__ = ["autocorrelation_time", "mixed", "time_average", "to_inference_data"]

RELIABLE_LENGTH = 50
"""A series shorter than this many autocorrelation times gives an unreliable ``tau``."""


def autocorrelation_time(
    x: xr.DataArray, *, dim: str = "sweep", chain_dim: str | None = "chain", c: float = 5
) -> xr.Dataset:
    r"""Integrated autocorrelation time of ``x`` along ``dim``, chains pooled.

    Parameters
    ----------
    x : xarray.DataArray
        Records equally spaced along ``dim``; every other dimension except
        ``chain_dim`` is kept (one estimate per temperature, pattern, ...).
    dim : str
        The time dimension. Its coordinate, if any, sets the unit of :math:`\tau`
        (sweeps for spinmem's runs); without one, :math:`\tau` is in records.
    chain_dim : str or None
        Dimension of independent chains of the same process; their autocorrelation
        functions are averaged. ``None`` (or absent from ``x``): one chain.
    c : float
        Window factor: the sum runs to the smallest lag :math:`M \ge c\, \tau(M)`.

    Returns
    -------
    xarray.Dataset
        :math:`\tau` (in units of the ``dim`` coordinate, or in records without one),
        ``tau_stderr`` (Sokal's :math:`\tau \sqrt{2 (2M + 1) / n}`
        with n the pooled number of records), ``ess`` (effective sample size
        ``chains n / max(tau_records, 1)``), ``reliable`` (series at least
        ``RELIABLE_LENGTH`` autocorrelation times, and ``RELIABLE_LENGTH`` records,
        long). A constant series has ``tau = NaN`` and ``ess`` equal to its number of
        records; so does a series whose estimate falls below the bound :math:`\tau \ge 0`
        of every stationary process (strongly alternating or very short series),
        and neither is reliable. A NaN record makes every output NaN.
    """
    series, spacing = _series(x, dim, chain_dim)
    c = _checks.real("c", c, positive=True)
    tau, err, ess, ok = xr.apply_ufunc(
        _tau,
        series,
        kwargs={"c": c},
        input_core_dims=[["chain", "sweep"]],
        output_core_dims=[[], [], [], []],
        vectorize=True,
    )
    return xr.Dataset(
        {
            "tau": (tau * spacing).assign_attrs(long_name=_tau_name(x, dim), units="1"),
            "tau_stderr": (err * spacing).assign_attrs(
                long_name="standard error of tau", units="1"
            ),
            "ess": ess.assign_attrs(long_name="effective sample size", units="1"),
            "reliable": ok.assign_attrs(
                long_name=f"series longer than {RELIABLE_LENGTH} tau", units="1"
            ),
        }
    )


def time_average(
    x: xr.DataArray, *, dim: str = "sweep", chain_dim: str | None = "chain", c: float = 5
) -> xr.Dataset:
    r"""Time average over ``dim`` and chains, with its standard error and checks.

    Parameters
    ----------
    x, dim, chain_dim, c
        As for :func:`autocorrelation_time`. Discard the equilibration part first
        (for example ``x.sel(sweep=slice(t0, None))``).

    Returns
    -------
    xarray.Dataset
        ``mean``; ``stderr = sqrt(var / ess)`` with the variance of all records about
        the mean; :math:`\tau`, ``ess`` and ``reliable`` as in
        :func:`autocorrelation_time`; ``rhat``, the split-chain potential scale
        reduction (each chain cut in halves; values above about 1.01-1.1 mean the
        chains have not mixed); ``drift``, the second half's mean minus the first
        half's in units of their combined standard error (``|drift| > 3`` signals a
        trend, typically incomplete equilibration).
    """
    series, spacing = _series(x, dim, chain_dim)
    c = _checks.real("c", c, positive=True)
    out = xr.apply_ufunc(
        _summary,
        series,
        kwargs={"c": c},
        input_core_dims=[["chain", "sweep"]],
        output_core_dims=[[]] * 7,
        vectorize=True,
    )
    names = ("mean", "stderr", "tau", "ess", "reliable", "rhat", "drift")
    units = x.attrs.get("units")
    labels = {
        "mean": ("time average", units),
        "stderr": ("standard error of the time average", units),
        "tau": (_tau_name(x, dim), "1"),
        "ess": ("effective sample size", "1"),
        "reliable": (f"series longer than {RELIABLE_LENGTH} tau", "1"),
        "rhat": ("split-chain potential scale reduction R-hat", "1"),
        "drift": ("second-half minus first-half mean, in standard errors", "1"),
    }
    data = {}
    for name, value in zip(names, out, strict=True):
        if name == "tau":
            value = value * spacing
        long_name, unit = labels[name]
        value = value.assign_attrs(long_name=long_name)
        data[name] = value if unit is None else value.assign_attrs(units=unit)
    return xr.Dataset(data)


def mixed(
    rhat: xr.DataArray | ArrayLike,
    round_trips: xr.DataArray | ArrayLike,
    *,
    max_rhat: float = 1.1,
    min_round_trips: float = 10,
) -> xr.DataArray:
    """Whether parallel-tempering runs mixed: both checks of ``docs/physics.md``
    section 10 passed.

    Parameters
    ----------
    rhat : xarray.DataArray or array_like
        Split-chain R-hat of a run (for example the largest over its temperatures,
        from :func:`time_average`).
    round_trips : xarray.DataArray or array_like
        Coldest -> hottest -> coldest round trips of the same runs, per chain (the sum
        over a chain's replicas).
    max_rhat : float
        Largest R-hat of a mixed run, >= 1.
    min_round_trips : float
        Fewest round trips per chain of a mixed run, >= 0. Without round trips the cold
        temperatures keep the valleys the chains fell into, and chains stuck in
        valleys of the same kind can still give R-hat near 1.

    Returns
    -------
    xarray.DataArray
        Boolean, broadcast over both inputs: ``rhat <= max_rhat`` and
        ``round_trips >= min_round_trips`` (NaN in either fails).
    """
    max_rhat = _checks.real("max_rhat", max_rhat, minimum=1.0)
    min_round_trips = _checks.real("min_round_trips", min_round_trips, minimum=0.0)
    rhat, round_trips = _numeric("rhat", rhat), _numeric("round_trips", round_trips)
    try:
        rhat, round_trips = xr.broadcast(rhat, round_trips)
    except ValueError:
        raise ValueError(
            f"rhat and round_trips must have matching shapes, got {dict(rhat.sizes)} "
            f"and {dict(round_trips.sizes)}"
        ) from None
    ok = (rhat <= max_rhat) & (round_trips >= min_round_trips)
    return ok.assign_attrs(
        long_name=(
            f"mixed (R-hat <= {max_rhat:g}, >= {min_round_trips:g} round trips per chain)"
        ),
        units="1",
    )


def to_inference_data(
    records: xr.Dataset | xr.DataArray,
    *,
    dim: str = "sweep",
    chain_dim: str | None = "chain",
    group: str = "posterior",
):
    """Records of a run as an ArviZ ``InferenceData`` (needs the ``arviz`` extra).

    Parameters
    ----------
    records : xarray.Dataset or xarray.DataArray
        Variables recorded along ``dim`` (``energy`` and ``overlap`` of
        :func:`spinmem.temper` or :func:`spinmem.simulate`, say); discard the
        equilibration part first. A DataArray needs a name.
    dim : str
        The Monte Carlo time dimension: ArviZ's ``draw``.
    chain_dim : str or None
        Independent chains: ArviZ's ``chain`` (:func:`spinmem.temper`'s ``chain``; for
        :func:`spinmem.simulate` pass ``"replica"``). None, or a dimension the records
        lack: one chain. Other dimensions (temperature, pattern) are kept.
    group : str
        The InferenceData group, ``"posterior"`` (where ArviZ's ``ess``, ``rhat`` and
        ``plot_trace`` look) by default.

    Returns
    -------
    arviz.InferenceData

    Examples
    --------
    >>> import arviz as az  # doctest: +SKIP
    >>> late = ds[["energy"]].sel(sweep=slice(1000, None))  # doctest: +SKIP
    >>> az.ess(spinmem.stats.to_inference_data(late), method="bulk")  # doctest: +SKIP
    """
    arviz = _checks.optional("arviz", "to_inference_data", "arviz")
    if isinstance(records, xr.DataArray):
        if records.name is None:
            raise ValueError("records must be a named DataArray (or a Dataset)")
        records = records.to_dataset()
    if not isinstance(records, xr.Dataset):
        raise TypeError(
            f"records must be an xarray Dataset or DataArray, got {type(records).__name__}"
        )
    if dim not in records.dims:
        raise ValueError(f"dim {dim!r} is not a dimension of records {list(records.dims)}")
    records = records[[n for n, v in records.data_vars.items() if dim in v.dims]]
    clash = [
        d for d in ("chain", "draw") if d in records.dims and d not in (dim, chain_dim)
    ]
    if clash:
        raise ValueError(f"records have a dimension {clash[0]!r} besides dim and chain_dim")
    if chain_dim is not None and chain_dim in records.dims and chain_dim != dim:
        records = records.rename({chain_dim: "chain"})
    else:
        records = records.expand_dims("chain")
    records = records.rename({dim: "draw"}).transpose("chain", "draw", ...)
    return arviz.convert_to_inference_data(records, group=group)


def _numeric(name: str, value) -> xr.DataArray:
    array = value if isinstance(value, xr.DataArray) else xr.DataArray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {array.dtype}")
    return array


def _series(x, dim: str, chain_dim: str | None) -> tuple[xr.DataArray, float]:
    """``x`` with dimensions renamed to ``chain`` and ``time``, and the time step."""
    if not isinstance(x, xr.DataArray):
        raise TypeError(f"x must be an xarray.DataArray, got {type(x).__name__}")
    if dim not in x.dims:
        raise ValueError(f"dim {dim!r} is not a dimension of x (dimensions: {x.dims})")
    if x.sizes[dim] < 4:
        raise ValueError(f"x needs at least 4 records along {dim!r}, got {x.sizes[dim]}")
    if x.dtype.kind not in "biuf":
        raise TypeError(f"x must be numeric, got dtype {x.dtype}")
    spacing = 1.0
    if dim in x.coords:
        if x[dim].dtype.kind not in "biuf":
            raise TypeError(
                f"the {dim!r} coordinate of x must be numeric (sweeps), got dtype "
                f"{x[dim].dtype}"
            )
        steps = np.diff(np.asarray(x[dim].values, dtype=np.float64))
        if not np.allclose(steps, steps[0], rtol=1e-9) or steps[0] <= 0:
            raise ValueError(
                f"records along {dim!r} must be equally spaced and increasing; select "
                "an equally spaced part (the last record of a run may be off-grid)"
            )
        spacing = float(steps[0])
    if chain_dim is not None and chain_dim in x.dims and chain_dim != dim:
        x = x.rename({chain_dim: "_chain"})
    else:
        x = x.expand_dims("_chain")
    x = x.rename({dim: "_sweep"}).drop_vars(["_chain", "_sweep"], errors="ignore")
    clash = [d for d in ("chain", "sweep") if d in x.dims]
    if clash:
        raise ValueError(f"x has a dimension {clash[0]!r} besides dim and chain_dim")
    return x.rename({"_chain": "chain", "_sweep": "sweep"}).astype(np.float64), spacing


def _tau_name(x: xr.DataArray, dim: str) -> str:
    if dim in x.coords:
        return f"integrated autocorrelation time, in units of the {dim} coordinate"
    return "integrated autocorrelation time, in records"


def _tau(x: np.ndarray, c: float) -> tuple[float, float, float, bool]:
    """``(tau, stderr, ess, reliable)`` of chains ``x`` (chains, n), tau in records.

    Chains frozen at one value carry no autocorrelation function and are left out of
    its average (R-hat reports them); ``ess`` never exceeds the number of records.
    """
    chains, n = x.shape
    if np.isnan(x).any():
        return np.nan, np.nan, np.nan, False
    moving = ~np.all(x == x[:, :1], axis=1)
    if not moving.any():
        return np.nan, np.nan, float(chains * n), False
    steps = x[moving].T[:, :, None]  # emcee's (steps, walkers, parameters)
    import emcee  # on first use: it loads scipy.stats, a second of import time

    tau = float(emcee.autocorr.integrated_time(steps, c=c, tol=0, quiet=True)[0])
    if not tau >= 0:  # below the bound tau >= 0 (or NaN records): no estimate
        return np.nan, np.nan, float(chains * n), False
    window = np.ceil(c * max(tau, 1.0))
    stderr = tau * np.sqrt(2.0 * (2.0 * window + 1.0) / (chains * n))
    ess = chains * n / max(tau, 1.0)
    return tau, float(stderr), float(ess), bool(n >= RELIABLE_LENGTH * max(tau, 1.0))


def _summary(x: np.ndarray, c: float) -> tuple:
    n = x.shape[1]
    tau, _, ess, ok = _tau(x, c)
    mean = float(x.mean())
    var = float(x.var(ddof=1)) if x.size > 1 else 0.0
    stderr = np.sqrt(var / ess)
    half = n // 2
    first, second = x[:, :half], x[:, n - half :]
    rhat = _split_rhat(np.concatenate([first, second], axis=0))
    scale = max(tau, 1.0) if np.isfinite(tau) else 1.0
    se = [np.sqrt(part.var(ddof=1) * scale / part.size) for part in (first, second)]
    gap = second.mean() - first.mean()
    combined = np.hypot(*se)
    drift = gap / combined if combined > 0 else (0.0 if gap == 0 else np.inf * gap)
    return mean, stderr, tau, ess, ok, rhat, float(drift)


def _split_rhat(halves: np.ndarray) -> float:
    """Gelman-Rubin R-hat of the chains (rows) of ``halves``."""
    n = halves.shape[1]
    within = halves.var(axis=1, ddof=1).mean()
    between = n * halves.mean(axis=1).var(ddof=1)
    if within == 0:
        return 1.0 if between == 0 else np.inf
    pooled = (n - 1) / n * within + between / n
    return float(np.sqrt(pooled / within))
