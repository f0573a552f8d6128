"""The table of update rules (``dynamics=``): one row per rule, read by every run.

A row names the rule, its kernel code (single-spin rules; None for the synchronous
rule, which has its own kernel), whether it needs a temperature T > 0, and the runs
that offer it. ``simulate``, ``anneal`` and ``temper`` take their allowed values, and
the temperature check its rule, from here; a new single-spin rule is a row here and
its acceptance branch in ``spinmem._kernels.updates._accept``.
"""

from dataclasses import dataclass

from . import _checks
from ._kernels import updates


@dataclass(frozen=True)
class UpdateRule:
    name: str
    code: int | None
    """Kernel code of a single-spin rule (``updates.GLAUBER``...); None: synchronous."""
    thermal: bool
    """Needs a temperature T > 0 (else zero-temperature: T = 0 or None)."""
    runs: frozenset[str]
    """The runs that offer it: ``"simulate"``, ``"anneal"``, ``"temper"``."""


_EVERY_RUN = frozenset({"simulate", "anneal", "temper"})

TABLE = (
    UpdateRule("glauber", updates.GLAUBER, True, _EVERY_RUN),
    UpdateRule("metropolis", updates.METROPOLIS, True, _EVERY_RUN),
    UpdateRule("zero", updates.ZERO, False, frozenset({"simulate"})),
    UpdateRule("synchronous", None, False, frozenset({"simulate"})),
)

_BY_NAME = {rule.name: rule for rule in TABLE}


def names(run: str) -> tuple[str, ...]:
    """The rules ``run`` offers, in table order."""
    return tuple(rule.name for rule in TABLE if run in rule.runs)


def checked(run: str, dynamics) -> UpdateRule:
    """The row of ``dynamics``, refused unless ``run`` offers it."""
    return _BY_NAME[_checks.choice("dynamics", dynamics, names(run))]


def rule(name: str) -> UpdateRule:
    """The row of a rule name already validated."""
    return _BY_NAME[name]
