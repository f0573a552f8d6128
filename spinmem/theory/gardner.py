r"""Gardner's space of couplings (``docs/physics.md`` section 11)."""

import numpy as np
from numpy.typing import ArrayLike
from scipy import special


def gardner_capacity(kappa: ArrayLike) -> np.ndarray | float:
    r"""Gardner's storage capacity of unconstrained couplings with margin kappa.

    The largest load :math:`\alpha = p/N` at which couplings exist with every stability
    :math:`\Delta_i^\mu \ge \kappa`, each row of J chosen on its own (E. Gardner, J.
    Phys. A 21, 257, 1988):

    .. math::

        \alpha_c(\kappa) = \left[\int_{-\kappa}^\infty Dt\, (t + \kappa)^2\right]^{-1}
        = \left[(1 + \kappa^2) \Phi(\kappa) + \kappa \varphi(\kappa)\right]^{-1},

    with :math:`\Phi` and :math:`\varphi` the standard normal distribution and density;
    2 at kappa = 0. Symmetric couplings (``docs/physics.md`` section 11) can only store
    fewer.

    Parameters
    ----------
    kappa : array_like
        Margins, >= 0.

    Returns
    -------
    float or numpy.ndarray
        The capacity, the shape of ``kappa``.

    Examples
    --------
    >>> gardner_capacity(0.0)
    2.0
    """
    k = np.asarray(kappa, dtype=np.float64)
    if not np.all(np.isfinite(k)) or np.any(k < 0):
        raise ValueError(f"kappa must be finite and >= 0, got {kappa!r}")
    density = np.exp(-0.5 * k * k) / np.sqrt(2.0 * np.pi)
    out = 1.0 / ((1.0 + k * k) * special.ndtr(k) + k * density)
    return float(out) if out.ndim == 0 else out
