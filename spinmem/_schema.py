"""One result schema: the long name and units of every variable spinmem's runs write.

Every Dataset builder takes a variable's attributes from :func:`meta`, so that one
quantity has one name in every result and a new observable is one entry here. Units
follow UDUNITS: energies, temperatures and fields are in coupling units and counts
are numbers, so all are ``"1"``; labels and flags carry no units (None).
"""

SCHEMA: dict[str, tuple[str, str | None]] = {
    # states and energies of a run
    "energy": ("energy H", "1"),
    "energy_per_spin": ("energy per spin H/N", "1"),
    "initial_energy": ("initial energy H", "1"),
    "best_energy": ("lowest energy H met", "1"),
    "overlap": ("overlap m", "1"),
    "final_state": ("final state", "1"),
    "initial_state": ("initial state", "1"),
    "recorded_state": ("recorded state", "1"),
    "best_state": ("lowest-energy state met", "1"),
    "ladder_state": ("final state at each temperature", "1"),
    "fixed_point": ("fixed point", "1"),
    # clocks and counts
    "temperature": ("temperature T", "1"),
    "sweeps_done": ("sweeps done", "1"),
    "sweeps_taken": ("sweeps taken", "1"),
    "steps_done": ("schedule steps done", "1"),
    "flips": ("accepted flips", "1"),
    "repetition": ("repetition", "1"),
    "cycle_length": (
        "period of the attractor reached (1 fixed point, 2 two-cycle, 0 none within the "
        "run)",
        "1",
    ),
    # parallel tempering
    "swap_acceptance": ("exchange acceptance of temperatures k, k+1", "1"),
    "round_trips": ("coldest-hottest-coldest round trips", "1"),
    "twin_overlap": ("twin overlap q_ab of chains a = 2j, b = 2j + 1", "1"),
    "predicted_acceptance": ("predicted exchange acceptance", "1"),
    "energy_sigma": ("energy standard deviation", "1"),
    "pilot_acceptance": ("exchange acceptance of the pilot ladder", "1"),
    # census of fixed points
    "label": ("state class", None),
    "composition": ("visible patterns with signs", None),
    "fixed_point_index": (
        "index of the distinct fixed point (up to sign), -1 where the start did not "
        "converge",
        None,
    ),
    "converged": ("reached a fixed point", None),
    "label_fraction": ("fraction of converged starts", "1"),
    # unlearning
    "dreams": ("dreams done", "1"),
    "unlearning_time": ("unlearning time epsilon D / N", "1"),
    "unconverged_dreams": ("dreams that hit max_sweeps", "1"),
    "stable_fraction": ("fraction of patterns that are fixed points", "1"),
    "min_stability": ("minimum stability xi h / |J_i|", "1"),
    "retrieval_overlap": ("overlap after relaxing from cues", "1"),
    "spurious_fraction": ("fraction of random starts ending in spurious states", "1"),
}

COORDINATES: dict[str, tuple[str, str]] = {
    "replica": ("replica", "1"),
    "pattern": ("pattern index mu", "1"),
    "chain": ("independent chain (ladder)", "1"),
    "pair": ("pair of chains 2j, 2j + 1", "1"),
    "pair_a": ("first chain of the pair", "1"),
    "pair_b": ("second chain of the pair", "1"),
    "pair_k": ("pair of neighbouring temperatures k, k + 1", "1"),
    "start": ("random start", "1"),
    "step": ("schedule steps done", "1"),
    "sweep": ("sweeps done", "1"),
    "temperature": ("temperature T", "1"),
    "q": ("overlap q", "1"),
    "seed": ("repetition", "1"),
}
"""Long names and units of the coordinates spinmem's results use; :func:`describe`
gives them to coordinates that lack them (counts and indices are numbers, ``"1"``)."""


def describe(ds) -> None:
    """Give the numeric coordinates of ``ds`` named in :data:`COORDINATES` their long
    name and units where they have none (in place)."""
    for name, coord in ds.coords.items():
        if name not in COORDINATES or coord.dtype.kind not in "biuf":
            continue
        long_name, units = COORDINATES[name]
        if coord.attrs.get("long_name", name) == name:
            coord.attrs["long_name"] = long_name
        coord.attrs.setdefault("units", units)


def meta(key: str, long_name: str | None = None) -> dict[str, str]:
    """The attributes of schema entry ``key`` (a new dict); ``long_name`` overrides
    the name where a run words it with its own parameters."""
    name, units = SCHEMA[key]
    out = {"long_name": long_name or name}
    if units is not None:
        out["units"] = units
    return out


def summary(obj) -> str:
    """The first paragraph of the docstring of ``obj`` (a function or module), as plain
    text: the CF ``summary`` of what it writes."""
    doc = (getattr(obj, "__doc__", None) or "").strip().split("\n\n")[0]
    return " ".join(doc.replace("``", "").split())
