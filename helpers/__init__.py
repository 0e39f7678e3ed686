"""Shared code for the RNN course notebooks: setup, data, plots, quizzes and self-checks."""

import importlib.util as _importlib_util
import sys as _sys

# PyPI's Linux torch wheel (the CUDA build) brings triton, which links its own copy of LLVM, as
# TensorFlow does: loading triton once TensorFlow is loaded crashes the process (a segmentation
# fault in dlopen), and torch loads it at the first optimizer it builds. Loaded first, it is safe.
if "tensorflow" not in _sys.modules and _importlib_util.find_spec("triton") is not None:
    try:
        import triton  # noqa: F401
    except Exception:       # a broken triton is torch's business, not a reason to stop here
        pass
