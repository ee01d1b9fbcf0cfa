"""Both ends of one call of a student's function: the grader's check runs in the grader's process, the student's
function in the submission's kernel, and only *data* crosses between them.

- grader → kernel: the call's arguments, pickled (the grader's own data; the kernel unpickles it);
- kernel → grader: what the function returned, or the exception it raised, as JSON with tagged types
  (numbers, strings, lists, tuples, dicts, sets, numpy arrays and scalars, torch tensors, pandas Series and
  DataFrames; anything else arrives as an :class:`Opaque` stand-in that carries its ``repr``).  The grader parses
  it with :func:`loads`, which builds nothing but these types: whatever the kernel sends, it cannot run code in the
  grader, and a value it forges is only an answer the student's function could have returned itself.

This module is also executed, from its source, inside the kernel (as the module ``_gammanet_grading``) by the grader,
so it imports nothing outside the standard library at module level and never imports ``gammanet``.
"""

import base64
import json
import math
import pickle
import sys

#: The MIME type of the one display output that carries a call's result.
MIME = "application/x-gammanet-grading"
#: Refuse results larger than this (bytes of JSON): a student's value is a few numbers, not a memory bomb.
MAX_BYTES = 20_000_000
MAX_DEPTH = 40
MAX_ITEMS = 5_000_000
TENSOR_DTYPES = (
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
)


class Opaque:
    """A returned value of a type the grader does not rebuild: its repr, and no number, length or keys."""

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return self.text

    def __float__(self):
        raise TypeError(f"must be real number, not {self.type_name}")


# ---------------------------------------------------------------------------------------------- in the kernel
def _module(name):
    return sys.modules.get(name)


def encode(value, depth=0):
    """A JSON-able form of ``value`` (see the module docstring)."""
    if depth > MAX_DEPTH:
        return {"$": "opaque", "type": type(value).__name__, "repr": "<nested too deeply>"}
    if value is None or isinstance(value, (bool, str)) or type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if isinstance(value, complex):
        return {"$": "complex", "re": encode(value.real), "im": encode(value.imag)}
    if isinstance(value, (list, tuple, set, frozenset)) and len(value) > MAX_ITEMS:
        return {"$": "opaque", "type": type(value).__name__, "repr": f"<{type(value).__name__} too large>"}
    if type(value) is list:
        return [encode(v, depth + 1) for v in value]
    if type(value) is tuple:
        return {"$": "tuple", "items": [encode(v, depth + 1) for v in value]}
    if type(value) in (set, frozenset):
        return {"$": "set", "items": [encode(v, depth + 1) for v in value]}
    if type(value) is dict:
        return {"$": "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    fractions = _module("fractions")
    if fractions and isinstance(value, fractions.Fraction):
        return {"$": "fraction", "n": value.numerator, "d": value.denominator}
    np = _module("numpy")
    if np is not None and isinstance(value, np.ndarray) and value.dtype.kind in "biufcO":
        if value.size > MAX_ITEMS:
            return {"$": "opaque", "type": "ndarray", "repr": f"<array of {value.size} elements>"}
        return {
            "$": "ndarray",
            "dtype": value.dtype.str if value.dtype.kind != "O" else "O",
            "shape": list(value.shape),
            "data": encode(value.ravel().tolist(), depth + 1),
        }
    if np is not None and isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return {"$": "npscalar", "dtype": value.dtype.str, "v": encode(value.item(), depth + 1)}
    torch = _module("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        if value.numel() > MAX_ITEMS:
            return {"$": "opaque", "type": "Tensor", "repr": f"<tensor of {value.numel()} elements>"}
        t = value.detach().cpu()
        return {
            "$": "tensor",
            "dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape),
            "data": encode(t.reshape(-1).tolist(), depth + 1),
        }
    pd = _module("pandas")
    if pd is not None and isinstance(value, pd.Series):
        return {
            "$": "series",
            "name": encode(value.name, depth + 1),
            "index": encode(list(value.index), depth + 1),
            "data": encode(value.to_numpy(), depth + 1),
        }
    if pd is not None and isinstance(value, pd.DataFrame):
        return {
            "$": "frame",
            "index": encode(list(value.index), depth + 1),
            "columns": encode(list(value.columns), depth + 1),
            "data": [encode(value.iloc[:, j].to_numpy(), depth + 1) for j in range(value.shape[1])],
        }
    # Any other one number (a float or int subclass, Decimal, a sympy number, ...): sent as the number it converts
    # to, which is what the interactive check judges too. Only the plain value crosses, so a class that fakes
    # equality gains nothing.
    numbers = _module("numbers")
    if numbers is not None and isinstance(value, numbers.Integral):
        try:
            return int(value)
        except Exception:
            pass
    if not isinstance(value, (str, bytes)) and hasattr(type(value), "__float__"):
        try:
            return encode(float(value), depth + 1)
        except Exception:  # __float__ that raises: an opaque value like any other
            pass
    try:
        text = repr(value)[:300]
    except Exception:  # a student's class whose repr fails
        text = f"<{type(value).__name__}>"
    return {"$": "opaque", "type": type(value).__name__, "repr": text}


def _publish(envelope):
    from IPython.display import publish_display_data

    publish_display_data({MIME: json.dumps(envelope)})


def kernel_call(name, payload):
    """In the kernel: call the user's ``name`` with the pickled ``(args, kwargs)`` in ``payload`` (base64) and publish
    what happened as one display output of type :data:`MIME`."""
    from IPython import get_ipython

    namespace = get_ipython().user_ns
    if name not in namespace:
        return _publish({"status": "missing"})
    args, kwargs = pickle.loads(base64.b64decode(payload))
    try:
        value = namespace[name](*args, **kwargs)
    except BaseException as err:  # noqa: B902 — the student's exception is the result
        return _publish(
            {
                "status": "raised",
                "type": type(err).__name__,
                "message": str(err)[:2000],
                "not_implemented": isinstance(err, NotImplementedError),
            }
        )
    _publish({"status": "returned", "value": encode(value)})


def kernel_lookup(name):
    """In the kernel: is ``name`` defined, and is it callable?  Published like :func:`kernel_call`."""
    from IPython import get_ipython

    namespace = get_ipython().user_ns
    if name not in namespace:
        return _publish({"status": "missing"})
    value = namespace[name]
    if callable(value):
        return _publish({"status": "callable"})
    _publish({"status": "returned", "value": encode(value)})


# --------------------------------------------------------------------------------------------- in the grader
def payload(args, kwargs):
    """The call's arguments for :func:`kernel_call`."""
    return base64.b64encode(pickle.dumps((tuple(args), dict(kwargs)), protocol=4)).decode("ascii")


def loads(text):
    """The envelope a kernel published (a dict with ``status``), its ``value`` rebuilt by :func:`decode`; a malformed
    or oversized message reads as a value the grader cannot use."""
    if not isinstance(text, str) or len(text) > MAX_BYTES:
        return {"status": "returned", "value": Opaque("result", "<a result too large to read>")}
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        return {"status": "returned", "value": Opaque("result", "<an unreadable result>")}
    if not isinstance(envelope, dict) or envelope.get("status") not in ("returned", "raised", "missing", "callable"):
        return {"status": "returned", "value": Opaque("result", "<an unreadable result>")}
    if envelope["status"] == "returned":
        envelope["value"] = decode(envelope.get("value"))
    return envelope


def decode(obj, depth=0):
    """The value :func:`encode` encoded (only the types listed in the module docstring are ever built)."""
    try:
        return _decode(obj, depth)
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError, IndexError) as err:
        return Opaque("result", f"<an unreadable value: {type(err).__name__}>")


def _decode(obj, depth):
    if depth > MAX_DEPTH + 2:
        raise ValueError("nested too deeply")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [_decode(v, depth + 1) for v in obj]
    if not isinstance(obj, dict):
        raise TypeError(type(obj).__name__)
    kind = obj["$"]
    if kind == "float":
        return float(obj["v"])
    if kind == "complex":
        return complex(_decode(obj["re"], depth + 1), _decode(obj["im"], depth + 1))
    if kind == "tuple":
        return tuple(_decode(v, depth + 1) for v in obj["items"])
    if kind == "set":
        return {_decode(v, depth + 1) for v in obj["items"]}
    if kind == "dict":
        return {_decode(k, depth + 1): _decode(v, depth + 1) for k, v in obj["items"]}
    if kind == "fraction":
        from fractions import Fraction

        return Fraction(int(obj["n"]), int(obj["d"]))
    if kind in ("ndarray", "npscalar"):
        import numpy as np

        dtype = np.dtype(str(obj["dtype"]))
        if dtype.kind not in "biufcO":
            raise ValueError(f"dtype {dtype}")
        if kind == "npscalar":
            return dtype.type(_decode(obj["v"], depth + 1))
        data = _decode(obj["data"], depth + 1)
        out = np.empty(len(data), dtype=dtype)
        out[:] = data
        return out.reshape([int(n) for n in obj["shape"]])
    if kind == "tensor":
        import torch

        if obj["dtype"] not in TENSOR_DTYPES:
            raise ValueError(f"dtype {obj['dtype']}")
        dtype = getattr(torch, obj["dtype"])
        return torch.tensor(_decode(obj["data"], depth + 1), dtype=dtype).reshape([int(n) for n in obj["shape"]])
    if kind == "series":
        import pandas as pd

        return pd.Series(
            _decode(obj["data"], depth + 1),
            index=_decode(obj["index"], depth + 1),
            name=_decode(obj["name"], depth + 1),
        )
    if kind == "frame":
        import pandas as pd

        columns = _decode(obj["columns"], depth + 1)
        data = [_decode(v, depth + 1) for v in obj["data"]]
        frame = pd.DataFrame(dict(enumerate(data)), index=_decode(obj["index"], depth + 1))
        frame.columns = columns
        return frame
    if kind == "opaque":
        return Opaque(str(obj.get("type", "object")), str(obj.get("repr", ""))[:300])
    raise ValueError(f"unknown tag {kind!r}")
