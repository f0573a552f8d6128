"""Store random patterns, recall them from noisy cues, and print the overlaps.

Run: python examples/retrieval.py
"""

import numpy as np

import spinmem


def main() -> None:
    n, p = 1000, 50  # load alpha = 0.05, inside the retrieval phase
    patterns = spinmem.random_patterns(p, n, seed=1)
    net = spinmem.Hopfield.hebbian(patterns)
    cues = spinmem.make_cues(patterns[:5], flip_fraction=0.2, seed=2)  # m0 = 0.6
    print(f"N = {n}, p = {p}, alpha = {net.alpha:.3f}")
    print("initial overlaps with the cued patterns:", np.diag(net.overlaps(cues)).round(3))

    relaxed = spinmem.relax(net, cues, seed=3)
    print("after zero-temperature relaxation:    ", np.diag(net.overlaps(relaxed.state)))
    print(
        "sweeps taken:",
        relaxed.sweeps.values,
        "fixed points:",
        bool(relaxed.converged.all()),
    )

    for temperature in (0.2, 0.4):
        ds = spinmem.simulate(
            net, temperature=temperature, sweeps=200, init=cues, seed=4, record_every=10
        )
        m = ds.overlap.isel(sweep=slice(5, None)).mean("sweep")
        recalled = [float(m.sel(replica=k, pattern=k)) for k in range(5)]
        print(f"Glauber at T = {temperature}: mean overlap {np.round(recalled, 3)}")


if __name__ == "__main__":
    main()
