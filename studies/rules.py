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

import numpy as np

import spinmem
from spinmem import dense, rules, study
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
        return dense.DenseMemory(xi, "exp", lam=LAM)
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
    net = dense.DenseMemory(xi, "power", degree=degree)
    ds = _measure(net, xi, probes=probes, max_sweeps=max_sweeps, seed=seed)
    ds["load"] = (
        (),
        p / n ** (degree - 1),
        {"long_name": "load p / N^(n-1)", "units": "1"},
    )
    return ds


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0]).parse_args(argv)
    if args.quick:
        sizes, memory_sizes, seeds, probes = [100, 200], [40, 80], 2, 20
        alphas = [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 0.9]
        relative = [0.5, 1.0, 2.0, 4.0, 8.0]
    else:
        sizes, memory_sizes, seeds, probes = [200, 400, 800], [50, 100], 4, 40
        alphas = [0.05, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7]
        alphas += [0.8, 0.9]
        relative = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0]
    settings = {"probes": probes, "max_sweeps": 200}
    store, figure = study.outputs(args, NAME)
    pairwise = study.run(
        functools.partial(rule_point, **settings),
        {"rule": RULES, "alpha": alphas, "n": sizes},
        args,
        name=NAME,
        seeds=seeds,
        store=store,
        dilution=DILUTION,
        dreaming_time=DREAMING_TIME,
        lam=LAM,
        **settings,
    )
    memories = study.run(
        functools.partial(memory_point, **settings),
        {"degree": [3, 4], "relative_load": relative, "n": memory_sizes},
        args,
        name=NAME,
        seeds=seeds,
        store=store.with_name(store.name.replace(NAME, f"{NAME}-memories")),
        **settings,
    )
    report(pairwise, memories)
    study.save_figure(spinmem.plot.rules(pairwise, memories), figure)
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


if __name__ == "__main__":
    main()
