"""The installed package version, recorded in every result."""

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version


@lru_cache(maxsize=1)  # reading the metadata takes milliseconds: once per process
def package_version() -> str:
    """The installed spinmem version (``"unknown"`` when run from a bare source tree)."""
    try:
        return version("spinmem")
    except PackageNotFoundError:
        return "unknown"
