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

    Parameters
    ----------
    seed : None, int, SeedSequence or Generator
        An int must be >= 0.

    Returns
    -------
    numpy.random.SeedSequence
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
    """The child of ``root`` at position ``key`` (independent of spawn history).

    Parameters
    ----------
    root : numpy.random.SeedSequence
    *key : int
        Non-negative integers appended to the root's spawn key.

    Returns
    -------
    numpy.random.SeedSequence
    """
    return np.random.SeedSequence(
        root.entropy, spawn_key=tuple(root.spawn_key) + tuple(int(k) for k in key)
    )


def stream_states(root: np.random.SeedSequence, count: int, *key: int) -> np.ndarray:
    """xoshiro256** states (``count``, 4) uint64 for children ``key + (0..count-1)``.

    Row k is ``child(root, *key, k).generate_state(4, np.uint64)``, computed for all
    children at once by numpy's SeedSequence algorithm (``_pool``, ``_draw``);
    an all-zero row, the one state xoshiro cannot leave, gets a first word of 1.

    Parameters
    ----------
    root : numpy.random.SeedSequence
    count : int
        Number of streams, < 2**32.
    *key : int
        The children's common prefix after the root's spawn key.

    Returns
    -------
    numpy.ndarray
        uint64 (count, 4).
    """
    if count >= 2**32:
        raise ValueError(f"count must be < 2**32 streams, got {count}")
    prefix = _words(root.entropy)
    if prefix.size < _POOL:
        prefix = np.concatenate([prefix, np.zeros(_POOL - prefix.size, np.uint32)])
    spawn = tuple(root.spawn_key) + tuple(int(k) for k in key)
    prefix = np.concatenate([prefix] + [_words(k) for k in spawn])
    entropy = np.empty((count, prefix.size + 1), np.uint32)
    entropy[:, :-1] = prefix
    entropy[:, -1] = np.arange(count, dtype=np.uint32)
    states = _draw(_pool(entropy), 8).view(np.uint64)
    states[~states.any(axis=1), 0] = 1
    return states


# numpy.random.SeedSequence's constants (numpy/random/bit_generator.pyx)
_POOL = 4
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_MASK = 0xFFFFFFFF


def _words(value) -> np.ndarray:
    """A non-negative int (or a sequence of them) as little-endian 32-bit words, as
    SeedSequence reads its entropy and spawn key (0 is one word)."""
    if not isinstance(value, Integral):
        parts = [_words(v) for v in value]
        return np.concatenate(parts) if parts else np.zeros(0, np.uint32)
    value = int(value)
    out = [value & _MASK]
    while value > _MASK:
        value >>= 32
        out.append(value & _MASK)
    return np.array(out, np.uint32)


class _Hash:
    """SeedSequence's hashmix: a multiplier that advances with every use. Called with
    ``uses`` k, it hashes the k rows of ``value`` with the next k multipliers at once
    (row j as the j-th of k consecutive calls would)."""

    def __init__(self, start: int, mult: int):
        self.const, self.mult = start, mult

    def __call__(self, value: np.ndarray, uses: int = 1) -> np.ndarray:
        consts = [self.const]
        for _ in range(uses):
            consts.append((consts[-1] * self.mult) & _MASK)
        self.const = consts[-1]
        c = np.array(consts, np.uint32)[:, None]
        value = value ^ c[:-1]
        value *= c[1:]
        value ^= value >> np.uint32(16)
        return value


def _mix(x: np.ndarray, y: np.ndarray) -> None:
    """``x <- mix(x, y)`` in place (``y`` is overwritten)."""
    x *= np.uint32(_MIX_L)
    y *= np.uint32(_MIX_R)
    x -= y
    x ^= x >> np.uint32(16)


def _pool(entropy: np.ndarray) -> np.ndarray:
    """SeedSequence's entropy pool of the entropy words in each row, as (4, rows): the
    hashes of one source word into the other pool words, which do not depend on each
    other, at once."""
    hashmix = _Hash(_INIT_A, _MULT_A)
    rows, width = entropy.shape
    first = np.zeros((_POOL, rows), np.uint32)
    first[: min(width, _POOL)] = entropy[:, :_POOL].T
    mixer = hashmix(first, _POOL)
    for src in range(_POOL):
        hashed = hashmix(mixer[src], _POOL - 1)  # into pool words 0..src-1, src+1..
        _mix(mixer[:src], hashed[:src])
        _mix(mixer[src + 1 :], hashed[src:])
    for src in range(_POOL, width):
        _mix(mixer, hashmix(entropy[:, src], _POOL))
    return mixer


def _draw(pool: np.ndarray, words: int) -> np.ndarray:
    """SeedSequence.generate_state: ``words`` uint32 words per column of ``pool``
    (4, rows), as (rows, words)."""
    hashmix = _Hash(_INIT_B, _MULT_B)
    return np.ascontiguousarray(hashmix(pool[np.arange(words) % _POOL], words).T)


def generator(root: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """A numpy ``Generator`` on the child of ``root`` at ``key``.

    Parameters
    ----------
    root : numpy.random.SeedSequence
    *key : int
        As for :func:`child`.

    Returns
    -------
    numpy.random.Generator
    """
    return np.random.default_rng(child(root, *key))


def provenance(root: np.random.SeedSequence) -> dict[str, str]:
    """Attributes that let a run be repeated: root entropy and spawn key, as text.

    Parameters
    ----------
    root : numpy.random.SeedSequence

    Returns
    -------
    dict
        ``seed_entropy`` and ``seed_spawn_key`` (comma-separated), both str.
    """
    return {
        "seed_entropy": str(root.entropy),
        "seed_spawn_key": ",".join(str(k) for k in root.spawn_key),
    }


def from_provenance(attrs: dict) -> np.random.SeedSequence:
    """The root ``SeedSequence`` recorded by :func:`provenance`.

    Parameters
    ----------
    attrs : dict
        A result's attributes, with ``seed_entropy`` (and ``seed_spawn_key``).

    Returns
    -------
    numpy.random.SeedSequence
    """
    key = attrs.get("seed_spawn_key", "")
    spawn_key = tuple(int(k) for k in key.split(",")) if key else ()
    return np.random.SeedSequence(int(attrs["seed_entropy"]), spawn_key=spawn_key)
