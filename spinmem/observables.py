"""Equilibrium observables of Monte Carlo records, ``docs/physics.md`` section 10.

Each estimator pools the records over the dimensions it averages (time, chains,
pairs, disorder samples) and takes its standard error by the jackknife over the groups
along ``by``: independent chains, twin pairs or disorder samples. Groups must be
independent; with fewer than two of them the records are cut into ``blocks``
consecutive time blocks instead, which is honest only when a block is much longer than
the autocorrelation time (see :func:`spinmem.stats.autocorrelation_time`). Discard the
equilibration part of a run before calling them.

NaN records propagate: an estimate (or a histogram) that pools a NaN record is NaN,
and so is its error; no record is skipped.
"""

from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from . import _checks

__all__ = [
    "binder_cumulant",
    "binder_of_moments",
    "largest_overlap",
    "lattice_bins",
    "overlap_distribution",
    "specific_heat",
]


def specific_heat(
    energy: xr.DataArray,
    n_spins: int,
    *,
    dims: Sequence[str] = ("chain", "sweep"),
    by: str = "chain",
    blocks: int = 10,
) -> xr.Dataset:
    r"""Specific heat per spin from energy fluctuations, :math:`c = (\langle H^2 \rangle
    - \langle H \rangle^2) / (N T^2)`.

    Parameters
    ----------
    energy : xarray.DataArray
        Total energies H (coupling units) with a ``temperature`` coordinate (as
        recorded by :func:`spinmem.temper` or :func:`spinmem.simulate`).
    n_spins : int
        N, to give c per spin (k_B = 1).
    dims : sequence of str
        Dimensions averaged over (those absent from ``energy`` are ignored).
    by : str
        Dimension of independent groups for the jackknife error.
    blocks : int
        Time blocks used as groups when ``by`` has fewer than two entries.

    Returns
    -------
    xarray.Dataset
        ``c`` and ``c_stderr`` over the remaining dimensions.
    """
    _data_array("energy", energy)
    n_spins = _checks.integer("n_spins", n_spins, minimum=1)
    if "temperature" not in energy.coords:
        raise ValueError("energy needs a 'temperature' coordinate")
    temperature = energy["temperature"]
    if temperature.dtype.kind not in "biuf":
        raise TypeError(
            f"the temperature coordinate of energy must be numeric, got dtype "
            f"{temperature.dtype}"
        )

    def heat(e1, e2):
        return (e2 - e1**2) / (n_spins * temperature**2)

    c, err = _jackknife(energy, {"e1": 1, "e2": 2}, heat, dims, by, blocks)
    return xr.Dataset(
        {
            "c": c.assign_attrs(long_name="specific heat per spin", units="1"),
            "c_stderr": err.assign_attrs(long_name="standard error of c", units="1"),
        }
    )


def binder_cumulant(
    q: xr.DataArray,
    *,
    dims: Sequence[str] = ("pair", "sweep"),
    by: str = "pair",
    blocks: int = 10,
) -> xr.Dataset:
    r"""Binder cumulant :math:`g = \left(3 - \langle q^4 \rangle / \langle q^2
    \rangle^2\right) / 2` of the twin overlap q.

    g is 0 for a Gaussian P(q) (paramagnet, N -> infinity) and 1 for two delta peaks
    at +-q_EA; curves of g against T for several N cross at the transition. For a
    disorder average, stack samples along a dimension, include it in ``dims`` and use
    it as ``by``: the moments are then averaged over samples before the ratio, as in
    :math:`[\langle q^4 \rangle] / [\langle q^2 \rangle]^2`.

    Parameters
    ----------
    q : xarray.DataArray
        Overlaps between independent replicas at the same temperature (``q`` of
        :func:`spinmem.temper` with ``chains >= 2``).
    dims, by, blocks
        As for :func:`specific_heat`.

    Returns
    -------
    xarray.Dataset
        ``g`` and ``g_stderr``.
    """

    _data_array("q", q)

    def binder(q2, q4):
        return 0.5 * (3.0 - q4 / q2**2)

    g, err = _jackknife(q, {"q2": 2, "q4": 4}, binder, dims, by, blocks)
    return xr.Dataset(
        {
            "g": g.assign_attrs(long_name="Binder cumulant g", units="1"),
            "g_stderr": err.assign_attrs(long_name="standard error of g", units="1"),
        }
    )


def binder_of_moments(
    q2: xr.DataArray, q4: xr.DataArray, *, by: str = "seed"
) -> xr.Dataset:
    r"""Disorder-averaged Binder cumulant :math:`\left(3 - [\langle q^4 \rangle] /
    [\langle q^2 \rangle]^2\right) / 2` from each
    sample's thermal moments, with its jackknife error over samples along ``by``.

    Parameters
    ----------
    q2, q4 : xarray.DataArray
        Each sample's thermal moments :math:`\langle q^2 \rangle` and :math:`\langle q^4
        \rangle`, at least 2 samples along ``by``.
    by : str
        The dimension of the disorder samples.

    Returns
    -------
    xarray.Dataset
        ``g``, ``g_stderr`` and ``g_jackknife``, the estimate without each sample in
        turn (dimension ``by``), from which errors of derived quantities (crossing
        temperatures) follow.
    """
    for name, x in (("q2", q2), ("q4", q4)):
        if not isinstance(x, xr.DataArray) or by not in x.dims or x.sizes[by] < 2:
            raise ValueError(f"{name} must be a DataArray with >= 2 samples along {by!r}")

    def binder(m2, m4):
        return 0.5 * (3.0 - m4 / m2**2)

    full, err, left_out = _jackknife_means({"m2": q2, "m4": q4}, binder, by)
    return xr.Dataset(
        {
            "g": full.assign_attrs(long_name="Binder cumulant g", units="1"),
            "g_stderr": err.assign_attrs(long_name="standard error of g", units="1"),
            "g_jackknife": left_out.assign_attrs(
                long_name=f"g without one entry of {by}", units="1"
            ),
        }
    )


def overlap_distribution(
    q: xr.DataArray,
    *,
    dims: Sequence[str] = ("pair", "sweep"),
    bins: int | ArrayLike = 41,
    symmetric: bool = True,
) -> xr.DataArray:
    """Histogram estimate of the overlap distribution P(q) on [-1, 1].

    Parameters
    ----------
    q : xarray.DataArray
        Twin overlaps.
    dims : sequence of str
        Dimensions pooled into one histogram (absent ones are ignored).
    bins : int or array_like
        Number of equal-width bins on [-1, 1], or increasing bin edges. q of N spins
        takes the N + 1 values ``-1 + 2j/N``; to compare sizes without aliasing, use
        bins that hold the same number of those values for every N (see
        :func:`lattice_bins`).
    symmetric : bool
        Count every value also as -q, the symmetry of models without fields.

    Returns
    -------
    xarray.DataArray
        Density ``P`` along a new dimension ``q`` (bin centres), integrating to 1 over
        each histogram; the other dimensions are kept.
    """
    _data_array("q", q)
    edges = _edges(bins)
    symmetric = _checks.flag("symmetric", symmetric)
    pooled = [d for d in dims if d in q.dims]
    outside = np.abs(q.values) > 1
    if outside.any():
        raise ValueError(
            f"q must lie in [-1, 1] (overlaps), found {q.values[outside].ravel()[0]!r}"
        )

    def histogram(values):
        values = values.ravel()
        if np.isnan(values).any():
            return np.full(edges.size - 1, np.nan)
        if symmetric:
            values = np.concatenate([values, -values])
        return np.histogram(values, bins=edges, density=True)[0]

    stacked = q.stack(_sample=pooled) if pooled else q.expand_dims("_sample")
    density = xr.apply_ufunc(
        histogram,
        stacked.drop_vars([c for c in stacked.coords if "_sample" in stacked[c].dims]),
        input_core_dims=[["_sample"]],
        output_core_dims=[["q"]],
        vectorize=True,
    )
    return density.assign_coords(q=0.5 * (edges[1:] + edges[:-1])).assign_attrs(
        long_name="overlap distribution P(q)", units="1"
    )


def lattice_bins(n: int) -> np.ndarray:
    """Edges of n + 1 bins centred on the overlaps ``-1 + 2j/n`` of n spins.

    For N spins with N a multiple of n, every inner bin holds exactly N/n of the values
    q can take, so histograms of different such N compare without aliasing. The edges
    sit just below the half-way points, so that values on them fall to the right; the
    two end bins, which straddle -1 and 1, hold N/n + 1 values together (split evenly
    on average with ``symmetric=True``).

    Parameters
    ----------
    n : int
        The number of inner bins, >= 1 (a divisor of the N of every system compared).

    Returns
    -------
    numpy.ndarray
        n + 2 increasing edges, for ``overlap_distribution(bins=...)``.
    """
    n = _checks.integer("n", n, minimum=1)
    return np.linspace(-1.0 - 1.0 / n, 1.0 + 1.0 / n, n + 2) - 1e-9


def _edges(bins) -> np.ndarray:
    if np.ndim(bins) == 0:
        return np.linspace(-1.0, 1.0, _checks.integer("bins", bins, minimum=2) + 1)
    edges = np.asarray(bins, dtype=np.float64)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"bins must be an integer or increasing edges, got {bins!r}")
    return edges


def largest_overlap(overlap: xr.DataArray, *, dim: str = "pattern") -> xr.DataArray:
    """``max_mu |m_mu|``, the overlap with the best-retrieved pattern, per record.

    Parameters
    ----------
    overlap : xarray.DataArray
        Pattern overlaps (``overlap`` of a run).
    dim : str
        The pattern dimension.

    Returns
    -------
    xarray.DataArray
        Without ``dim``.
    """
    if dim not in overlap.dims:
        raise ValueError(f"dim {dim!r} is not a dimension of overlap ({overlap.dims})")
    return (
        abs(overlap)
        .max(dim)
        .assign_attrs(long_name="largest pattern overlap max |m|", units="1")
    )


def _jackknife(
    x: xr.DataArray,
    powers: dict[str, int],
    estimator: Callable,
    dims: Sequence[str],
    by: str,
    blocks: int,
) -> tuple[xr.DataArray, xr.DataArray]:
    r"""Estimate and jackknife error of ``estimator(**moments)`` with moments
    :math:`\langle x^\mathrm{power} \rangle` pooled over ``dims``, leaving out one group
    along ``by`` at a time."""
    blocks = _checks.integer("blocks", blocks, minimum=2)
    x, by = _groups(x.astype(np.float64), list(dims), by, blocks)
    rest = [d for d in dims if d in x.dims and d != by]
    group_means = {k: (x**p).mean(rest, skipna=False) for k, p in powers.items()}
    full, err, _ = _jackknife_means(group_means, estimator, by)
    return full, err


def _jackknife_means(group_means: dict, estimator: Callable, by: str):
    """``estimator`` of the means over ``by`` of ``group_means``, its jackknife error,
    and the leave-one-out estimates (along ``by``)."""
    n = next(iter(group_means.values())).sizes[by]
    full = estimator(**{k: v.mean(by, skipna=False) for k, v in group_means.items()})
    left_out = estimator(
        **{k: (v.sum(by, skipna=False) - v) / (n - 1) for k, v in group_means.items()}
    )
    spread = ((left_out - left_out.mean(by, skipna=False)) ** 2).sum(by, skipna=False)
    return full.drop_vars(by, errors="ignore"), np.sqrt((n - 1) / n * spread), left_out


def _data_array(name: str, x) -> None:
    if not isinstance(x, xr.DataArray):
        raise TypeError(
            f"{name} must be an xarray.DataArray with named dimensions, got "
            f"{type(x).__name__}"
        )
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {x.dtype}")


def _groups(x: xr.DataArray, dims: list[str], by: str, blocks: int):
    """``x`` with a group dimension of at least two entries, and its name."""
    if by in x.dims and x.sizes[by] >= 2:
        if by not in dims:
            raise ValueError(f"by={by!r} must be one of the averaged dims {dims}")
        return x, by
    time = next((d for d in ("sweep", *dims) if d in x.dims and d != by), None)
    if time is None or x.sizes[time] < blocks:
        raise ValueError(
            f"need two groups along by={by!r} or at least blocks={blocks} records "
            "along time to estimate an error"
        )
    if by in x.dims:
        x = x.squeeze(by, drop=True)
    length = x.sizes[time] // blocks
    x = x.isel({time: slice(0, length * blocks)}).drop_vars(time, errors="ignore")
    shape = {"_block": blocks, time: length}
    return x.coarsen({time: length}).construct({time: tuple(shape)}), "_block"
