"""How a Dataset is laid out in a netCDF-4 file, and read back: the part of the CF
conventions xarray leaves to the writer.

- Coordinate variables carry no ``_FillValue`` (CF 1.10 section 2.5.1): they have no
  missing values.
- A dimension labelled by strings (``rule``, ``category``) has no coordinate variable:
  CF requires coordinate variables to be numeric and monotonic. Its labels are an
  auxiliary coordinate variable ``<dim>_label`` (CF 1.10 section 6.1, labels) whose
  attribute ``label_of`` names the dimension; :func:`decode` makes it the dimension's
  index again. With plain xarray, ``ds.set_xindex("rule_label")`` selects by label.
- Strings are character arrays with a ``<name>_strlen`` dimension, UTF-8
  (``_Encoding``), rather than netCDF-4 variable-length strings, which the CF
  checker (cfchecks) does not read; xarray and netCDF4 read them back as strings.
- Numeric variables of :data:`COMPRESS_FROM` bytes or more are compressed with zlib
  (level 4, byte shuffle): lossless, so the numbers read back are bit-identical.
  Smaller ones are stored contiguously: their chunk index would outweigh the gain.
"""

import xarray as xr

LABEL_SUFFIX = "_label"
LABEL_OF = "label_of"
COMPRESSION = {"zlib": True, "complevel": 4, "shuffle": True}
COMPRESS_FROM = 4096
"""Smallest variable (bytes) that is compressed."""


def encode(dataset: xr.Dataset, *, compress: bool = True) -> tuple[xr.Dataset, dict]:
    """The dataset as written, and the ``encoding`` to pass to ``to_netcdf``."""
    ds = dataset.copy()
    for var in ds.variables.values():
        var.encoding = {}
    ds = _labels_to_auxiliary(ds)
    encoding = {}
    for name, var in ds.variables.items():
        enc = {}
        if name in ds.dims:
            enc["_FillValue"] = None
        if (
            compress
            and var.dtype.kind in "biuf"
            and var.ndim
            and var.nbytes >= COMPRESS_FROM
        ):
            enc.update(COMPRESSION)
        if var.dtype.kind in "OSU":  # classic characters: every CF checker reads them
            enc.update(dtype="S1", char_dim_name=f"{name}_strlen", _Encoding="utf-8")
        if enc:
            encoding[name] = enc
    return ds, encoding


def decode(dataset: xr.Dataset) -> xr.Dataset:
    """The dataset :func:`encode` was given (string labels back as indexes, strings as
    numpy strings)."""
    for name, var in list(dataset.variables.items()):
        if var.dtype == object and name not in dataset.dims and _all_str(var):
            dataset[name] = var.astype(str)
    labels = {
        name: var.attrs[LABEL_OF]
        for name, var in dataset.variables.items()
        if LABEL_OF in var.attrs and var.dims == (var.attrs[LABEL_OF],)
    }
    for name, dim in labels.items():
        if dim in dataset.variables:
            continue
        var = dataset[name].variable.copy()
        del var.attrs[LABEL_OF]
        dataset = dataset.drop_vars(name).assign_coords({dim: var})
    return dataset


def _all_str(var: xr.Variable) -> bool:
    values = var.values  # decoded characters: read (strings are small)
    return all(isinstance(v, str) for v in values.ravel())


def _labels_to_auxiliary(ds: xr.Dataset) -> xr.Dataset:
    for dim in list(ds.dims):
        if dim not in ds.coords or ds[dim].dtype.kind not in "OSU":
            continue
        label = f"{dim}{LABEL_SUFFIX}"
        if label in ds.variables:
            raise ValueError(
                f"cannot write the string coordinate {dim!r}: its labels are stored as "
                f"{label!r}, which the dataset already has; rename that variable"
            )
        var = ds[dim].variable.to_base_variable()
        var.attrs[LABEL_OF] = dim
        ds = ds.drop_vars(dim).assign_coords({label: var})
    return ds
