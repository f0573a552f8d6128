"""Figures from result Datasets (so they can be redrawn from HDF5 later).

Every function takes a Dataset (as returned by a study or read with
:func:`spinmem.load`), draws on the matplotlib axes given as ``ax=`` (one panel) or
``axes=`` (several, in the layout the docstring names), or on a new pyplot figure when
none are given, and returns the axes it drew on (``ax.figure`` is their figure); axes
are labelled from the variables' ``long_name`` and ``units`` attributes. Titles of the
whole figure and its layout are only set on figures the function made itself.
"""

import numpy as np
import xarray as xr

from . import analysis
from .analysis import seed_mean

__all__ = [
    "annealing",
    "capacity",
    "capacity_estimate",
    "equilibrium",
    "for_dataset",
    "label",
    "mixtures",
    "phase_diagram",
    "quicklook",
    "rules",
    "unlearning",
]

_AVERAGED = ("seed", "replica", "start", "point")
_UNLEARNING_VARIABLES = ("stable_fraction", "retrieval_overlap", "spurious_fraction")


def label(var: xr.DataArray) -> str:
    """Axis label ``long_name [units]`` of a variable or coordinate."""
    name = var.attrs.get("long_name", var.name)
    units = var.attrs.get("units")
    return f"{name} [{units}]" if units and units != "1" else str(name)


def for_dataset(ds: xr.Dataset, variable: str | None = None):
    """The study's own figure when ``ds`` was written by a study, else :func:`quicklook`;
    returns the axes drawn on."""
    study = ds.attrs.get("study")
    if variable is None and study in _STUDY_PLOTS:
        return _STUDY_PLOTS[study](ds)
    return quicklook(ds, variable)


def quicklook(ds: xr.Dataset, variable: str | None = None, *, ax=None):
    """One numeric variable, averaged over repetitions, as a line or a colour map.

    Dimensions ``seed``, ``replica``, ``start`` and ``point`` are averaged; of the rest,
    the first two are shown (the others averaged too, as the title says).
    """
    if variable is None:
        numeric = [n for n, v in ds.data_vars.items() if v.dtype.kind in "biuf" and v.size]
        if not numeric:
            raise ValueError("the dataset has no numeric variable to plot")
        variable = numeric[0]
    if variable not in ds.data_vars:
        raise ValueError(
            f"variable must be one of {sorted(ds.data_vars)}, got {variable!r}"
        )
    var = ds[variable].astype(float)
    averaged = [d for d in var.dims if d in _AVERAGED or var.sizes[d] == 1]
    rest = [d for d in var.dims if d not in averaged]
    averaged += rest[2:]
    var = var.mean(averaged, keep_attrs=True) if averaged else var
    panels, own = _panels(ax, (1, 1), "quicklook", figsize=(6, 4))
    ax = panels[0, 0]
    if var.ndim == 0:
        ax.bar([variable], [float(var)])
        ax.set_ylabel(label(ds[variable]))
    elif var.ndim == 1:
        dim = var.dims[0]
        x = ds[dim] if dim in ds.coords else xr.DataArray(np.arange(var.size), name=dim)
        ax.plot(x.values, var.values, marker="o", ms=3)
        ax.set_xlabel(label(x))
        ax.set_ylabel(label(ds[variable]))
    else:
        mesh = var.transpose(*rest[:2]).plot(ax=ax, add_colorbar=True)
        mesh.colorbar.set_label(label(ds[variable]))
    if averaged:
        ax.set_title(f"{variable}, averaged over {', '.join(averaged)}", fontsize=9)
    _finish(panels, own)
    return ax


def _subplots(*args, **kwargs):
    """``matplotlib.pyplot.subplots``, imported on first use so that ``import
    spinmem`` does not load pyplot."""
    import matplotlib.pyplot as plt

    return plt.subplots(*args, **kwargs)


def _panels(axes, shape: tuple[int, int], plot: str, **figure_kw):
    """``(axes, own)``: the given axes as an array of ``shape`` (checked), or the axes
    of a new figure of that layout; ``own`` says whether the figure is new."""
    if axes is None:
        _, new = _subplots(*shape, squeeze=False, **figure_kw)
        return new, True
    given = np.asarray(axes, dtype=object)
    size = shape[0] * shape[1]
    if given.size != size or not all(hasattr(a, "plot") for a in given.flat):
        raise ValueError(
            f"axes must be {size} matplotlib Axes ({shape[0]} x {shape[1]}) for "
            f"plot.{plot}, got {given.size} object(s)"
        )
    return given.reshape(shape), False


def _finish(axes, own: bool, title: str | None = None, fontsize: int = 11) -> None:
    """Title and tight layout of a figure the plot made itself."""
    if not own:
        return
    fig = np.ravel(axes)[0].figure
    if title:
        fig.suptitle(title, fontsize=fontsize)
    fig.tight_layout()


def _colormap(name: str):
    import matplotlib

    return matplotlib.colormaps[name]


def _max_n_locator(n: int):
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(n)


def _colour_cycle() -> list:
    import matplotlib

    return matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]


def _require(ds, plot: str, study: str, names) -> None:
    """A clear error when ``ds`` is not what a study plot draws."""
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"plot.{plot} needs an xarray.Dataset, got {type(ds).__name__}")
    if "point" in ds.dims:
        raise ValueError(
            f"plot.{plot} needs a complete study result; this is a partial sweep store "
            f"({ds.sizes['point']} finished points stacked along 'point'). Rerun the "
            "study to finish it"
        )
    missing = [name for name in names if name not in ds.variables]
    if missing:
        raise ValueError(
            f"plot.{plot} draws the result of studies/{study}.py and needs "
            f"{', '.join(names)}; this Dataset lacks {', '.join(missing)} "
            "(plot.quicklook draws any Dataset)"
        )


def _seed_mean(var: xr.DataArray) -> xr.DataArray:
    return var.mean("seed", keep_attrs=True) if "seed" in var.dims else var


def _theory_lines(ax, alpha_max):
    from . import theory

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


def phase_diagram(ds: xr.Dataset, *, axes=None):
    """Simulated retrieval overlap m and twin overlap q over (alpha, T), with the
    replica-symmetric lines T_M, T_c and T_g of Amit, Gutfreund & Sompolinsky; two
    panels (``axes``: 2 Axes)."""
    _require(ds, "phase_diagram", "phase_diagram", ("alpha", "temperature", "m", "q"))
    axes, own = _panels(axes, (1, 2), "phase_diagram", figsize=(11, 4.4), sharey=True)
    axes = axes[0]
    alpha = ds["alpha"].values
    temperature = ds["temperature"].values
    for ax, name, title in zip(
        axes,
        ("m", "q"),
        ("retrieval (start in a pattern)", "spin-glass order (twin replicas)"),
        strict=True,
    ):
        values = _seed_mean(ds[name]).transpose("temperature", "alpha").values
        mesh = ax.pcolormesh(
            alpha, temperature, values, shading="nearest", cmap="viridis", vmin=0, vmax=1
        )
        ax.figure.colorbar(mesh, ax=ax, label=label(ds[name]))
        _theory_lines(ax, alpha.max())
        ax.set_xlim(alpha.min() - 0.005, alpha.max() + 0.005)
        ax.set_ylim(0, temperature.max() + 0.05)
        ax.set_xlabel(label(ds["alpha"]))
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel(label(ds["temperature"]))
    axes[0].legend(
        loc="upper right", fontsize=8, facecolor="0.3", labelcolor="w", framealpha=0.6
    )
    n = ds.attrs.get("n_spins", "?")
    sweeps = ds.attrs.get("sweeps", "?")
    _finish(
        axes,
        own,
        f"Hopfield phase diagram: Glauber dynamics, N = {n}, {sweeps} sweeps; "
        "lines: replica-symmetric theory",
    )
    return axes


def capacity_estimate(ds: xr.Dataset) -> dict:
    """:func:`spinmem.analysis.capacity_estimate`, after checking the study kind."""
    _require(ds, "capacity_estimate", "capacity", ("alpha", "n", "m"))
    return analysis.capacity_estimate(ds)


def capacity(ds: xr.Dataset, *, axes=None):
    """Final overlap against alpha for several N, and the finite-size extrapolation of
    alpha_c(N) with nu fitted and fixed at 1 and 1/2 (``axes``: 2 Axes)."""
    est = capacity_estimate(ds)
    axes, own = _panels(
        axes, (1, 2), "capacity", figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.5, 1]}
    )
    axes = axes[0]
    ax, inset = axes
    reduced = seed_mean(ds)
    colours = _colormap("viridis")(np.linspace(0, 0.9, ds.sizes["n"]))
    for n, colour in zip(ds["n"].values, colours, strict=True):
        ax.errorbar(
            ds["alpha"].values,
            reduced["m"].sel(n=n).values,
            yerr=reduced["m_stderr"].sel(n=n).values,
            marker="o",
            ms=3,
            capsize=2,
            color=colour,
            label=f"N = {n}",
        )
    ax.axvline(
        analysis.RS_CAPACITY, color="k", ls="--", lw=1, label=r"RS $\alpha_c$ = 0.138"
    )
    ax.axhline(est["threshold"], color="0.6", ls=":", lw=1)
    ax.set_xlabel(label(ds["alpha"]))
    ax.set_ylabel(label(ds["m"]))
    ax.set_title("zero-temperature dynamics started in a stored pattern", fontsize=10)
    ax.legend(fontsize=7)
    x = 1.0 / est["n"]
    inset.errorbar(
        x,
        est["alpha_n"],
        yerr=est["alpha_n_err"],
        fmt="o",
        color="k",
        capsize=2,
        label=rf"$\alpha_c(N)$: m crosses {est['threshold']}",
    )
    sizes = np.geomspace(est["n"].min() / 1.2, 1e9, 200)
    for key, style in (("free", "-"), ("nu=1", "--"), ("nu=1/2", ":")):
        fit = est["fits"][key]
        if not np.isfinite(fit["limit"]):
            continue
        nu = rf"$\nu$ = {fit['nu']:.2f}" if key == "free" else key.replace("nu", r"$\nu$")
        inset.plot(
            1.0 / sizes,
            fit["limit"] + fit["a"] * sizes ** (-fit["nu"]),
            style,
            lw=1.2,
            label=rf"{nu}: $\alpha_c$ = {fit['limit']:.4f} $\pm$ {fit['limit_err']:.4f}",
        )
    inset.axhline(analysis.RS_CAPACITY, color="tab:red", lw=0.8, label="RS 0.1379")
    inset.axhline(
        analysis.RSB_CAPACITY, color="tab:purple", lw=0.8, ls="-.", label="1RSB 0.1382"
    )
    inset.set_xlabel("1/N")
    inset.set_ylabel(r"$\alpha_c(N)$")
    inset.set_xlim(0, x.max() * 1.1)
    inset.xaxis.set_major_locator(_max_n_locator(4))
    inset.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
    inset.legend(fontsize=7)
    inset.set_title(r"finite-size fits $\alpha_c + a N^{-\nu}$", fontsize=10)
    _finish(axes, own)
    return axes


def unlearning(ds: xr.Dataset, *, axes=None):
    """Stable fraction, cue retrieval and spurious fraction against t = epsilon D / N
    (``axes``: 3 Axes)."""
    _require(
        ds,
        "unlearning",
        "unlearning",
        ("t", "alpha", "epsilon", *_UNLEARNING_VARIABLES),
    )
    names = _UNLEARNING_VARIABLES
    axes, own = _panels(axes, (1, 3), "unlearning", figsize=(13, 3.8), sharex=True)
    axes = axes[0]
    t = ds["t"].values
    for ax, name in zip(axes, names, strict=True):
        for alpha in ds["alpha"].values:
            for k, eps in enumerate(ds["epsilon"].values):
                var = ds[name].sel(alpha=alpha, epsilon=eps)
                mean = _seed_mean(var).values
                ax.plot(
                    t,
                    mean,
                    ls=("-", "--", ":", "-.")[k % 4],
                    marker=".",
                    ms=3,
                    label=rf"$\alpha$={alpha:g}, $\epsilon$={eps:g}",
                )
        ax.set_xlabel(label(ds["t"]))
        ax.set_ylabel(label(ds[name]))
    axes[0].legend(fontsize=7)
    n = ds.attrs.get("n_spins", "?")
    _finish(axes, own, f"Hopfield-Feinstein-Palmer unlearning, N = {n}")
    return axes


def mixtures(census: xr.Dataset, energies: xr.Dataset | None = None, *, axes=None):
    """End-state fractions by class against alpha (one panel per temperature), and
    symmetric-mixture energies against finite-p theory (one more panel when
    ``energies`` is given)."""
    if "class" in census.dims:  # files written before the dimension was renamed
        census = census.rename({"class": "category"})
    _require(
        census, "mixtures", "mixtures", ("alpha", "temperature", "category", "fraction")
    )
    if energies is not None:
        _require(energies, "mixtures", "mixtures", ("components", "energy"))
    from . import theory

    temps = census["temperature"].values
    panels = len(temps) + (energies is not None)
    axes, own = _panels(axes, (1, panels), "mixtures", figsize=(3.3 * panels, 3.6))
    axes = axes[0]
    fraction = _seed_mean(census["fraction"])
    for ax, temp in zip(axes, temps, strict=False):
        for cls in census["category"].values:
            values = fraction.sel(temperature=temp, category=cls)
            ax.plot(census["alpha"].values, values, marker="o", ms=3, label=str(cls))
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(label(census["alpha"]))
        ax.set_title(f"T = {temp:g}", fontsize=10)
    axes[0].set_ylabel(label(census["fraction"]))
    axes[0].legend(fontsize=7)
    if energies is not None:
        ax = axes[-1]
        comps = energies["components"].values
        e = _seed_mean(energies["energy"]).values
        ax.plot(comps, e, "o", label="simulation (relaxed mixture)")
        theory_e = [theory.mixture_energy(int(c)) for c in comps]
        ax.plot(comps, theory_e, "k_", ms=18, mew=2, label=r"theory $-n m^2/2$")
        ax.set_xlabel(label(energies["components"]))
        ax.set_ylabel(label(energies["energy"]))
        ax.set_xticks(comps)
        ax.legend(fontsize=7)
        ax.set_title(
            f"symmetric mixtures, N = {energies.attrs.get('n_spins', '?')}", fontsize=10
        )
    _finish(
        axes, own, "zero-temperature end states from random starts (after Glauber at T)"
    )
    return axes


def annealing(ds: xr.Dataset, *, ax=None):
    """Final and best energy per spin against schedule length, averaged over instances
    (and seeds), with standard errors."""
    _require(ds, "annealing", "annealing", ("steps", "final", "best"))
    panels, own = _panels(ax, (1, 1), "annealing", figsize=(6, 4))
    ax = panels[0, 0]
    steps = ds["steps"].values
    over = [d for d in ("instance", "seed") if d in ds.dims]
    count = int(np.prod([ds.sizes[d] for d in over]))
    reduced = seed_mean(ds.stack(repetition=over), dim="repetition")
    for name, marker in (("final", "o"), ("best", "s")):
        ax.errorbar(
            steps,
            reduced[name].values,
            yerr=reduced[f"{name}_stderr"].values,
            marker=marker,
            ms=4,
            capsize=2,
            label=ds[name].attrs.get("long_name", name),
        )
    reference = ds.attrs.get("reference_energy")
    if reference is not None:
        ax.axhline(
            float(reference),
            color="k",
            ls="--",
            lw=1,
            label=f"SK ground state N→∞: {float(reference):g}",
        )
    ax.set_xscale("log")
    ax.set_xlabel(label(ds["steps"]) + " (1 sweep each)")
    ax.set_ylabel("energy per spin H/N")
    ax.set_title(
        f"simulated annealing, SK model N = {ds.attrs.get('n_spins', '?')}, "
        f"{count} instances",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    _finish(panels, own)
    return ax


_STUDY_PLOTS: dict = {
    "phase_diagram": phase_diagram,
    "capacity": capacity,
    "unlearning": unlearning,
    "annealing": annealing,
    "mixtures": mixtures,
}


def equilibrium(sk: xr.Dataset, hopfield: xr.Dataset, *, axes=None):
    """Results of ``studies/equilibrium.py``: disorder-averaged Binder cumulants of SK
    and Hopfield networks against T for several N, P(q) of SK at the lowest
    temperature, and where the retrieval states take over the equilibrium weight
    against the replica-symmetric T_c and T_M lines (``axes``: 2 x 2 Axes)."""
    from . import observables, theory

    _require(sk, "equilibrium", "equilibrium", ("n", "temperature", "q2", "q4", "pq"))
    _require(
        hopfield,
        "equilibrium",
        "equilibrium",
        ("alpha", "n", "retrieval", "q2", "q2_rhat", "round_trips"),
    )
    if "chains" not in hopfield.attrs:
        raise ValueError(
            "plot.equilibrium needs the Hopfield Dataset's 'chains' attribute (chains "
            "per run) to count round trips per chain"
        )
    axes, own = _panels(axes, (2, 2), "equilibrium", figsize=(11, 8.4))
    g = observables.binder_of_moments(sk.q2, sk.q4)
    _binder_panel(axes[0, 0], g, sk, 1.0, "SK", "T_c")
    alpha = float(hopfield.alpha.values.max())
    ghop = observables.binder_of_moments(
        hopfield.q2.sel(alpha=alpha), hopfield.q4.sel(alpha=alpha)
    )
    tg = theory.t_g(alpha)
    _binder_panel(axes[0, 1], ghop, hopfield, tg, rf"Hopfield, $\alpha$ = {alpha:g}", "T_g")
    ax = axes[1, 0]
    t_low = float(sk.temperature.values.min())
    for n in sk.n.values:
        pq = _seed_mean(sk.pq.sel(n=n, temperature=t_low))
        ax.plot(pq.q, pq, label=f"N = {n}")
    ax.set_xlabel("twin overlap q")
    ax.set_ylabel("P(q)")
    ax.set_title(f"SK overlap distribution at T = {t_low:g}", fontsize=10)
    ax.legend(fontsize=8)
    _retrieval_panel(axes[1, 1], hopfield, theory)
    _finish(
        axes,
        own,
        f"Equilibrium by parallel tempering: SK {sk.sizes['seed']} samples, "
        f"Hopfield {hopfield.sizes['seed']} samples per point",
    )
    return axes


_RESOLVED = 0.15  # a crossing with a larger jackknife error (or NaN) is not shown


def _binder_panel(ax, g, ds, t_star, title, star_label):
    for n in g.n.values:
        ax.errorbar(
            g.temperature,
            g.g.sel(n=n),
            g.g_stderr.sel(n=n),
            marker=".",
            capsize=2,
            label=f"N = {n}",
        )
    ax.axvline(t_star, color="k", ls="--", lw=1, label=f"${star_label}$ = {t_star:.3g}")
    cross = analysis.binder_crossings(g)
    text = ", ".join(
        f"{pair}: {x:.2f} ± {err:.2f}" if err < _RESOLVED else f"{pair}: none resolved"
        for pair, x, err in zip(
            cross.size_pair.values,
            cross.crossing.values,
            cross.crossing_stderr.values,
            strict=True,
        )
    )
    ax.set_title(f"{title} Binder cumulant\ncrossings {text}", fontsize=9)
    ax.set_xlabel(label(ds["temperature"]))
    ax.set_ylabel("g = (3 - <q^4>/<q^2>^2) / 2")
    ax.legend(fontsize=8)


def _retrieval_panel(ax, hopfield, theory):
    from . import stats

    weight = _seed_mean(hopfield.retrieval)
    t_half = analysis.crossings(weight, 0.5, dim="temperature")
    alphas = hopfield.alpha.values
    low = alphas[alphas < 0.052]
    grid = np.linspace(0.001, low.max() if low.size else 0.05, 60)
    ax.plot(grid, [theory.t_c(a) for a in grid], "k:", label="$T_c$ (RS)")
    ax.plot(grid, [theory.t_m(a) for a in grid], "k-", lw=1, label="$T_M$ (RS)")
    check = stats.mixed(
        hopfield.q2_rhat.max("temperature"),
        hopfield.round_trips / int(hopfield.attrs["chains"]),
    )
    every_sample = check.all("seed")
    for n in hopfield.n.values:
        (line,) = ax.plot(
            low, t_half.sel(n=n, alpha=low), "-", label=_sweeps_label(hopfield, n, low)
        )
        mixed = every_sample.sel(n=n, alpha=low).values
        for ok, face in ((mixed, line.get_color()), (~mixed, "white")):
            ax.plot(
                low[ok],
                t_half.sel(n=n, alpha=low).values[ok],
                "o",
                color=line.get_color(),
                markerfacecolor=face,
            )
    ax.text(
        0.98,
        0.98,
        f"open: some sample not {check.attrs['long_name']}",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8,
    )
    ax.set_xlabel(label(hopfield["alpha"]))
    ax.set_ylabel(label(hopfield["temperature"]))
    ax.set_title(
        "retrieval weight 1/2 (some |m| > 0.5), parallel tempering from random states",
        fontsize=9,
    )
    ax.legend(fontsize=8)


def _sweeps_label(ds, n, alphas) -> str:
    """``N = n``, with the sweeps per run of those points when ``ds`` records them."""
    if "sweeps" not in ds:
        return f"N = {n}"
    low, high = np.unique(ds.sweeps.sel(n=n, alpha=alphas).values)[[0, -1]]
    return f"N = {n}, {low} sweeps" if low == high else f"N = {n}, {low}–{high} sweeps"


_ANCHORS = (
    (0.138, "k", "--", r"Hebbian $\alpha_c$ = 0.138"),
    (0.6, "0.4", ":", r"HFP unlearning, best ($\approx$ 0.6)"),
    (1.0, "0.6", "-.", r"projection: up to $\alpha$ = 1"),
)
_SIZE_STYLES = ("-", "--", ":", "-.")


def rules(pairwise: xr.Dataset, memories: xr.Dataset, *, axes=None):
    """Results of ``studies/rules.py``: the fraction of stored patterns that are fixed
    points and the overlap reached from cues at 0.8, against the load, for each learning
    rule (against alpha = p/N, with the Hebbian, unlearning and projection anchors) and
    for the power dense memories (against p / N^(n-1), the error-free capacity
    N^(n-1) / (2 (2n-3)!! ln N) of each N marked); ``axes``: 2 x 2 Axes."""
    _require(pairwise, "rules", "rules", ("rule", "alpha", "n", "stable", "m"))
    _require(memories, "rules", "rules", ("degree", "relative_load", "n", "stable", "load"))
    axes, own = _panels(axes, (2, 2), "rules", figsize=(11.5, 8.4))
    colours = _colour_cycle()
    for col, name in enumerate(("stable", "m")):
        ax = axes[0, col]
        for k, rule in enumerate(pairwise.rule.values):
            for j, n in enumerate(pairwise.n.values):
                y = _seed_mean(pairwise[name].sel(rule=rule, n=n))
                ax.plot(
                    pairwise.alpha,
                    y,
                    _SIZE_STYLES[j % 4],
                    color=colours[k % len(colours)],
                    marker=".",
                    label=str(rule) if j == 0 else None,
                )
        for x, colour, style, text in _ANCHORS:
            ax.axvline(x, color=colour, ls=style, lw=1, label=text if col == 0 else None)
        ax.set_xlabel(label(pairwise.alpha))
        ax.set_ylabel(label(pairwise[name]))
        ax.set_ylim(-0.03 if name == "stable" else None, 1.03)
        ax = axes[1, col]
        for k, degree in enumerate(memories.degree.values):
            for j, n in enumerate(memories.n.values):
                cell = memories.sel(degree=degree, n=n)
                colour = colours[(k + 7) % len(colours)]
                ax.plot(
                    _seed_mean(cell["load"]),
                    _seed_mean(cell[name]),
                    _SIZE_STYLES[j % 4],
                    color=colour,
                    marker=".",
                    label=f"power n = {degree}, N = {n}",
                )
                anchor = _seed_mean(cell["load"]).values / cell.relative_load.values
                ax.axvline(float(anchor[0]), color=colour, ls=_SIZE_STYLES[j % 4], lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("load p / N$^{n-1}$ (thin lines: error-free capacity)")
        ax.set_ylabel(label(memories[name]))
        ax.set_ylim(-0.03 if name == "stable" else None, 1.03)
    sizes = ", ".join(
        f"{style} N = {n}"
        for style, n in zip(_SIZE_STYLES, pairwise.n.values, strict=False)
    )
    axes[0, 0].set_title(f"learning rules ({sizes})", fontsize=10)
    axes[0, 1].set_title("retrieval from cues at overlap 0.8", fontsize=10)
    axes[1, 0].set_title("power dense memories", fontsize=10)
    axes[0, 0].legend(fontsize=7, ncol=2)
    axes[1, 0].legend(fontsize=7)
    _finish(
        axes, own, f"Capacity across models, {pairwise.sizes['seed']} samples per point"
    )
    return axes
