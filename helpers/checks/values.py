"""Values between frameworks: NumPy cases to tensors, learner outputs back to NumPy, and
short descriptions of what a learner returned ("a tuple of 2 items", "one tensor of shape (2, 3)")."""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

def to_framework(a: Any, fw: str) -> Any:
    """A NumPy array as a float32 tensor of ``fw`` (int arrays stay integer); scalars unchanged."""
    if not isinstance(a, np.ndarray):
        return a
    if fw == "torch":
        import torch
        return torch.from_numpy(a.astype(np.float32) if a.dtype.kind == "f" else a.copy())
    if fw == "tensorflow":
        import tensorflow as tf
        return tf.constant(a.astype(np.float32) if a.dtype.kind == "f" else a)
    return a.astype(np.float64) if a.dtype.kind == "f" else a.copy()


class NotAnArray(TypeError):
    pass


def _is_torch_tensor(x: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _is_tf_tensor(x: Any) -> bool:
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(x, (tf.Tensor, tf.Variable)):
        return True
    return type(x).__module__.startswith("keras") and hasattr(x, "numpy") and hasattr(x, "dtype")


def _is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray) or _is_torch_tensor(x) or _is_tf_tensor(x)


def _a(name: str) -> str:
    """'a tensor', 'an object'."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _numeric(a: np.ndarray, what: str) -> np.ndarray:
    """``a`` if its values are numbers (bool, int, float, complex), else NotAnArray."""
    if a.dtype.kind in "biufc":
        return a
    if a.dtype.kind in "USa":
        raise NotAnArray(f"{what} of strings")
    try:                                     # bfloat16 (ml_dtypes), Python ints too large for int64, ...
        return a.astype(np.float64)
    except Exception:
        raise NotAnArray(f"{what} of {a.dtype} values") from None


def to_numpy(x: Any) -> np.ndarray:
    """Learner output as a NumPy array, or NotAnArray with a friendly description."""
    if isinstance(x, np.ndarray):
        return _numeric(x, "an array")
    if isinstance(x, (bool, np.bool_)):
        raise NotAnArray(f"a bool ({x})")
    if isinstance(x, (int, float, np.number)):
        try:
            return _numeric(np.asarray(x), "a number")
        except NotAnArray:
            raise NotAnArray("a number too large to compare (more than 10^308)") from None
    if _is_torch_tensor(x):
        try:
            t = x.detach().cpu()
            if str(t.dtype) == "torch.bfloat16":          # NumPy has no bfloat16
                t = t.float()
            return _numeric(np.asarray(t.numpy()), "a tensor")
        except NotAnArray:
            raise
        except Exception:
            raise NotAnArray(f"a tensor that cannot be read back ({type(x).__name__}, dtype {x.dtype})") from None
    if _is_tf_tensor(x):
        try:
            return _numeric(np.asarray(x.numpy()), "a tensor")
        except NotAnArray:
            raise
        except Exception:
            raise NotAnArray(f"{_a(type(x).__name__)} that has no values to read") from None
    if isinstance(x, (list, tuple)):            # a list of numbers (e.g. one loss per epoch) is fine
        kind = "list" if isinstance(x, list) else "tuple"
        try:
            items = [to_numpy(v) for v in x]
        except NotAnArray:
            items = [np.zeros(1)]
        if all(v.ndim == 0 for v in items):
            return np.array(items, dtype=np.float64) if items else np.zeros(0)
        raise NotAnArray(f"a Python {kind} of {len(x)} items")
    raise NotAnArray(_a(type(x).__name__))


def _shape(a: np.ndarray) -> str:
    return str(tuple(a.shape)).replace(",)", ")")


def _as_outputs(x: Any, n: int) -> tuple:
    if n == 1:
        return (x,)
    return tuple(x) if isinstance(x, (tuple, list)) and len(x) == n else (x,)


def _same(a: np.ndarray, b: np.ndarray, atol: float, rtol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a.astype(np.float64), b.astype(np.float64),
                                                   atol=atol, rtol=rtol, equal_nan=True))


def _describe(x: Any, inner: bool = False) -> str:
    """What the learner returned, in a few words: 'a tuple of 2 items (a list of 3 items, a number)'."""
    if x is None:
        return "None"
    if isinstance(x, (list, tuple)):
        kind = "list" if isinstance(x, list) else "tuple"
        text = f"a {kind} of {len(x)} item{'s' if len(x) != 1 else ''}"
        if inner or not x:
            return text
        return text + f" ({', '.join(_describe(v, True) for v in list(x)[:3])}{', ...' if len(x) > 3 else ''})"
    if _is_array(x):
        try:
            shape = tuple(int(d) for d in x.shape)
        except Exception:
            shape = None
        word = "array" if isinstance(x, np.ndarray) else "tensor"
        if shape == ():
            return "a number" if inner else f"a single number (a 0-d {word})"
        return f"one {word}" + (f" of shape {str(shape).replace(',)', ')')}" if shape is not None else "")
    if isinstance(x, (int, float, np.number)) and not isinstance(x, bool):
        return "a number" if inner else "a single number"
    return _a(type(x).__name__)


def _precision(x: Any) -> str | None:
    """"float16" / "bfloat16" when ``x`` is a half-precision array or tensor."""
    if not (_is_array(x) or isinstance(x, np.number)):
        return None
    name = str(x.dtype)
    if "bfloat16" in name:
        return "bfloat16"
    if "float16" in name or name == "torch.half":
        return "float16"
    return None


_TO_FLOAT32 = {"torch": "x.float()", "tensorflow": "tf.cast(x, tf.float32)", "numpy": "x.astype(np.float32)"}
_ONE = {"numpy": "return one array", "torch": "return one tensor", "tensorflow": "return one tensor"}
_STACK = {"numpy": "stack a list of arrays with np.stack", "torch": "stack a list of tensors with torch.stack",
          "tensorflow": "stack a list of tensors with tf.stack"}
_COPY = {"numpy": "work on a copy ({name} = {name}.copy()) and return that, so that the caller's array keeps its values",
         "torch": "work on a copy ({name} = {name}.clone()) and return that, so that the caller's tensor keeps "
                  "its values",
         "tensorflow": "build a new tensor (tf.concat, tf.where, ...) and return it instead of assigning into "
                       "the variable you were given, so that the caller's values stay as they were"}

