"""Deprecated name of :mod:`spinmem.memory` (the dense associative memories): "dense"
also names a coupling storage. Importing it warns; every name still works."""

import warnings

from .memory import *  # noqa: F403
from .memory import INTERACTIONS, LAM_MIN, __all__, _rebuild  # noqa: F401  (pickles)

warnings.warn(
    "spinmem.dense is deprecated: use spinmem.memory (or spinmem.DenseMemory)",
    DeprecationWarning,
    stacklevel=2,
)
