"""Dense associative memories, ``docs/physics.md`` section 12.

Binary spins with energies that are sums of powers or exponentials of the pattern
overlaps (:class:`DenseMemory`), which run in every dynamics of the package, and the
continuous "modern Hopfield" retrieval of Ramsauer et al. (ICLR 2021, "Hopfield
networks is all you need"), for comparison with the binary-spin models.
"""

import numpy as np
from numpy.typing import ArrayLike

from . import _checks, _couplings
from .model import SpinModel

__all__ = ["DenseMemory", "softmax_energy", "softmax_retrieval"]

INTERACTIONS = ("power", "exp")

LAM_MIN = 1e-6
"""Smallest rate of the ``"exp"`` interaction. Its energy differences are differences
of tabulated ``exp(lam k)`` near 1, which keep a relative accuracy of about
``1e-16 / lam``: 1e-10 at this bound, none left near 1e-16."""


class DenseMemory(SpinModel):
    r"""A dense associative memory of N +-1 spins, ``H(s) = -sum_mu F(M_mu)``.

    The energy is a sum over the stored patterns of a function of each pattern's overlap
    count :math:`M_\mu = \xi^\mu \cdot s = N m_\mu` (``docs/physics.md`` section 12):

    ``"power"``
        :math:`H = -N \sum_\mu m_\mu^n / n - \sum_i \theta_i s_i` (Krotov and Hopfield
        2016), integer degree ``n >= 2``. For n = 2 this is the Hopfield model with
        Hebbian couplings up to the constant ``-p/2`` (its diagonal terms), and it runs
        the same dynamics bit for bit. The kernels sum exact integer energy differences,
        which needs :math:`2 p (N + 2)^n < 2^{63}`; larger models are refused.
    ``"exp"``
        :math:`H = -\frac1\lambda \sum_\mu e^{\lambda (M_\mu - N)} - \sum_i \theta_i
        s_i`, ``lam > 0``: the energy of Demircigil et al. (J. Stat. Phys. 168, 288,
        2017), ``lam = 1``, divided by :math:`e^N` so that nothing overflows.

    Both are normalised so that flipping one spin of a retrieved pattern, the other
    patterns far away, costs about 2 (``2 - 2 (n - 1) / N`` and :math:`(1 -
    e^{-2\lambda})/\lambda`), as in the Hopfield model: temperatures compare across
    models, in the same units. Energies are totals, like a Hopfield model's.

    A model runs in :func:`spinmem.simulate`, :func:`spinmem.relax`,
    :func:`spinmem.anneal`, :func:`spinmem.census` and parallel tempering like any
    other; a spin-flip attempt costs O(p) through the exact overlap counts the kernels
    keep. :meth:`local_fields` are the fields that decide a flip, :math:`h_i = (H(s_i =
    -1) - H(s_i = +1)) / 2`, so that flipping spin i changes the energy by ``2 s_i
    h_i``; :meth:`stability` is ``s_i h_i``, half that cost. There are no pairwise
    couplings: a dense memory has no ``couplings`` and no ``with_storage``, and
    unlearning refuses it. Its :attr:`storage` is ``"memory"``.

    Parameters
    ----------
    patterns : array_like, shape (p, N)
        Stored +-1 patterns.
    interaction : {"power", "exp"}
    degree : int
        The power n, >= 2 (``"power"`` only).
    lam : float
        The rate of the exponential, >= ``LAM_MIN`` = 1e-6 (``"exp"`` only); smaller
        rates are refused, since the energy differences would lose their accuracy
        (as lam -> 0 the energy tends to the linear ``-sum_mu M_mu``).
    fields : array_like, shape (N,), optional
        External fields ``theta``.

    Examples
    --------
    >>> import spinmem
    >>> xi = spinmem.random_patterns(150, 100, seed=1)  # p = 1.5 N: Hebbian keeps none
    >>> net = spinmem.DenseMemory(xi, "power", degree=3)
    >>> bool(net.is_fixed_point(xi, strict=True).all())
    True
    """

    __slots__ = ("degree", "interaction", "lam")

    def __init__(
        self,
        patterns: ArrayLike,
        interaction: str = "power",
        *,
        degree: int = 3,
        lam: float = 1.0,
        fields: ArrayLike | None = None,
    ):
        interaction = _checks.choice("interaction", interaction, INTERACTIONS)
        xi = _checks.patterns(patterns)
        p, n = xi.shape
        if interaction == "power":
            degree = _checks.integer("degree", degree, minimum=2)
            _check_exact(degree, n, p)
            table = np.arange(-n, n + 1, dtype=np.int64) ** degree
            c, lam = 1.0 / (degree * float(n) ** (degree - 1)), None
        else:
            lam = _checks.real("lam", lam, positive=True)
            if lam < LAM_MIN:
                raise ValueError(
                    f"lam must be >= {LAM_MIN:g}, got {lam:g}: below it the energy "
                    "differences of the exp interaction lose their accuracy"
                )
            table = np.exp(lam * np.arange(-2 * n, 1, dtype=np.float64))
            c, degree = 1.0 / lam, None
        theta = np.zeros(n) if fields is None else _checks.fields(fields, n)
        self._setup(_couplings.frozen(_couplings.transposed(xi)), table, c, theta)
        object.__setattr__(self, "interaction", interaction)
        object.__setattr__(self, "degree", degree)
        object.__setattr__(self, "lam", lam)

    def _setup(self, xi_t, table, c, theta) -> None:
        self._init(_couplings.Memory(xi_t, table, c), theta, xi_t)

    def __reduce__(self):
        store = self._store
        state = (self.interaction, self.degree, self.lam)
        return (_rebuild, (store.xi_t, store.table, 2 * store.scale, self.fields, state))

    def __repr__(self) -> str:
        shape = f"degree={self.degree}" if self.degree else f"lam={self.lam}"
        return (
            f"DenseMemory(n_spins={self.n_spins}, n_patterns={self.n_patterns}, "
            f"interaction={self.interaction!r}, {shape})"
        )

    @property
    def energy_convention(self) -> str:
        if self.interaction == "power":
            f = f"N m_mu^{self.degree} / {self.degree}"
        else:
            f = f"(1/{self.lam:g}) exp({self.lam:g} N (m_mu - 1))"
        return (
            f"H = -sum_mu {f} - sum_i theta_i s_i, m_mu the overlaps; total energy, "
            "not per spin"
        )


def _check_exact(degree: int, n: int, p: int) -> None:
    if degree * np.log2(n + 2) + np.log2(2 * p) >= 63:
        raise ValueError(
            f"degree = {degree} with N = {n} spins and p = {p} patterns overflows the "
            f"exact int64 energy differences (2 p (N + 2)^degree must stay below "
            f"2^63); use a smaller degree or N"
        )


def _rebuild(xi_t, table, c, theta, state):
    model = object.__new__(DenseMemory)
    model._setup(xi_t, table, c, theta)
    for name, value in zip(("interaction", "degree", "lam"), state, strict=True):
        object.__setattr__(model, name, value)
    return model


def softmax_retrieval(
    patterns: ArrayLike,
    queries: ArrayLike,
    beta: float,
    *,
    max_iter: int = 100,
    tol: float = 1e-12,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Iterate :math:`x \leftarrow \xi^T \mathrm{softmax}(\beta \xi x)` to a fixed point.

    Parameters
    ----------
    patterns : array_like, shape (p, N)
        Stored +-1 patterns xi.
    queries : array_like, shape (N,) or (k, N)
        Real starting states (for example noisy patterns).
    beta : float
        Inverse temperature of the softmax, > 0, in units of the raw dot products
        :math:`\xi^\mu \cdot x` (of order N for a state near a pattern).
    max_iter : int
        Updates at most.
    tol : float
        Stop when no component moves by more than ``tol``.

    Returns
    -------
    states : ndarray, shape like ``queries``
        The states reached, each a convex combination of the patterns.
    iterations : ndarray of int, shape (k,) or ()
        Updates taken (``max_iter`` if not converged).
    """
    xi = _checks.patterns(patterns).astype(np.float64)
    beta = _checks.real("beta", beta, positive=True)
    max_iter = _checks.integer("max_iter", max_iter, minimum=1)
    tol = _checks.real("tol", tol, positive=True)
    x = np.array(
        _checks.real_input("queries", queries, "a real array of shape (N,) or (k, N)"),
        dtype=np.float64,
        ndmin=1,
    )
    single = x.ndim == 1
    x = np.atleast_2d(x)
    if x.ndim != 2 or x.shape[1] != xi.shape[1]:
        raise ValueError(
            f"queries must have shape (N,) or (k, N) with N = {xi.shape[1]}, "
            f"got {np.shape(queries)}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("queries must be finite")
    steps = np.full(x.shape[0], max_iter)
    active = np.ones(x.shape[0], dtype=bool)
    for k in range(1, max_iter + 1):
        new = _softmax(beta, x[active] @ xi.T) @ xi
        moved = np.abs(new - x[active]).max(axis=1)
        x[active] = new
        done = np.flatnonzero(active)[moved <= tol]
        steps[done] = k
        active[done] = False
        if not active.any():
            break
    return (x[0], steps[0]) if single else (x, steps)


def softmax_energy(patterns: ArrayLike, states: ArrayLike, beta: float) -> np.ndarray:
    r""":math:`E(x) = -\mathrm{lse}(\beta, \xi x) + x \cdot x / 2 + \log(p) / \beta +
    M^2 / 2`, ``M`` the largest
    pattern norm; :func:`softmax_retrieval` never increases it."""
    xi = _checks.patterns(patterns).astype(np.float64)
    beta = _checks.real("beta", beta, positive=True)
    x = _checks.real_array("states", states, "a real array of shape (N,) or (k, N)")
    if x.ndim not in (1, 2) or x.shape[-1] != xi.shape[1]:
        raise ValueError(
            f"states must have shape (N,) or (k, N) with N = {xi.shape[1]}, got {x.shape}"
        )
    import scipy.special  # on first use: a tenth of a second of import time

    lse = scipy.special.logsumexp(beta * x @ xi.T, axis=-1) / beta
    p = xi.shape[0]
    big = np.max(np.sum(xi**2, axis=1))
    return -lse + 0.5 * np.sum(x**2, axis=-1) + np.log(p) / beta + 0.5 * big


def _softmax(beta: float, scores: np.ndarray) -> np.ndarray:
    """Row-wise ``softmax(beta scores)``, shifted before scaling so that any beta,
    up to the largest double, gives weights (the argmax limit: equal weights on the
    largest scores) rather than inf - inf."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    with np.errstate(over="ignore"):  # beta * (a negative gap) -> -inf: weight 0
        weights = np.exp(beta * shifted)
    return weights / weights.sum(axis=1, keepdims=True)
