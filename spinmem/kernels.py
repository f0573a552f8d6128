"""The compiled kernels, by their former names.

The kernels live in :mod:`spinmem._kernels`, one module per job: random numbers
(``xoshiro``), coupling storage and flips (``couplings``), update drivers
(``updates``), replica exchange (``exchange``) and unlearning (``dreaming``); the
quadrature of the replica-symmetric theory is in ``spinmem._rs_quadrature``. Their
conventions are described in :mod:`spinmem._kernels`. This module keeps every name it
had importable here (but ``_run_one``, now part of ``run_replicas``); new code imports
from those modules.
"""

from ._kernels.couplings import (  # noqa: F401
    DENSE,
    MEMORY,
    PATTERNS,
    SPARSE,
    _coupling_field,
    _field_of,
    _flip_of,
    _memory_field,
    init_replicas,
    init_state,
    local_fields,
    tag,
    transpose,
)
from ._kernels.dreaming import dream_block  # noqa: F401
from ._kernels.exchange import (  # noqa: F401
    LAST_COLD,
    LAST_HOT,
    record_pair,
    swap_round,
    temper_pair,
    track_trips,
)
from ._kernels.records import (  # noqa: F401
    Best,
    Blocks,
    KernelView,
    Ladder,
    LadderRecords,
    Records,
    Replicas,
    Steps,
)
from ._kernels.updates import (  # noqa: F401
    GLAUBER,
    METROPOLIS,
    RANDOM_ORDER,
    SEQUENTIAL_ORDER,
    ZERO,
    _accept,
    is_stuck,
    relax_one,
    relax_replicas,
    run_replicas,
    sweep_replicas,
    sweeps,
    synchronous_replicas,
)
from ._kernels.xoshiro import _index, _next, _uniform, random_spins  # noqa: F401
from ._rs_quadrature import rs_averages, rs_load, rs_overlap  # noqa: F401
