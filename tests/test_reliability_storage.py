"""Saves that replace, fail or are interrupted: the file holds exactly the old or the
new dataset, nothing mixed, nothing torn, no temporary file left, no crashed process.

Each test names the item of the reliability audit (round three) it covers.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import numpy as np
import pytest
import xarray as xr
from helpers import default_sigint

import spinmem
from spinmem import storage


def _ds(n: int, seed: int = 0, **attrs) -> xr.Dataset:
    values = np.random.default_rng(seed).random(n)
    return xr.Dataset({"x": ("a", values)}, attrs=attrs)


def _temporaries(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_group_overwrite_leaves_exactly_the_new_dataset(tmp_path):
    """Item 2: no variable of the replaced group survives, and other sizes are fine."""
    path = tmp_path / "runs.h5"
    old = xr.Dataset(
        {"x": ("a", np.arange(10.0)), "y": ("b", np.arange(3)), "z": 1.5}, attrs={"run": 1}
    )
    spinmem.save(old, path, group="g")
    spinmem.save(old, path, group="keep")
    new = xr.Dataset({"x": ("a", np.arange(4.0))}, attrs={"run": 2})
    spinmem.save(new, path, group="g", overwrite=True)
    back = spinmem.load(path, group="g")
    assert set(back.variables) == {"x"}
    np.testing.assert_array_equal(back.x.values, np.arange(4.0))
    assert back.attrs["run"] == 2
    assert spinmem.load(path, group="keep").identical(spinmem.load(path, group="keep"))
    np.testing.assert_array_equal(spinmem.load(path, group="keep").y.values, np.arange(3))


def test_group_overwrite_of_a_nested_group(tmp_path):
    """Item 2: a nested group is replaced whole as well."""
    path = tmp_path / "runs.h5"
    spinmem.save(xr.Dataset({"u": 1.0, "v": 2.0}), path, group="a/b")
    spinmem.save(xr.Dataset({"w": ("k", [3.0, 4.0])}), path, group="a/b", overwrite=True)
    assert set(spinmem.load(path, group="a/b").variables) == {"w"}


_FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    import numpy as np, xarray as xr
    from spinmem import storage
    path = sys.argv[1]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
    big = xr.Dataset({"x": ("a", np.random.default_rng(1).random(200_000))})
    for group in (None, "g"):
        try:
            storage.save(big, path, group=group, overwrite=True)
        except OSError as exc:
            print("OSError", exc.errno)
        else:
            print("saved")
    import gc
    gc.collect()
    print("alive")
""")


def test_a_save_on_a_full_disk_raises_oserror_and_keeps_the_old_file(tmp_path):
    """Item 3: a write that fails for want of space (here a file size limit, which
    fails the write as a full disk does) raises OSError; the process lives on, the old
    file is intact and no temporary file is left."""
    path = tmp_path / "f.h5"
    old = _ds(10)
    spinmem.save(old, path)
    spinmem.save(old, path, group="g")
    before = path.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["OSError", "27", "OSError", "27", "alive"]
    assert path.read_bytes() == before
    assert _temporaries(tmp_path) == []


_SLOW_SAVE = textwrap.dedent("""
    import sys, time
    import numpy as np, xarray as xr
    from spinmem import storage
    path, group = sys.argv[1], (sys.argv[2] or None)
    from spinmem import _atomic
    real_write = _atomic._write_all
    def slow_write(fd, data):
        real_write(fd, data)
        print("writing", flush=True)
        time.sleep(0.2)
    _atomic._write_all = slow_write
    _atomic._CHUNK = 1024
    big = xr.Dataset({"x": ("a", np.random.default_rng(1).random(20_000))})
    storage.save(big, path, group=group, overwrite=True)
    print("saved", flush=True)
""")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("group", ["", "g"])
def test_a_signal_during_save_removes_the_temporary_and_keeps_the_old_file(
    tmp_path, signum, group
):
    """Item 8 (SIGTERM) and Ctrl-C: the save stops, its temporary file is removed, the
    old file stays as it was, and nothing but the interruption is printed."""
    path = tmp_path / "f.h5"
    spinmem.save(_ds(10), path, group=group or None)
    before = path.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SAVE, str(path), group],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    assert proc.stdout.readline().strip() == "writing"
    assert len(_temporaries(tmp_path)) == 1
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert "saved" not in out
    assert path.read_bytes() == before
    assert _temporaries(tmp_path) == []
    if signum == signal.SIGTERM:
        assert proc.returncode == -signal.SIGTERM
        assert err == ""
    else:
        assert proc.returncode == -signal.SIGINT  # Python's exit on KeyboardInterrupt
        assert "KeyboardInterrupt" in err
        assert "Exception ignored" not in err


def test_a_temporary_left_by_kill_is_removed_by_a_group_save(tmp_path):
    """Item 8: the next save of any kind removes a temporary whose writer is gone."""
    path = tmp_path / "f.h5"
    spinmem.save(_ds(10), path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    stale = tmp_path / f".f.h5.{dead}.abcd1234.tmp"
    stale.write_bytes(b"x" * 1000)
    spinmem.save(_ds(5), path, group="g")
    assert _temporaries(tmp_path) == []


def test_a_group_is_not_added_to_a_foreign_hdf5_file(tmp_path):
    """Also: a plain HDF5 file that is not netCDF-4 is refused and left untouched."""
    path = tmp_path / "foreign.h5"
    with h5py.File(path, "w") as handle:
        handle["data"] = np.arange(5)
    before = path.read_bytes()
    with pytest.raises(storage.StorageError, match="not a netCDF-4 file"):
        spinmem.save(_ds(3), path, group="g")
    assert path.read_bytes() == before


def test_a_path_below_a_file_is_named(tmp_path):
    """Poor messages: a parent of the path that is a file."""
    (tmp_path / "plain").write_text("a file")
    with pytest.raises(storage.StorageError, match="plain is a file, not a folder"):
        spinmem.save(_ds(3), tmp_path / "plain" / "sub" / "f.h5")


def test_saves_still_write_atomically_and_read_back(tmp_path):
    """The in-memory encoding writes the same dataset a direct write would."""
    path = tmp_path / "f.h5"
    ds = _ds(1000, units="1")
    spinmem.save(ds, path)
    direct = tmp_path / "direct.h5"
    storage.stamp(storage.prepare(ds), "x").to_netcdf(direct, engine="h5netcdf")
    back, reference = spinmem.load(path), spinmem.load(direct)
    for key in ("created", "history"):
        back.attrs.pop(key), reference.attrs.pop(key)
    assert back.identical(reference)
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert time.time() - path.stat().st_mtime < 60


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
