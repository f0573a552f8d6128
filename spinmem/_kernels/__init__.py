"""Compiled kernels on plain arrays and records of them.

Everything here is a ``numba.njit`` function on contiguous arrays, grouped in the named
tuples of :mod:`spinmem._kernels.records`, with no other Python objects inside. The
public API (``spinmem.dynamics``, ``spinmem.annealing``, ...) validates its input,
allocates, calls one of these kernels and wraps the result.

Conventions (see ``docs/physics.md``): spins are int8 in {-1, +1}; the couplings are
``J = scale * C`` with ``C`` symmetric with zero diagonal, passed in a model's
``KernelView`` as a storage tag ``tag`` and a coupling tuple ``cp = (C, indptr,
indices, data, scale)``:

``DENSE``
    ``C`` is an (N, N) array, float64 (``scale = 1``) or a small integer type (Hebbian
    couplings: ``C = xi^T xi``, ``scale = 1/N``, eight times less memory traffic and
    exact integer fields);
``SPARSE``
    ``C`` in CSR form ``(indptr, indices, data)``, float64 or integer ``data``;
``PATTERNS``
    ``C = xi^T xi`` with zero diagonal, never formed: the coupling sum of site i is
    ``sum_mu xi_i^mu M_mu - p s_i`` from the pattern overlap counts ``M`` (section 8).
``MEMORY``
    not couplings but a dense associative memory, ``H = -2 scale sum_mu F(M_mu) -
    sum_i theta_i s_i`` (section 12), ``F`` tabulated in ``data`` over ``M = -N..N``
    (integer values: exact sums, as float64 where they all stay below 2^53, else
    int64; or real float64 values, when ``g`` is scratch space of one entry per level);
    the field of site i is the one that decides its flip, ``h_i = (H(s_i = -1) -
    H(s_i = +1)) / 2``, so that ``dE_i = 2 s_i h_i`` below too.

The unused entries are empty arrays of the same dtype. The tag is an empty array
whose number of dimensions is the storage code (:func:`tag`): numba compiles a separate
version for each, in which the code is a constant, and only when used. The coupling sum
``_coupling_field`` takes the tag as an argument of its own: numba reads ``tag.ndim``
of an argument as a constant and prunes the other storages' branches before typing
them.

``theta`` holds the fields. The kernels keep ``g = C s`` (dense and sparse;
int32, int64 or float64), so the local field is ``h_i = scale * g_i + theta_i``; the
energy is ``H = -1/2 sum_ij J_ij s_i s_j - sum_i theta_i s_i``; flipping spin i changes it
by ``dE_i = 2 s_i h_i``. A sweep is N single-spin update attempts.

Per-replica state (the ``Replicas`` record: ``s``, ``g``, ``counts``, ``energy``,
``rng``) is updated in place:
coupling fields, pattern overlap counts ``counts[mu] = sum_i xi_i^mu s_i`` (exact
integers) and the energy are kept incrementally, so an attempt costs O(1) (O(p) pattern
backed) and a flip O(N + p) dense, O(degree + p) sparse, O(p) pattern backed.

Random numbers come from xoshiro256** (Blackman & Vigna 2018), one independent stream per
replica whose 4-word state lives in a uint64 array. A replica's numbers therefore never
depend on how replicas are distributed over threads.

Compilation, not running, is most of a short run's time. numba's cost is mostly per
compiled function and signature, and each kernel optimises again the code of every
kernel it calls: so helpers are ``inner_njit`` functions (``njit`` without the wrapper
that unboxes records from Python objects; LLVM inlines them; numba's own
``inline="always"`` retypes them at every call site and compiles more slowly) but for
``_flip_of``, which LLVM leaves as a call that costs 10-15 % of a sweep at N = 200; the
drivers call ``_sweeps`` with the same argument types everywhere (a literal constant
would be a signature of its own); small loops are written out in their driver rather
than compiled as kernels of their own; and a kernel for one replica goes through the
driver for many (``relax_one`` through ``relax_replicas``), not the other way round.
The drivers call ``_sweeps``, ``_init_state`` and ``_relax_one``; ``sweeps``,
``init_state`` and ``relax_one`` are the same for Python callers, whose wrapper (about
a third of a small kernel's compilation, per storage) is compiled only when Python
calls them.
"""
