"""Phase diagram of the Hopfield model in the (alpha, T) plane, with the AGS lines.

At every (alpha, T) a Hebbian network of N spins runs Glauber dynamics

- started in stored patterns: the retrieval overlap ``m`` (time average over the second
  half of the run, mean over the started patterns);
- started from random states: after equilibration each state is cloned into two twins
  that continue with independent noise; their overlap ``q`` (time average over the second
  half) is the Edwards-Anderson order parameter: it stays near the twins' common valley
  in the spin-glass phase and decays to ~0 in the paramagnet.

The figure shows m and q with the replica-symmetric lines T_M (retrieval states
disappear), T_c (retrieval states become global minima) and T_g = 1 + sqrt(alpha). The
full settings also write the one-step RSB retrieval line near T = 0
(:func:`spinmem.theory.line_1rsb`, a few minutes) to ``<name>-1rsb.h5``; the figure
draws it, with the RS line, in an inset on the scale where the two differ.

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
    line = None
    if not args.quick:
        line_store = store.with_name(store.name.replace(NAME, f"{NAME}-1rsb", 1))
        if not line_store.exists():
            spinmem.save(rsb_line(LINE_TEMPERATURES), line_store)
        line = spinmem.load(line_store)
    report(ds, line)
    study.save_figure(figure(ds, line), png)
    return ds


def report(ds: xr.Dataset, line: xr.Dataset | None = None) -> None:
    """Print where the simulated retrieval overlap m falls below 1/2 at each
    temperature, against the RS retrieval line, and where the twin overlap q falls
    below 0.1 at each load, against T_g; then the 1RSB line when given."""
    m = ds["m"].mean("seed")
    q = ds["q"].mean("seed")
    print(f"m from a pattern start falls below 1/2 (N = {ds.attrs.get('n_spins', '?')}):")
    for temp in ds["temperature"].values:
        if temp >= 1.0:
            break
        at = study.crossing_text(m.sel(temperature=temp), 0.5, "alpha")
        rs = theory.alpha_c(temp)
        print(f"  T = {temp:5.2f}: alpha: {at}   RS alpha_c(T) = {rs:.4f}")
    print("twin overlap q falls below 0.1:")
    for alpha in ds["alpha"].values[::2]:
        at = study.crossing_text(q.sel(alpha=alpha), 0.1, "temperature")
        print(f"  alpha = {alpha:5.3f}: T: {at}   T_g = {float(theory.t_g(alpha)):.3f}")
    if line is not None:
        print("one-step RSB retrieval line (RS beside it):")
        for t in line["temperature"].values:
            row = line.sel(temperature=t)
            print(
                f"  T = {t:6.4f}: alpha_c = {float(row.alpha_c_1rsb):.7f}   "
                f"RS {float(row.alpha_c_rs):.7f}   x = {float(row.x):.3f}"
            )


LINE_TEMPERATURES = [round(t, 4) for t in np.arange(0.0, 0.0301, 0.0025)]


def rsb_line(temperatures) -> xr.Dataset:
    """The 1RSB retrieval line alpha_c(T) (:func:`spinmem.theory.line_1rsb`) beside the
    RS one, with the breaking of each saddle-node (NaN where the continuation found
    none)."""
    line = theory.line_1rsb(temperatures)

    def column(key):
        return [np.nan if sol is None else getattr(sol, key) for sol in line]

    variables = {
        "alpha_c_1rsb": (column("alpha"), "one-step RSB retrieval line alpha_c(T)"),
        "alpha_c_rs": ([theory.alpha_c(t) for t in temperatures], "RS retrieval line"),
        "m": (column("m"), "overlap at the 1RSB saddle-node"),
        "q0": (column("q0"), "lower overlap level q0"),
        "q1": (column("q1"), "upper overlap level q1"),
        "x": (column("x"), "Parisi block size x"),
    }
    ds = xr.Dataset(
        {
            key: ("temperature", values, {"long_name": text, "units": "1"})
            for key, (values, text) in variables.items()
        },
        coords={"temperature": list(temperatures)},
    )
    ds.attrs.update(
        study=f"{NAME}-1rsb",
        title="spinmem phase_diagram study: one-step RSB retrieval line",
        summary="alpha_c(T) of the one-step RSB retrieval state near T = 0, with RS",
    )
    return ds


def draw(path, ds):
    """The figure from the sweep store, with the 1RSB line when its store is beside
    it."""
    own = f"{NAME}-1rsb"
    if ds.attrs.get("study") == own:
        return figure(study.sibling(path, own, NAME), ds)
    try:
        line = study.sibling(path, NAME, own)
    except FileNotFoundError:
        line = None
    return figure(ds, line)


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


def figure(ds: xr.Dataset, line: xr.Dataset | None = None, *, axes=None):
    """Simulated retrieval overlap m and twin overlap q over (alpha, T), with the
    replica-symmetric lines T_M, T_c and T_g of Amit, Gutfreund & Sompolinsky; two
    panels (``axes``: 2 Axes). With ``line`` (:func:`rsb_line`), an inset in the first
    panel draws the RS and 1RSB retrieval lines near T = 0."""
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
    if line is not None:
        _rsb_inset(axes[0], line)
    n = ds.attrs.get("n_spins", "?")
    sweeps = ds.attrs.get("sweeps", "?")
    plot.finish(
        axes,
        own,
        f"Hopfield phase diagram: Glauber dynamics, N = {n}, {sweeps} sweeps; "
        "lines: replica-symmetric theory" + ("; inset: one-step RSB" if line else ""),
    )
    return axes


def _rsb_inset(ax, line):
    inset = ax.inset_axes([0.6, 0.2, 0.37, 0.33])
    t = line["temperature"].values
    rs, rsb = line["alpha_c_rs"].values, line["alpha_c_1rsb"].values
    inset.plot(rs, t, "k-", lw=1.2, label="RS")
    inset.plot(rsb, t, "o-", color="tab:red", ms=2.5, lw=1.2, label="1RSB")
    gap = np.nanmax(rsb - rs)
    inset.set_ylim(0, t.max())
    inset.tick_params(labelsize=6)
    inset.xaxis.set_major_locator(plot.max_n_locator(3))
    inset.set_title(
        f"retrieval line near T = 0:\n1RSB and RS differ by < {gap:.1e} in alpha",
        fontsize=7,
        color="w",
    )
    inset.legend(fontsize=6, loc="lower left")


if __name__ == "__main__":
    main()
