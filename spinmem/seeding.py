"""Random streams: one keyword, one root seed, one independent stream per replica.

Every public function takes ``seed`` (None, an int, a ``numpy.random.SeedSequence`` or a
``numpy.random.Generator``) and turns it into a root ``SeedSequence`` with
:func:`root_sequence`. Independent streams are its children by position
(``SeedSequence(entropy, spawn_key=root.spawn_key + (k,))``), never ``seed + k``, so a
replica's numbers depend only on the root seed and its index. The root entropy and spawn
key are recorded in every result (:func:`provenance`) so a run can be repeated.
"""

from numbers import Integral

import numpy as np

SeedLike = None | int | np.random.SeedSequence | np.random.Generator


def root_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """The root ``SeedSequence`` of ``seed``.

    None draws fresh entropy from the operating system; an int or a ``SeedSequence`` is
    used as is; a ``Generator`` contributes 128 bits drawn from it (so the caller's
    generator advances, and the same generator state gives the same root).
    """
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        words = seed.integers(0, 2**32, size=4, dtype=np.uint64)
        return np.random.SeedSequence(sum(int(w) << (32 * k) for k, w in enumerate(words)))
    if isinstance(seed, Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        return np.random.SeedSequence(int(seed))
    raise TypeError(
        "seed must be None, a non-negative int, a numpy SeedSequence or a numpy "
        f"Generator, got {type(seed).__name__}"
    )


def child(root: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The child of ``root`` at position ``key`` (independent of spawn history)."""
    return np.random.SeedSequence(
        root.entropy, spawn_key=tuple(root.spawn_key) + tuple(int(k) for k in key)
    )


def stream_states(root: np.random.SeedSequence, count: int, *key: int) -> np.ndarray:
    """xoshiro256** states (``count``, 4) uint64 for children ``key + (0..count-1)``."""
    states = np.empty((count, 4), dtype=np.uint64)
    for k in range(count):
        words = child(root, *key, k).generate_state(4, np.uint64)
        if not words.any():  # the all-zero state is the one xoshiro cannot leave
            words[0] = 1
        states[k] = words
    return states


def generator(root: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """A numpy ``Generator`` on the child of ``root`` at ``key``."""
    return np.random.default_rng(child(root, *key))


def provenance(root: np.random.SeedSequence) -> dict[str, str]:
    """Attributes that let a run be repeated: root entropy and spawn key, as text."""
    return {
        "seed_entropy": str(root.entropy),
        "seed_spawn_key": ",".join(str(k) for k in root.spawn_key),
    }


def from_provenance(attrs: dict) -> np.random.SeedSequence:
    """The root ``SeedSequence`` recorded by :func:`provenance`."""
    key = attrs.get("seed_spawn_key", "")
    spawn_key = tuple(int(k) for k in key.split(",")) if key else ()
    return np.random.SeedSequence(int(attrs["seed_entropy"]), spawn_key=spawn_key)
