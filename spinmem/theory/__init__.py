r"""Replica theory of the Hopfield model (``docs/physics.md`` sections 6-7, 11): the
replica-symmetric solution and its phase diagram; one-step replica symmetry breaking of
the retrieval state (:func:`~spinmem.theory.solve_1rsb`,
:func:`~spinmem.theory.alpha_c_1rsb`, :func:`~spinmem.theory.line_1rsb`);
Gardner's capacity with a margin (:func:`~spinmem.theory.gardner_capacity`).

Amit, Gutfreund & Sompolinsky, Phys. Rev. Lett. 55, 1530 (1985) and Ann. Phys. 173, 30
(1987): unbiased random patterns, Hebbian couplings, N -> infinity, load :math:`\alpha =
p / N`, temperature T (:math:`\beta = 1/T`), ``Dz`` the standard Gaussian measure.
Saddle-point equations of the retrieval state (one condensed pattern):

    m = int Dz tanh(beta (m + sqrt(alpha r) z))
    q = int Dz tanh^2(beta (m + sqrt(alpha r) z))
    r = q / (1 - beta (1 - q))^2

T = 0 limit (:math:`C = \beta (1 - q)` finite): :math:`m = \mathrm{erf}(m / \sqrt{2
\alpha r})`, :math:`C = \sqrt{2 / (\pi \alpha r)}\, e^{-m^2 / (2 \alpha r)}`, :math:`r =
1 / (1 - C)^2`; with :math:`y = m / \sqrt{2 \alpha r}` this is :math:`y \left(\sqrt{2
\alpha} + \frac{2}{\sqrt\pi} e^{-y^2}\right) = \mathrm{erf}(y)`.

RS free energy per spin (stationary exactly at the equations above):

    f = alpha/2 + m^2/2 + alpha/(2 beta) [ln(d) - beta q / d] + alpha beta r (1 - q) / 2
        - T int Dz ln 2 cosh(beta (m + sqrt(alpha r) z)),    d = 1 - beta + beta q

Lines of the phase diagram: the retrieval line ``alpha_c(T)`` (``T_M``) where the
retrieval solution disappears; the spin-glass line :math:`T_g = 1 + \sqrt\alpha`; and
:math:`T_c(\alpha)` below which retrieval states are global minima (their free energy
falls below the spin-glass one).
"""

from .gardner import gardner_capacity
from .lines import alpha_c, phase_lines, t_c, t_g, t_m
from .mixtures import mixture_energy, mixture_overlap
from .rs import RSSolution, free_energy, solve_rs, solve_spin_glass
from .rsb1 import RSB1Solution, alpha_c_1rsb, line_1rsb, solve_1rsb

__all__ = [
    "RSB1Solution",
    "RSSolution",
    "alpha_c",
    "alpha_c_1rsb",
    "free_energy",
    "gardner_capacity",
    "line_1rsb",
    "mixture_energy",
    "mixture_overlap",
    "phase_lines",
    "solve_1rsb",
    "solve_rs",
    "solve_spin_glass",
    "t_c",
    "t_g",
    "t_m",
]
