"""The installed package version, recorded in every result."""

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    """The installed spinmem version (``"unknown"`` when run from a bare source tree)."""
    try:
        return version("spinmem")
    except PackageNotFoundError:
        return "unknown"
