"""Shared fixtures for the test suite (helpers live in ``helpers.py``)."""

import os
from pathlib import Path

import pytest

import spinmem


@pytest.fixture
def hebbian_small():
    xi = spinmem.random_patterns(5, 200, seed=11)
    return spinmem.Hopfield.hebbian(xi)


@pytest.fixture
def dask_client(tmp_path, monkeypatch):
    """A client of a local dask cluster of 2 single-threaded worker processes, which
    can import the test modules."""
    from dask.distributed import Client, LocalCluster

    tests = str(Path(__file__).parent)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")])
    )
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            local_directory=str(tmp_path / "dask"),
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
