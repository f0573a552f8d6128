"""What a sweep's function computes, as hashes a store can compare on resume.

A function's identity is made of

- ``code``: the hash of its compiled code (byte code, constants, names, defaults) and of
  the code of every function of the same module that it refers to by a global name,
  followed recursively; line numbers are left out, so moving a function in its file
  keeps its identity while any edit of its body changes it;
- one hash per bound value: each positional argument and keyword of a
  ``functools.partial`` (``arg0``, ``w``, ...) and each closure variable
  (``closure:name``), arrays by dtype, shape and content.

Two functions are the same computation when all these hashes agree. The hashes depend on
the Python version (its byte code), so a store resumed under another Python version is
reported as changed code.
"""

import functools
import hashlib
import inspect
import pickle
import sys
import types

import numpy as np


def identity(function) -> dict[str, str]:
    """``{"code": hash, "<bound name>": hash, ...}`` for a sweep function."""
    out = {}
    bound = []
    while isinstance(function, functools.partial):
        bound.extend((f"arg{i}", v) for i, v in enumerate(function.args))
        bound.extend(function.keywords.items())
        function = function.func
    target = getattr(function, "__func__", function)  # bound methods
    if isinstance(target, types.FunctionType):
        out["code"] = _function_hash(target, set())
        names = target.__code__.co_freevars
        for name, cell in zip(names, target.__closure__ or (), strict=True):
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                value = None
            bound.append((f"closure:{name}", value))
        if target is not function:
            bound.append(("self", function.__self__))
    else:
        out["code"] = _value_hash(function)  # a callable object: its state
    for name, value in bound:
        out[str(name)] = _value_hash(value)
    return out


def differences(stored: dict[str, str], current: dict[str, str]) -> list[str]:
    """The parts of ``current`` that differ from ``stored``, in words."""
    out = []
    for key in sorted(set(stored) | set(current)):
        if stored.get(key) == current.get(key):
            continue
        if key == "code":
            out.append("the function's code (or a function it calls) changed")
        elif key not in stored:
            out.append(f"{_describe(key)} is new")
        elif key not in current:
            out.append(f"{_describe(key)} is gone")
        else:
            out.append(f"{_describe(key)} has a different value")
    return out


def _describe(key: str) -> str:
    if key.startswith("closure:"):
        return f"closure variable {key.split(':', 1)[1]!r}"
    if key.startswith("arg") and key[3:].isdigit():
        return f"positional argument {key[3:]} of the partial"
    return f"bound argument {key!r}"


def _function_hash(fn: types.FunctionType, seen: set) -> str:
    digest = hashlib.sha256()
    _feed_code(digest, fn.__code__)
    digest.update(_value_hash(fn.__defaults__).encode())
    digest.update(_value_hash(fn.__kwdefaults__).encode())
    seen.add(id(fn))
    module = fn.__module__
    for name in _global_names(fn.__code__):
        called = fn.__globals__.get(name)
        if (
            isinstance(called, types.FunctionType)
            and called.__module__ == module
            and id(called) not in seen
        ):
            digest.update(name.encode())
            digest.update(_function_hash(called, seen).encode())
    return digest.hexdigest()


def _feed_code(digest, code: types.CodeType) -> None:
    digest.update(code.co_code)
    digest.update(repr(code.co_names).encode())
    signature = (code.co_argcount, code.co_kwonlyargcount, code.co_varnames)
    digest.update(repr(signature).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(digest, const)
        else:
            digest.update(repr(const).encode())


def _global_names(code: types.CodeType) -> list[str]:
    names = list(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names.extend(_global_names(const))
    return sorted(set(names))


def _value_hash(value) -> str:
    digest = hashlib.sha256()
    _feed_value(digest, value, depth=0)
    return digest.hexdigest()


def _feed_value(digest, value, depth: int) -> None:
    kind = type(value)
    if depth > 50:  # a cycle or a very deep structure: its text stands for it
        digest.update(repr(value).encode())
        return
    digest.update(f"{kind.__module__}.{kind.__qualname__}:".encode())
    if value is None or isinstance(value, bool | int | float | complex | str | bytes):
        digest.update(repr(value).encode())
    elif isinstance(value, np.ndarray | np.generic):
        arr = np.asarray(value)
        digest.update(f"{arr.dtype.str}{arr.shape}".encode())
        if arr.dtype == object:
            for item in arr.ravel():
                _feed_value(digest, item, depth + 1)
        else:
            digest.update(np.ascontiguousarray(arr).tobytes())
    elif isinstance(value, list | tuple):
        for item in value:
            _feed_value(digest, item, depth + 1)
    elif isinstance(value, dict):
        for key in sorted(value, key=repr):
            _feed_value(digest, key, depth + 1)
            _feed_value(digest, value[key], depth + 1)
    elif isinstance(value, set | frozenset):
        for item in sorted(value, key=repr):
            _feed_value(digest, item, depth + 1)
    elif isinstance(value, types.FunctionType | functools.partial):
        for key, part in sorted(identity(value).items()):
            digest.update(f"{key}={part}".encode())
    elif isinstance(value, types.ModuleType):
        digest.update(value.__name__.encode())
    elif inspect.isclass(value) or isinstance(value, types.BuiltinFunctionType):
        digest.update(f"{value.__module__}.{value.__qualname__}".encode())
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        _feed_value(digest, vars(value), depth + 1)
    else:
        try:
            digest.update(pickle.dumps(value, protocol=4))
        except Exception:  # unpicklable: its text is the best there is
            digest.update(repr(value).encode())


def python_tag() -> str:
    return f"{sys.implementation.name}-{sys.version_info.major}.{sys.version_info.minor}"
