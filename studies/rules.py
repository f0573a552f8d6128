"""Capacity across models: learning rules and dense associative memories.

For each learning rule (Hebbian, clipped, diluted, Storkey, dreaming kernel,
projection) and the exponential dense memory, at load alpha = p/N, and for the power
dense memories (degree n = 3, 4) at p = r p_max with the error-free capacity
p_max = N^(n-1) / (2 (2n-3)!! ln N) and r the relative load: the fraction of stored
patterns that are fixed points (every site aligned with a non-zero field), and the mean
overlap reached by zero-temperature asynchronous dynamics from cues at initial overlap
0.8 (10 % of the bits flipped), at two or more sizes N. The figure draws the dense
memories against p / N^(n-1) with their p_max marked, and the known anchors: Hebbian
alpha_c = 0.138, projection rule up to alpha = 1.

A third store, ``<name>-learned``, compares couplings learned for the patterns: the
projection rule, Hebbian unlearning stopped at D_top (epsilon = 0.01, the dreams of
the largest minimum stability, read every t = 0.01 up to t = 1) and the symmetric
perceptron with margins kappa = 0, 0.3, 0.6 from a Hebbian start: whether learning met
its goal (every pattern stable; for the perceptron every stability above kappa within
``max_steps``) against Gardner's bound alpha_c(kappa) for unconstrained couplings, and
the basins, the overlaps reached from cues at 0.8 and 0.5. Unlearning at D_top enters
the rule panels as a measured curve.

Run: python studies/rules.py [--quick] [--workers K]
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

import spinmem
from spinmem import memory, plot, rules, study, theory
from spinmem.seeding import child

NAME = "rules"
RULES = ["hebbian", "clipped", "diluted", "storkey", "dreaming", "projection", "exp"]
DILUTION = 0.5  # connection probability c of the diluted rule
DREAMING_TIME = 1.0  # t of the dreaming kernel, half way from Hebbian to projection
LAM = 1.0  # rate of the exponential dense memory
CUE_FLIP = 0.1  # cues at initial overlap 1 - 2 * 0.1 = 0.8
WEAK_CUE_FLIP = 0.25  # cues at initial overlap 0.5, for the basins of learned couplings
KAPPAS = (0.0, 0.3, 0.6)  # margins of the symmetric perceptron
LEARNED = ["projection", "unlearning", *[f"perceptron kappa={k:g}" for k in KAPPAS]]
UNLEARNING_EPSILON = 0.01
UNLEARNING_DT = 0.01  # records of the unlearning trace, on the clock t = epsilon D / N
UNLEARNING_T_MAX = 1.0


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


def _learned_model(method, xi, *, max_steps, seed):
    """Couplings learned for ``xi`` and whether learning met its goal: the projection
    rule (goal: every pattern a strict fixed point); unlearning stopped at D_top, the
    dreams of the largest minimum stability (goal: an all-stable window, D_in exists);
    the symmetric perceptron (goal: every stability above kappa within
    ``max_steps``)."""
    if method == "projection":
        net = rules.projection(xi)
        return net, float(np.all(net.is_fixed_point(xi, strict=True)))
    if method == "unlearning":
        net = spinmem.Hopfield.hebbian(xi)
        n = xi.shape[1]
        every = max(1, round(UNLEARNING_DT * n / UNLEARNING_EPSILON))
        options = {"epsilon": UNLEARNING_EPSILON, "seed": child(seed, 4)}
        options.update(measure="stability", progress=False)
        steps = math.ceil(UNLEARNING_T_MAX / UNLEARNING_DT)
        _, trace = spinmem.unlearn(net, dreams=every * steps, record_every=every, **options)
        found = spinmem.unlearning.milestones(trace)
        top, _ = spinmem.unlearn(net, dreams=int(found.d_top), **options)
        return top, float(np.isfinite(found.d_in))
    kappa = float(method.split("=")[1])
    learned = rules.symmetric_perceptron(xi, kappa, max_steps=max_steps)
    return learned.model, float(learned.converged)


def learned_point(learning, alpha, n, *, probes, max_sweeps, max_steps, seed):
    """Couplings learned by the projection rule, unlearning at D_top or the symmetric
    perceptron, at load alpha = p/N: whether learning met its goal, the stabilities,
    and retrieval from cues at overlap 0.8 and 0.5."""
    p = max(1, round(alpha * n))
    xi = spinmem.random_patterns(p, n, seed=child(seed, 0))
    if learning == "projection" and p > n:  # the rule stores at most N patterns
        return _not_stored(max_sweeps)
    net, learned = _learned_model(learning, xi, max_steps=max_steps, seed=seed)
    ds = _measure(net, xi, probes=probes, max_sweeps=max_sweeps, seed=seed)
    k = min(probes, p)
    cues = spinmem.make_cues(xi[:k], WEAK_CUE_FLIP, seed=child(seed, 5))
    out = spinmem.relax(net, cues, seed=child(seed, 6), max_sweeps=max_sweeps)
    weak = np.einsum("ki,ki->k", out.state.values.astype(np.float64), xi[:k]) / n
    return ds.merge(
        study.scalars(
            learned=(learned, _LEARNED_NAMES["learned"], "1"),
            min_stability=(
                float(net.stability(xi).min()),
                _LEARNED_NAMES["min_stability"],
                "1",
            ),
            m_weak=(float(weak.mean()), _LEARNED_NAMES["m_weak"], "1"),
        )
    )


_LEARNED_NAMES = {
    "stable": "fraction of stored patterns that are fixed points",
    "m": "overlap after relaxing from cues at overlap 0.8",
    "recalled": "fraction of cues recalled exactly",
    "converged": "fraction of relaxations at a fixed point within {} sweeps",
    "learned": "learning met its goal",
    "min_stability": "smallest stability of a stored pattern",
    "m_weak": "overlap after relaxing from cues at overlap 0.5",
}
"""The variables of :func:`learned_point` (the first four as :func:`_measure` names
them)."""


def _not_stored(max_sweeps) -> xr.Dataset:
    """The record of a method that cannot store the patterns: goal not met (0),
    nothing measured (NaN)."""
    return study.scalars(
        **{
            key: (0.0 if key == "learned" else np.nan, name.format(max_sweeps), "1")
            for key, name in _LEARNED_NAMES.items()
        }
    )


@dataclass(frozen=True)
class Settings:
    """The settings of one mode (``--quick`` or full)."""

    sizes: list  # N of the pairwise rules
    memory_sizes: list  # N of the dense memories
    seeds: int  # networks per point
    probes: int  # patterns and cues probed per network
    alphas: list
    relative_loads: list  # p / p_max of the dense memories
    learned_sizes: list  # N of the learned couplings
    learned_alphas: list
    max_steps: int  # of the symmetric perceptron


QUICK = Settings(
    sizes=[100, 200],
    memory_sizes=[40, 80],
    seeds=2,
    probes=20,
    alphas=[0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 0.9],
    relative_loads=[0.5, 1.0, 2.0, 4.0, 8.0],
    learned_sizes=[40, 80],
    learned_alphas=[0.2, 0.4, 0.6, 0.8, 1.0, 1.3],
    max_steps=500,
)
FULL = Settings(
    sizes=[200, 400, 800],
    memory_sizes=[50, 100],
    seeds=4,
    probes=40,
    alphas=[0.05, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    relative_loads=[0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0],
    learned_sizes=[100, 200],
    learned_alphas=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0],
    max_steps=2000,
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
    learned = study.run(
        functools.partial(learned_point, **settings, max_steps=mode.max_steps),
        {"learning": LEARNED, "alpha": mode.learned_alphas, "n": mode.learned_sizes},
        args,
        name=NAME,
        seeds=mode.seeds,
        store=store.with_name(store.name.replace(NAME, f"{NAME}-learned")),
        epsilon=UNLEARNING_EPSILON,
        kappas=list(KAPPAS),
        max_steps=mode.max_steps,
        **settings,
    )
    report(pairwise, memories, learned)
    study.save_figure(figure(pairwise, memories, learned), png)
    return pairwise, memories, learned


def report(pairwise, memories, learned) -> None:
    """Where each model's stable fraction drops below 1/2 (linear interpolation of the
    seed mean), at each N, and the seed-mean overlaps reached from cues; for the
    learned couplings, where half the networks meet the learning goal (against
    Gardner's bound for the perceptron's margin), and their basins."""
    print("load where half the stored patterns are fixed points:")
    families = (
        (pairwise, "rule", "alpha", "{} (alpha)"),
        (memories, "degree", "relative_load", "power n={} (p/p_max)"),
    )
    for ds, family, load, name in families:
        stable = ds.stable.mean("seed")
        for value in ds[family].values:
            curve = stable.sel({family: value})
            cells = [
                f"N={n}: {study.crossing_text(curve.sel(n=n), 0.5, load)}"
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
    _report_learned(learned)


def _report_learned(learned) -> None:
    goal = learned.learned.mean("seed")
    print("load where half the networks meet the learning goal (Gardner's bound):")
    for method in learned.learning.values:
        cells = [
            f"N={n}: {study.crossing_text(goal.sel(learning=method, n=n), 0.5, 'alpha')}"
            for n in learned.n.values
        ]
        bound = _gardner(str(method))
        extra = "" if bound is None else f"  (Gardner {bound:.3f})"
        print(f"  {method!s:22s}" + "  ".join(cells) + extra)
    n = learned.n.values[-1]
    print(f"overlap from cues at 0.8 / 0.5, N = {n}:")
    print("  alpha " + "".join(f"{m!s:>22s}" for m in learned.learning.values))
    strong, weak = (learned[v].sel(n=n).mean("seed") for v in ("m", "m_weak"))
    for alpha in learned.alpha.values:
        cells = zip(
            strong.sel(alpha=alpha).values, weak.sel(alpha=alpha).values, strict=True
        )
        print(f"  {alpha:5.2f} " + "".join(f"{a:14.3f} / {b:.3f}" for a, b in cells))


def _gardner(method: str) -> float | None:
    """Gardner's capacity for a perceptron method's margin; None for other methods."""
    if not method.startswith("perceptron"):
        return None
    return theory.gardner_capacity(float(method.split("=")[1]))


_ANCHORS = (
    (0.138, "k", "--", r"Hebbian $\alpha_c$ = 0.138"),
    (1.0, "0.6", "-.", r"projection: up to $\alpha$ = 1"),
)


_SIZE_STYLES = ("-", "--", ":", "-.")


def figure(pairwise: xr.Dataset, memories: xr.Dataset, learned: xr.Dataset, *, axes=None):
    """The study's figure: the fraction of stored patterns that are fixed
    points and the overlap reached from cues at 0.8, against the load, for each learning
    rule and unlearning at D_top (against alpha = p/N, with the Hebbian and projection
    anchors) and for the power dense memories (against p / N^(n-1), the error-free
    capacity N^(n-1) / (2 (2n-3)!! ln N) of each N marked); for the learned couplings,
    the fraction of networks that meet the learning goal (with Gardner's bound for
    each perceptron margin) and the overlaps from cues at 0.8 and 0.5;
    ``axes``: 3 x 2 Axes."""
    plot.require(pairwise, NAME, ("rule", "alpha", "n", "stable", "m"))
    plot.require(memories, NAME, ("degree", "relative_load", "n", "stable", "load"))
    plot.require(learned, NAME, ("learning", "alpha", "n", "learned", "m", "m_weak"))
    axes, own = plot.panels(axes, (3, 2), NAME, figsize=(11.5, 12.0))
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
        unlearning = learned.sel(learning="unlearning")
        for j, n in enumerate(unlearning.n.values):
            ax.plot(
                unlearning.alpha,
                plot.seed_averaged(unlearning[name].sel(n=n)),
                _SIZE_STYLES[j % 4],
                color="k",
                marker="x",
                ms=4,
                label=f"unlearning at D_top, N = {n}" if col == 0 else None,
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
    _learned_panels(axes[2], learned, colours)
    plot.finish(
        axes, own, f"Capacity across models, {pairwise.sizes['seed']} samples per point"
    )
    return axes


def _learned_colour(method: str, k: int, colours):
    """The projection rule's colour of the rule panels, unlearning's black, the
    perceptrons their own."""
    if method in RULES:
        return colours[RULES.index(method) % len(colours)]
    return "k" if method == "unlearning" else colours[(len(RULES) + k) % len(colours)]


def _learned_panels(axes, learned, colours):
    goal_ax, basin_ax = axes
    for k, method in enumerate(learned.learning.values):
        colour = _learned_colour(str(method), k, colours)
        cell = learned.sel(learning=method)
        for j, n in enumerate(cell.n.values):
            goal_ax.plot(
                cell.alpha,
                plot.seed_averaged(cell["learned"].sel(n=n)),
                _SIZE_STYLES[j % 4],
                color=colour,
                marker=".",
                label=str(method) if j == 0 else None,
            )
        bound = _gardner(str(method))
        if bound is not None and bound <= float(learned.alpha.max()) * 1.1:
            goal_ax.axvline(bound, color=colour, lw=2, alpha=0.4)
        largest = cell.sel(n=cell.n.values[-1])
        for name, style in (("m", "-"), ("m_weak", "--")):
            basin_ax.plot(
                largest.alpha,
                plot.seed_averaged(largest[name]),
                style,
                color=colour,
                marker=".",
                label=str(method) if name == "m" else None,
            )
    goal_ax.set_xlabel(plot.label(learned.alpha))
    goal_ax.set_ylabel("fraction of networks meeting the goal")
    goal_ax.set_ylim(-0.03, 1.03)
    goal_ax.set_title(
        "learned couplings (thick: Gardner's bound for the perceptron's margin)",
        fontsize=9,
    )
    goal_ax.legend(fontsize=7)
    basin_ax.set_xlabel(plot.label(learned.alpha))
    basin_ax.set_ylabel("overlap after relaxing")
    basin_ax.set_ylim(None, 1.03)
    basin_ax.set_title(
        f"basins, N = {learned.n.values[-1]}: cues at 0.8 (solid), 0.5 (dashed)",
        fontsize=9,
    )
    basin_ax.legend(fontsize=7)


def draw(path, ds: xr.Dataset):
    """The figure from any of the study's stores (learning rules, dense memories or
    learned couplings) read from ``path``, with the others beside it (for ``spinmem
    plot``)."""
    own = next(
        (f"{NAME}-{part}" for part in ("memories", "learned") if _part_of(ds, part)), NAME
    )
    stores = {
        part: ds if own == part else study.sibling(path, own, part)
        for part in (NAME, f"{NAME}-memories", f"{NAME}-learned")
    }
    return figure(*stores.values())


def _part_of(ds: xr.Dataset, part: str) -> bool:
    """Whether ``ds`` is the study's ``memories`` or ``learned`` store."""
    return {"memories": "degree", "learned": "learning"}[part] in ds.dims


if __name__ == "__main__":
    main()
