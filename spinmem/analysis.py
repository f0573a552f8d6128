"""Reductions and combinations of results: mean and standard error over seeds, merging
files of one study."""

import itertools
import os
from collections.abc import Iterable

import numpy as np
import xarray as xr

from . import _checks
from .storage import load

__all__ = [
    "RSB_CAPACITY",
    "RS_CAPACITY",
    "binder_crossings",
    "capacity_estimate",
    "combine",
    "crossings",
    "finite_size_fit",
    "seed_mean",
]


def seed_mean(dataset: xr.Dataset, dim: str = "seed") -> xr.Dataset:
    """Mean over independent repetitions, with its standard error.

    Every numeric variable ``v`` with dimension ``dim`` becomes its mean ``v`` and
    ``v_stderr = std(v, ddof=1) / sqrt(n)`` (NaN where n = 1); other variables are
    kept as they are. The repetitions must be independent (distinct seeds), which is
    what :func:`spinmem.sweep` provides. A NaN repetition makes the mean and error of
    its point NaN (none is skipped), as everywhere in spinmem.

    Parameters
    ----------
    dataset : xarray.Dataset
    dim : str
        The dimension of the repetitions.

    Returns
    -------
    xarray.Dataset
        Without ``dim``; attributes ``reduced_over`` and ``repetitions`` added.
    """
    if not isinstance(dataset, xr.Dataset):
        raise TypeError(
            f"dataset must be an xarray.Dataset, got {type(dataset).__name__}; for one "
            "variable pass da.to_dataset()"
        )
    if dim not in dataset.dims:
        raise ValueError(
            f"dim {dim!r} is not a dimension of the dataset "
            f"(dimensions: {list(dataset.dims)})"
        )
    n = dataset.sizes[dim]
    out = {}
    for name, var in dataset.data_vars.items():
        if dim not in var.dims or var.dtype.kind not in "biuf":
            out[name] = var
            continue
        mean = var.mean(dim, keep_attrs=True, skipna=False)
        if n > 1:
            err = var.std(dim, ddof=1, skipna=False) / np.sqrt(n)
        else:
            err = xr.full_like(mean, np.nan, dtype=float)
        err.attrs = {"long_name": f"standard error of {var.attrs.get('long_name', name)}"}
        if "units" in var.attrs:
            err.attrs["units"] = var.attrs["units"]
        out[name] = mean
        out[f"{name}_stderr"] = err
    coords = {k: v for k, v in dataset.coords.items() if dim not in v.dims}
    return xr.Dataset(
        out, coords=coords, attrs={**dataset.attrs, "reduced_over": dim, "repetitions": n}
    )


def combine(sources: Iterable) -> xr.Dataset:
    """Merge results of one study stored in several files (or Datasets) by coordinates.

    Each source covers part of a grid (for example separate sweeps over different
    alpha); the result spans the union, with NaN where no source has a point.
    Overlapping points must agree: a point that two sources hold with different
    values raises ``ValueError``.

    Parameters
    ----------
    sources : iterable of str, os.PathLike or xarray.Dataset
        A list of files or Datasets (one path alone is refused: it is a string, not a
        list of sources).

    Returns
    -------
    xarray.Dataset
    """
    if isinstance(sources, str | bytes | os.PathLike | xr.Dataset):
        raise TypeError(
            "sources must be a list of files or Datasets, got a single "
            f"{type(sources).__name__}; pass [path] for one file"
        )
    datasets = [load(s) if not isinstance(s, xr.Dataset) else s for s in sources]
    if not datasets:
        raise ValueError("sources must name at least one file or Dataset")
    for k, ds in enumerate(datasets):
        for name, index in ds.indexes.items():
            if not index.is_unique:
                raise ValueError(f"source {k} has repeated {name!r} coordinates")
    try:
        return xr.merge(
            datasets, compat="no_conflicts", join="outer", combine_attrs="drop_conflicts"
        )
    except xr.MergeError as exc:
        raise ValueError(
            f"the sources disagree where they overlap (a point stored twice with "
            f"different values): {str(exc).split('. You can skip')[0]}"
        ) from None


RS_CAPACITY = 0.1379
"""Replica-symmetric alpha_c of the Hopfield model (Amit, Gutfreund, Sompolinsky 1987)."""
RSB_CAPACITY = 0.1382
"""One-step replica-symmetry-breaking alpha_c (Crisanti, Amit, Gutfreund 1986)."""


def crossings(m: xr.DataArray, threshold: float, dim: str = "alpha") -> xr.DataArray:
    """Where each curve ``m(dim)`` first falls below ``threshold``.

    By linear interpolation between the last point above and the first below.

    Parameters
    ----------
    m : xarray.DataArray
        Curves along ``dim`` (other dimensions: one curve each).
    threshold : float
    dim : str

    Returns
    -------
    xarray.DataArray
        The crossing of each curve, without ``dim``; NaN for a curve that starts below
        the threshold or never falls below it on the grid.
    """
    m = m.transpose(..., dim)
    x = m[dim].values.astype(float)
    out = np.full(m.shape[:-1], np.nan)
    for index in np.ndindex(*out.shape):
        row = m.values[index]
        below = np.flatnonzero(row < threshold)
        if below.size == 0 or below[0] == 0:
            continue
        k = below[0]
        a0, a1, m0, m1 = x[k - 1], x[k], row[k - 1], row[k]
        out[index] = a0 + (m0 - threshold) * (a1 - a0) / (m0 - m1)
    dims = m.dims[:-1]
    return xr.DataArray(out, dims=dims, coords={d: m[d] for d in dims if d in m.coords})


def binder_crossings(
    binder: xr.Dataset,
    *,
    size_dim: str = "n",
    dim: str = "temperature",
    by: str = "seed",
) -> xr.Dataset:
    r"""Temperatures where the Binder curves of consecutive sizes cross.

    For sizes N_a < N_b, let ``d = g_b - g_a`` with standard error :math:`s =
    \sqrt{\mathrm{err}_a^2 + \mathrm{err}_b^2}`. Both far above the transition (g -> 0)
    and deep in the ordered phase of mean-field glasses (curves merge) d is zero within
    noise and changes sign at random; the crossing is taken at the most significant
    descending sign change, the k with ``d_k >= 0 > d_{k+1}`` that maximises ``d_k / s_k
    - d_{k+1} / s_{k+1}``, by linear interpolation. The same rule applied to the
    leave-one-out curves gives the jackknife standard error.

    Parameters
    ----------
    binder : xarray.Dataset
        ``g``, ``g_stderr`` and ``g_jackknife`` of
        :func:`spinmem.observables.binder_of_moments`, with dimensions ``size_dim``
        and ``dim`` (``g_jackknife`` also ``by``).
    size_dim : str
        The dimension of the system sizes.
    dim : str
        The dimension the curves run along (temperature).
    by : str
        The dimension of the jackknife groups.

    Returns
    -------
    xarray.Dataset
        ``crossing`` and ``crossing_stderr`` along ``size_pair`` ("N_a-N_b"), with
        coordinates ``n_small`` and ``n_large``; NaN where the curves do not cross
        downwards on the grid.
    """
    for name in ("g", "g_stderr", "g_jackknife"):
        if name not in binder:
            raise ValueError(f"binder needs {name!r} (from observables.binder_of_moments)")
    g, err, jk = binder.g, binder.g_stderr, binder.g_jackknife
    for name in (size_dim, dim):
        if name not in g.dims:
            raise ValueError(f"g has no dimension {name!r} (dimensions: {g.dims})")
    sizes = g[size_dim].values
    rows, errors = [], []
    for a, b in itertools.pairwise(sizes):
        pick = {size_dim: [a, b]}
        scale = np.sqrt((err.sel(pick) ** 2).sum(size_dim)).transpose(dim).values
        diff = g.sel({size_dim: b}) - g.sel({size_dim: a})
        rows.append(_crossing(diff.transpose(dim).values, scale, g[dim].values))
        loo = (jk.sel({size_dim: b}) - jk.sel({size_dim: a})).transpose(by, dim).values
        loo = np.array([_crossing(d, scale, g[dim].values) for d in loo])
        m = loo.size
        errors.append(np.sqrt((m - 1) / m * np.sum((loo - loo.mean()) ** 2)))
    return xr.Dataset(
        {
            "crossing": (
                "size_pair",
                np.array(rows),
                {"long_name": "Binder crossing temperature", "units": "1"},
            ),
            "crossing_stderr": (
                "size_pair",
                np.array(errors),
                {"long_name": "jackknife standard error", "units": "1"},
            ),
        },
        coords={
            "size_pair": [f"{a}-{b}" for a, b in itertools.pairwise(sizes)],
            "n_small": ("size_pair", sizes[:-1]),
            "n_large": ("size_pair", sizes[1:]),
        },
    )


def _crossing(d: np.ndarray, scale: np.ndarray, x: np.ndarray) -> float:
    z = d / np.where(scale > 0, scale, np.inf)
    down = np.flatnonzero((d[:-1] >= 0) & (d[1:] < 0))
    if down.size == 0:
        return np.nan
    k = down[np.argmax(z[down] - z[down + 1])]
    return float(x[k] + d[k] * (x[k + 1] - x[k]) / (d[k] - d[k + 1]))


def finite_size_fit(n, value, stderr, nu: float | None = None) -> dict:
    r"""Weighted least-squares fit :math:`\mathrm{value}(N) = \mathrm{limit} + a N^{-\nu}`.

    With ``nu`` given, a straight line in :math:`N^{-\nu}`; with ``nu=None`` the exponent is
    fitted too (needs at least four sizes). Uncertainties are one standard error from
    the covariance with the given standard errors taken as absolute; ``chi2`` and
    ``dof`` say whether the form describes the data (chi2/dof near 1).

    Parameters
    ----------
    n : array_like
        System sizes N, > 0.
    value, stderr : array_like
        The estimate at each size and its standard error (same length as ``n``). Sizes
        whose value or standard error is NaN (no estimate) or whose error is 0 are not
        data points: they are left out, and ``dof`` counts only the sizes fitted.
    nu : float, optional
        The exponent, > 0; fitted when None.

    Returns
    -------
    dict
        ``limit``, ``limit_err``, ``a``, ``nu``, ``nu_err`` (0 when ``nu`` is given),
        ``chi2`` and ``dof``; NaN entries when there are too few sizes.
    """
    from scipy.optimize import curve_fit

    n, value, stderr = _fit_inputs(n, value, stderr)
    if nu is not None:
        nu = _checks.real("nu", nu, positive=True)
    ok = np.isfinite(value) & np.isfinite(stderr) & (stderr > 0)
    n, value, stderr = n[ok], value[ok], stderr[ok]
    params = 2 if nu is not None else 3
    nan = {
        "limit": np.nan,
        "limit_err": np.nan,
        "a": np.nan,
        "nu": np.nan,
        "nu_err": np.nan,
        "chi2": np.nan,
        "dof": n.size - params,
    }
    if n.size <= params - (nu is not None):
        return nan if nu is None else {**nan, "nu": nu, "nu_err": 0.0}
    if nu is not None:
        form = lambda size, limit, a: limit + a * size ** (-nu)  # noqa: E731
        p0 = (value[np.argmax(n)], 1.0)
    else:
        form = lambda size, limit, a, e: limit + a * size ** (-e)  # noqa: E731
        p0 = (value[np.argmax(n)], 1.0, 0.5)
    try:
        popt, cov = curve_fit(
            form, n, value, p0=p0, sigma=stderr, absolute_sigma=True, maxfev=20000
        )
    except RuntimeError:
        return nan if nu is None else {**nan, "nu": nu, "nu_err": 0.0}
    err = np.sqrt(np.diag(cov))
    chi2 = float(np.sum(((form(n, *popt) - value) / stderr) ** 2))
    return {
        "limit": float(popt[0]),
        "limit_err": float(err[0]),
        "a": float(popt[1]),
        "nu": float(popt[2]) if nu is None else float(nu),
        "nu_err": float(err[2]) if nu is None else 0.0,
        "chi2": chi2,
        "dof": int(n.size - params),
    }


def _fit_inputs(n, value, stderr) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1-D float arrays of one length; sizes finite and > 0."""
    arrays = []
    for name, x in (("n", n), ("value", value), ("stderr", stderr)):
        arr = _checks.real_array(name, x, "a 1-D array of real numbers")
        if arr.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
        arrays.append(arr)
    lengths = {a.size for a in arrays}
    if len(lengths) != 1:
        raise ValueError(
            "n, value and stderr must have the same length, got "
            f"{arrays[0].size}, {arrays[1].size} and {arrays[2].size}"
        )
    if not np.all(np.isfinite(arrays[0]) & (arrays[0] > 0)):
        raise ValueError(f"n must hold sizes N > 0, got {arrays[0].tolist()}")
    return arrays[0], arrays[1], arrays[2]


def capacity_estimate(ds: xr.Dataset) -> dict:
    r"""Finite-size capacity from a capacity study.

    For each seed and size N, ``alpha_c(N)`` is where the final overlap
    :math:`m(\alpha)` falls below the study's ``threshold`` (:func:`crossings`);
    ``alpha_n`` and ``alpha_n_err`` are its mean and standard error over seeds (the
    seed-to-seed scatter). ``fits`` holds :func:`finite_size_fit` of :math:`\alpha_c(N)
    = \alpha_c + a N^{-\nu}` with nu fitted (``"free"``) and fixed at 1 and 1/2;
    ``alpha_inf`` and ``slope`` are the nu = 1 fit's limit and amplitude.

    Parameters
    ----------
    ds : xarray.Dataset
        A store of the capacity study: ``m`` over ``alpha``, ``n`` and ``seed``.

    Returns
    -------
    dict
        ``n`` (sizes), ``alpha_n``, ``alpha_n_err``, ``seeds`` (curves per size that
        cross), ``fits`` (by ``"free"``, ``"nu=1"``, ``"nu=1/2"``), ``alpha_inf``,
        ``slope`` and ``threshold``.
    """
    for name in ("alpha", "n", "m"):
        if name not in ds.variables:
            raise ValueError(
                f"capacity_estimate needs a capacity study; {name!r} is missing"
            )
    threshold = float(ds.attrs.get("threshold", 0.8))
    m = ds["m"]
    if "seed" not in m.dims:
        m = m.expand_dims("seed")
    per_seed = crossings(m.transpose("n", "seed", "alpha"), threshold)
    counts = per_seed.count("seed").values
    alpha_n = per_seed.mean("seed").values
    spread = per_seed.std("seed", ddof=1).values if per_seed.sizes["seed"] > 1 else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha_err = spread / np.sqrt(counts)
    sizes = ds["n"].values.astype(float)
    fits = {
        "free": finite_size_fit(sizes, alpha_n, alpha_err),
        "nu=1": finite_size_fit(sizes, alpha_n, alpha_err, nu=1.0),
        "nu=1/2": finite_size_fit(sizes, alpha_n, alpha_err, nu=0.5),
    }
    return {
        "n": sizes,
        "alpha_n": alpha_n,
        "alpha_n_err": alpha_err,
        "seeds": counts,
        "fits": fits,
        "alpha_inf": fits["nu=1"]["limit"],
        "slope": fits["nu=1"]["a"],
        "threshold": threshold,
    }
