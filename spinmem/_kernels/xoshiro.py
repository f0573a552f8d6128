"""Random numbers of the kernels: xoshiro256** (Blackman & Vigna 2018), one
independent stream per replica whose 4-word state lives in a uint64 array, so a
replica's numbers never depend on how replicas are distributed over threads.
"""

import numpy as np

from .._jit import cached_njit, inner_njit

_U7 = np.uint64(7)
_U9 = np.uint64(9)
_U5 = np.uint64(5)
_U11 = np.uint64(11)
_U17 = np.uint64(17)
_U32 = np.uint64(32)
_U45 = np.uint64(45)
_U57 = np.uint64(57)
_U63 = np.uint64(63)
_U64 = np.uint64(64)
_MASK32 = np.uint64(0xFFFFFFFF)
_TWO32 = np.uint64(1 << 32)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@inner_njit
def _rotl(x, k):
    return (x << k) | (x >> (_U64 - k))


@inner_njit
def _next(s0, s1, s2, s3):
    """One xoshiro256** step: returns the new state words and a uint64 output."""
    result = _rotl(s1 * _U5, _U7) * _U9
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, _U45)
    return s0, s1, s2, s3, result


@inner_njit
def _uniform(s0, s1, s2, s3):
    """A double uniform on [0, 1) with 53 random bits."""
    s0, s1, s2, s3, r = _next(s0, s1, s2, s3)
    return s0, s1, s2, s3, np.float64(r >> _U11) * _INV53


@inner_njit
def _index(s0, s1, s2, s3, n):
    """An unbiased integer in [0, n) by Lemire's multiply-and-reject method (n < 2**32)."""
    nn = np.uint64(n)
    s0, s1, s2, s3, r = _next(s0, s1, s2, s3)
    m = (r >> _U32) * nn
    low = m & _MASK32
    if low < nn:
        threshold = (_TWO32 - nn) % nn
        while low < threshold:
            s0, s1, s2, s3, r = _next(s0, s1, s2, s3)
            m = (r >> _U32) * nn
            low = m & _MASK32
    return s0, s1, s2, s3, np.int64(m >> _U32)


@cached_njit()
def random_spins(rng, out):
    """Fill ``out`` (int8) with independent uniform +-1 spins from the stream ``rng``."""
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    for i in range(out.shape[0]):
        s0, s1, s2, s3, r = _next(s0, s1, s2, s3)
        out[i] = 1 if (r >> _U63) == np.uint64(1) else -1
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3
