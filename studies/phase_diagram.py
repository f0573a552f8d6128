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

import numpy as np

import spinmem
from spinmem import study
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
    late = run.overlap.sel(time=slice(half, None))
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
    states = pair.states.sel(time=slice(half, None)).values.astype(np.float64)
    q = float(np.mean(np.einsum("ati,ati->at", states[0::2], states[1::2]) / n))
    m_random = float(np.abs(pair.overlap.isel(time=-1)).max("pattern").mean())
    return study.scalars(
        m=(m, "retrieval overlap m", "1"),
        q=(q, "twin overlap q", "1"),
        m_random=(m_random, "largest |m| from random starts", "1"),
    )


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0]).parse_args(argv)
    if args.quick:
        n, sweeps, seeds = 500, 200, 1
        alphas = [0.01, 0.03, 0.05, 0.07, 0.09, 0.11, 0.13, 0.15, 0.18]
        temperatures = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 1.15, 1.3, 1.45]
    else:
        n, sweeps, seeds = 2000, 1000, 2
        alphas = [round(a, 3) for a in np.arange(0.01, 0.201, 0.01)]
        temperatures = [round(t, 3) for t in np.arange(0.05, 1.551, 0.05)]
    store, figure = study.outputs(args, NAME)
    ds = study.run(
        functools.partial(point, n=n, sweeps=sweeps),
        {"alpha": alphas, "temperature": temperatures},
        args,
        name=NAME,
        seeds=seeds,
        store=store,
        n_spins=n,
        sweeps=sweeps,
        dynamics="glauber",
    )
    study.save_figure(spinmem.plot.phase_diagram(ds), figure)
    return ds


if __name__ == "__main__":
    main()
