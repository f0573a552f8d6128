"""Effective sample size: spinmem's estimator against ArviZ's bulk ESS on chains of
known autocorrelation time.

Each repetition draws 4 independent AR(1) chains ``x_t = phi x_{t-1} + noise`` of n
records, started in equilibrium, whose integrated autocorrelation time is exactly
``tau = (1 + phi) / (1 - phi)``: the true ESS is ``4 n / tau``. The table gives, over
the repetitions, the mean of each estimate divided by the truth and its relative spread,
and the coverage of the one-standard-error interval ``mean +- stderr`` (stderr from the
estimated ESS) of the true mean 0: 68 % for an honest error bar.

Run: python benchmarks/ess_estimators.py  (needs the arviz extra; about a minute)
"""

import warnings

import numpy as np
import xarray as xr

from spinmem import stats

warnings.filterwarnings("ignore", category=FutureWarning)
import arviz as az  # noqa: E402


def ar1(phi: float, chains: int, n: int, rng) -> np.ndarray:
    x = np.empty((chains, n))
    x[:, 0] = rng.normal(size=chains) / np.sqrt(1 - phi**2)
    noise = rng.normal(size=(chains, n))
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + noise[:, t]
    return x


def main(repetitions: int = 200, chains: int = 4, n: int = 5000) -> None:
    rng = np.random.default_rng(2026)
    print(f"{repetitions} repetitions of {chains} AR(1) chains x {n} records")
    print(
        f"{'phi':>5} {'tau':>6} {'spinmem ESS/true':>17} {'spread':>7} {'covers':>7} "
        f"{'ArviZ bulk/true':>16} {'spread':>7} {'covers':>7}"
    )
    for phi in (0.5, 0.9, 0.98):
        tau = (1 + phi) / (1 - phi)
        true = chains * n / tau
        ours, theirs, cover_ours, cover_theirs = [], [], [], []
        for _ in range(repetitions):
            x = ar1(phi, chains, n, rng)
            series = xr.DataArray(x, dims=("chain", "sweep"))
            summary = stats.time_average(series)
            bulk = float(az.ess(x, method="bulk"))
            ours.append(float(summary.ess) / true)
            theirs.append(bulk / true)
            sd = x.std(ddof=1)
            cover_ours.append(abs(x.mean()) <= float(summary.stderr))
            cover_theirs.append(abs(x.mean()) <= sd / np.sqrt(bulk))
        print(
            f"{phi:5.2f} {tau:6.1f} {np.mean(ours):17.3f} {np.std(ours):7.3f} "
            f"{np.mean(cover_ours):7.2f} {np.mean(theirs):16.3f} {np.std(theirs):7.3f} "
            f"{np.mean(cover_theirs):7.2f}"
        )


if __name__ == "__main__":
    main()
