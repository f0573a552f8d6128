"""Phase diagram of the Hopfield model in the (alpha, T) plane, with the AGS lines.

At every (alpha, T) a Hebbian network of N spins runs Glauber dynamics

- started in stored patterns: the retrieval overlap ``m`` (time average over the second
  half of the run, mean over the started patterns);
- started from random states: after equilibration each state is cloned into two twins
  that continue with independent noise; their overlap ``q`` (time average over the second
  half) is the Edwards-Anderson order parameter: it stays near the twins' common valley
  in the spin-glass phase and decays to ~0 in the paramagnet.

The figure shows m and q with the replica-symmetric lines T_M (retrieval states
disappear), T_c (retrieval states become global minima) and T_g = 1 + sqrt(alpha).

Run: python studies/phase_diagram.py [--quick] [--workers K]
"""

import functools
from dataclasses import dataclass

import numpy as np
import xarray as xr

import spinmem
from spinmem import plot, study, theory
from spinmem.seeding import child

NAME = "phase_diagram"


def point(alpha, temperature, *, n, sweeps, seed):
    """Retrieval overlap m and twin overlap q at one (alpha, T)."""
    net = study.hebbian_network(alpha, n, seed)
    patterns = net.patterns
    starts = min(4, net.n_patterns)
    half = sweeps // 2
    run = spinmem.simulate(
        net,
        temperature=temperature,
        sweeps=sweeps,
        init=patterns[:starts],
        seed=child(seed, 1),
        record_every=5,
    )
    late = run.overlap.sel(sweep=slice(half, None))
    m = float(np.mean([late.isel(replica=k, pattern=k).mean() for k in range(starts)]))

    warm = spinmem.simulate(
        net,
        temperature=temperature,
        sweeps=sweeps,
        replicas=2,
        seed=child(seed, 2),
        record_every=sweeps,
    )
    twins = np.repeat(warm.state.values, 2, axis=0)
    pair = spinmem.simulate(
        net,
        temperature=temperature,
        sweeps=sweeps,
        init=twins,
        seed=child(seed, 3),
        record_every=5,
        record_states=True,
    )
    states = pair.states.sel(sweep=slice(half, None)).values.astype(np.float64)
    q = float(np.mean(np.einsum("ati,ati->at", states[0::2], states[1::2]) / n))
    m_random = float(np.abs(pair.overlap.isel(sweep=-1)).max("pattern").mean())
    return study.scalars(
        m=(m, "retrieval overlap m", "1"),
        q=(q, "twin overlap q", "1"),
        m_random=(m_random, "largest |m| from random starts", "1"),
    )


@dataclass(frozen=True)
class Settings:
    """The settings of one mode (``--quick`` or full)."""

    n: int  # spins
    sweeps: int  # Glauber sweeps per run
    seeds: int  # networks per point
    alphas: list
    temperatures: list


QUICK = Settings(
    n=500,
    sweeps=200,
    seeds=1,
    alphas=[0.01, 0.03, 0.05, 0.07, 0.09, 0.11, 0.13, 0.15, 0.18],
    temperatures=[0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 1.15, 1.3, 1.45],
)
FULL = Settings(
    n=2000,
    sweeps=1000,
    seeds=2,
    alphas=[round(a, 3) for a in np.arange(0.01, 0.201, 0.01)],
    temperatures=[round(t, 3) for t in np.arange(0.05, 1.551, 0.05)],
)


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0], NAME).parse_args(argv)
    mode = QUICK if args.quick else FULL
    store, png = study.outputs(args, NAME)
    ds = study.run(
        functools.partial(point, n=mode.n, sweeps=mode.sweeps),
        {"alpha": mode.alphas, "temperature": mode.temperatures},
        args,
        name=NAME,
        seeds=mode.seeds,
        store=store,
        n_spins=mode.n,
        sweeps=mode.sweeps,
        dynamics="glauber",
    )
    study.save_figure(figure(ds), png)
    return ds


def _theory_lines(ax, alpha_max):
    lines = theory.phase_lines()
    keep = lines["tg_alpha"] <= alpha_max
    ax.plot(
        lines["tg_alpha"][keep],
        lines["tg_t"][keep],
        "w--",
        lw=1.6,
        label=r"$T_g = 1+\sqrt{\alpha}$",
    )
    ax.plot(lines["tm_alpha"], lines["tm_t"], "w-", lw=1.8, label=r"$T_M$ (retrieval)")
    ok = np.isfinite(lines["tc_t"])
    ax.plot(
        lines["tc_alpha"][ok],
        lines["tc_t"][ok],
        "w:",
        lw=1.8,
        label=r"$T_c$ (global minima)",
    )


def figure(ds: xr.Dataset, *, axes=None):
    """Simulated retrieval overlap m and twin overlap q over (alpha, T), with the
    replica-symmetric lines T_M, T_c and T_g of Amit, Gutfreund & Sompolinsky; two
    panels (``axes``: 2 Axes)."""
    plot.require(ds, NAME, ("alpha", "temperature", "m", "q"))
    axes, own = plot.panels(axes, (1, 2), NAME, figsize=(11, 4.4), sharey=True)
    axes = axes[0]
    alpha = ds["alpha"].values
    temperature = ds["temperature"].values
    for ax, name, title in zip(
        axes,
        ("m", "q"),
        ("retrieval (start in a pattern)", "spin-glass order (twin replicas)"),
        strict=True,
    ):
        values = plot.seed_averaged(ds[name]).transpose("temperature", "alpha").values
        mesh = ax.pcolormesh(
            alpha, temperature, values, shading="nearest", cmap="viridis", vmin=0, vmax=1
        )
        below = bool(np.nanmin(values) < 0)  # finite-size q of either sign
        ax.figure.colorbar(
            mesh,
            ax=ax,
            extend="min" if below else "neither",
            label=plot.label(ds[name]) + (" (values < 0 at the arrow)" if below else ""),
        )
        _theory_lines(ax, alpha.max())
        ax.set_xlim(alpha.min() - 0.005, alpha.max() + 0.005)
        ax.set_ylim(0, temperature.max() + 0.05)
        ax.set_xlabel(plot.label(ds["alpha"]))
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel(plot.label(ds["temperature"]))
    axes[0].legend(
        loc="upper right", fontsize=8, facecolor="0.3", labelcolor="w", framealpha=0.6
    )
    n = ds.attrs.get("n_spins", "?")
    sweeps = ds.attrs.get("sweeps", "?")
    plot.finish(
        axes,
        own,
        f"Hopfield phase diagram: Glauber dynamics, N = {n}, {sweeps} sweeps; "
        "lines: replica-symmetric theory",
    )
    return axes


if __name__ == "__main__":
    main()
