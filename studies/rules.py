"""Capacity across models: learning rules and dense associative memories.

For each learning rule (Hebbian, clipped, diluted, Storkey, dreaming kernel,
projection) and the exponential dense memory, at load alpha = p/N, and for the power
dense memories (degree n = 3, 4) at p = r p_max with the error-free capacity
p_max = N^(n-1) / (2 (2n-3)!! ln N) and r the relative load: the fraction of stored
patterns that are fixed points (every site aligned with a non-zero field), and the mean
overlap reached by zero-temperature asynchronous dynamics from cues at initial overlap
0.8 (10 % of the bits flipped), at two or more sizes N. The figure draws the dense
memories against p / N^(n-1) with their p_max marked, and the known anchors: Hebbian
alpha_c = 0.138, projection rule up to alpha = 1, HFP unlearning near alpha = 0.6.

Run: python studies/rules.py [--quick] [--workers K]
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

import spinmem
from spinmem import memory, plot, rules, study
from spinmem.seeding import child

NAME = "rules"
RULES = ["hebbian", "clipped", "diluted", "storkey", "dreaming", "projection", "exp"]
DILUTION = 0.5  # connection probability c of the diluted rule
DREAMING_TIME = 1.0  # t of the dreaming kernel, half way from Hebbian to projection
LAM = 1.0  # rate of the exponential dense memory
CUE_FLIP = 0.1  # cues at initial overlap 1 - 2 * 0.1 = 0.8


def p_max(degree: int, n: int) -> float:
    """Error-free capacity of the power dense memory, ``N^(n-1) / (2 (2n-3)!! ln N)``."""
    double_factorial = math.prod(range(2 * degree - 3, 0, -2))
    return n ** (degree - 1) / (2 * double_factorial * math.log(n))


def _model(rule: str, xi: np.ndarray, seed) -> spinmem.Hopfield:
    if rule == "hebbian":
        return spinmem.Hopfield.hebbian(xi)
    if rule == "diluted":
        return rules.diluted(xi, DILUTION, seed=child(seed, 3))
    if rule == "dreaming":
        return rules.dreaming(xi, DREAMING_TIME)
    if rule == "exp":
        return memory.DenseMemory(xi, "exp", lam=LAM)
    return getattr(rules, rule)(xi)


def _measure(net, xi, *, probes, max_sweeps, seed):
    """Stable fraction over up to ``probes`` patterns and retrieval from their cues."""
    k = min(probes, xi.shape[0])
    targets = xi[:k]
    stable = net.is_fixed_point(targets, strict=True)
    cues = spinmem.make_cues(targets, CUE_FLIP, seed=child(seed, 1))
    out = spinmem.relax(net, cues, seed=child(seed, 2), max_sweeps=max_sweeps)
    m = np.einsum("ki,ki->k", out.state.values.astype(np.float64), targets) / xi.shape[1]
    return study.scalars(
        stable=(
            float(stable.mean()),
            "fraction of stored patterns that are fixed points",
            "1",
        ),
        m=(float(m.mean()), "overlap after relaxing from cues at overlap 0.8", "1"),
        recalled=(float(np.mean(m == 1.0)), "fraction of cues recalled exactly", "1"),
        converged=(
            float(np.mean(out.converged.values)),
            f"fraction of relaxations at a fixed point within {max_sweeps} sweeps",
            "1",
        ),
    )


def rule_point(rule, alpha, n, *, probes, max_sweeps, seed):
    """One rule (or the exponential memory) at load alpha = p/N."""
    p = max(1, round(alpha * n))
    xi = spinmem.random_patterns(p, n, seed=child(seed, 0))
    net = _model(rule, xi, seed)
    return _measure(net, xi, probes=probes, max_sweeps=max_sweeps, seed=seed)


def memory_point(degree, relative_load, n, *, probes, max_sweeps, seed):
    """The power dense memory of degree n at p = relative_load * p_max(n, N)."""
    p = max(1, round(relative_load * p_max(degree, n)))
    xi = spinmem.random_patterns(p, n, seed=child(seed, 0))
    net = memory.DenseMemory(xi, "power", degree=degree)
    ds = _measure(net, xi, probes=probes, max_sweeps=max_sweeps, seed=seed)
    ds["load"] = (
        (),
        p / n ** (degree - 1),
        {"long_name": "load p / N^(n-1)", "units": "1"},
    )
    return ds


@dataclass(frozen=True)
class Settings:
    """The settings of one mode (``--quick`` or full)."""

    sizes: list  # N of the pairwise rules
    memory_sizes: list  # N of the dense memories
    seeds: int  # networks per point
    probes: int  # patterns and cues probed per network
    alphas: list
    relative_loads: list  # p / p_max of the dense memories


QUICK = Settings(
    sizes=[100, 200],
    memory_sizes=[40, 80],
    seeds=2,
    probes=20,
    alphas=[0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 0.9],
    relative_loads=[0.5, 1.0, 2.0, 4.0, 8.0],
)
FULL = Settings(
    sizes=[200, 400, 800],
    memory_sizes=[50, 100],
    seeds=4,
    probes=40,
    alphas=[0.05, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    relative_loads=[0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0],
)


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0], NAME).parse_args(argv)
    mode = QUICK if args.quick else FULL
    settings = {"probes": mode.probes, "max_sweeps": 200}
    store, png = study.outputs(args, NAME)
    pairwise = study.run(
        functools.partial(rule_point, **settings),
        {"rule": RULES, "alpha": mode.alphas, "n": mode.sizes},
        args,
        name=NAME,
        seeds=mode.seeds,
        store=store,
        dilution=DILUTION,
        dreaming_time=DREAMING_TIME,
        lam=LAM,
        **settings,
    )
    memories = study.run(
        functools.partial(memory_point, **settings),
        {"degree": [3, 4], "relative_load": mode.relative_loads, "n": mode.memory_sizes},
        args,
        name=NAME,
        seeds=mode.seeds,
        store=store.with_name(store.name.replace(NAME, f"{NAME}-memories")),
        **settings,
    )
    report(pairwise, memories)
    study.save_figure(figure(pairwise, memories), png)
    return pairwise, memories


def report(pairwise, memories) -> None:
    """Where each model's stable fraction drops below 1/2 (linear interpolation of the
    seed mean), at each N, and the seed-mean overlaps reached from cues."""
    print("load where half the stored patterns are fixed points:")
    families = (
        (pairwise, "rule", "alpha", "{} (alpha)"),
        (memories, "degree", "relative_load", "power n={} (p/p_max)"),
    )
    for ds, family, load, name in families:
        stable = ds.stable.mean("seed")
        for value in ds[family].values:
            cells = [
                f"N={n}: {_half(stable.sel({family: value, 'n': n}), load)}"
                for n in ds.n.values
            ]
            print(f"  {name.format(value):22s}" + "  ".join(cells))
    m = pairwise.m.mean("seed")
    for n in pairwise.n.values:
        print(f"overlap from cues at 0.8, N = {n}:")
        print("  alpha " + "".join(f"{r!s:>11s}" for r in pairwise.rule.values))
        for alpha in pairwise.alpha.values:
            row = m.sel(n=n, alpha=alpha).values
            print(f"  {alpha:5.3f} " + "".join(f"{v:11.3f}" for v in row))


def _half(curve, dim) -> str:
    """Where ``curve`` first falls below one half (:func:`spinmem.analysis.crossings`),
    or the side of the grid it stays on."""
    at = float(spinmem.analysis.crossings(curve, 0.5, dim))
    if np.isnan(at):
        x = curve[dim].values
        return f"< {x[0]:g}" if curve.values[0] < 0.5 else f"> {x[-1]:g}"
    return f"{at:.3f}"


_ANCHORS = (
    (0.138, "k", "--", r"Hebbian $\alpha_c$ = 0.138"),
    (0.6, "0.4", ":", r"HFP unlearning, best ($\approx$ 0.6)"),
    (1.0, "0.6", "-.", r"projection: up to $\alpha$ = 1"),
)


_SIZE_STYLES = ("-", "--", ":", "-.")


def figure(pairwise: xr.Dataset, memories: xr.Dataset, *, axes=None):
    """The study's figure: the fraction of stored patterns that are fixed
    points and the overlap reached from cues at 0.8, against the load, for each learning
    rule (against alpha = p/N, with the Hebbian, unlearning and projection anchors) and
    for the power dense memories (against p / N^(n-1), the error-free capacity
    N^(n-1) / (2 (2n-3)!! ln N) of each N marked); ``axes``: 2 x 2 Axes."""
    plot.require(pairwise, NAME, ("rule", "alpha", "n", "stable", "m"))
    plot.require(memories, NAME, ("degree", "relative_load", "n", "stable", "load"))
    axes, own = plot.panels(axes, (2, 2), NAME, figsize=(11.5, 8.4))
    colours = plot.colour_cycle()
    for col, name in enumerate(("stable", "m")):
        ax = axes[0, col]
        for k, rule in enumerate(pairwise.rule.values):
            for j, n in enumerate(pairwise.n.values):
                y = plot.seed_averaged(pairwise[name].sel(rule=rule, n=n))
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
        ax.set_xlabel(plot.label(pairwise.alpha))
        ax.set_ylabel(plot.label(pairwise[name]))
        ax.set_ylim(-0.03 if name == "stable" else None, 1.03)
        ax = axes[1, col]
        for k, degree in enumerate(memories.degree.values):
            for j, n in enumerate(memories.n.values):
                cell = memories.sel(degree=degree, n=n)
                colour = colours[(k + 7) % len(colours)]
                ax.plot(
                    plot.seed_averaged(cell["load"]),
                    plot.seed_averaged(cell[name]),
                    _SIZE_STYLES[j % 4],
                    color=colour,
                    marker=".",
                    label=f"power n = {degree}, N = {n}",
                )
                anchor = plot.seed_averaged(cell["load"]).values / cell.relative_load.values
                ax.axvline(float(anchor[0]), color=colour, ls=_SIZE_STYLES[j % 4], lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("load p / N$^{n-1}$ (thin lines: error-free capacity)")
        ax.set_ylabel(plot.label(memories[name]))
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
    plot.finish(
        axes, own, f"Capacity across models, {pairwise.sizes['seed']} samples per point"
    )
    return axes


def draw(path, ds: xr.Dataset):
    """The figure from either store (learning rules or dense memories) read from
    ``path``, with the other one beside it (for ``spinmem plot``)."""
    if "degree" in ds.dims:
        return figure(study.sibling(path, f"{NAME}-memories", NAME), ds)
    return figure(ds, study.sibling(path, NAME, f"{NAME}-memories"))


if __name__ == "__main__":
    main()
