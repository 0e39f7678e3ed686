"""The installed environment: torch and TensorFlow in one process, as notebook 09 and the
self-checks use them. On Linux, PyPI's torch (the CUDA build) brings triton, which segfaults
when loaded after TensorFlow; helpers/__init__.py loads it first. Run in a subprocess, so that a
crash is a failure here, not a dead test worker."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                    reason="no triton here (torch's CPU build): nothing to load in order")
def test_a_torch_optimizer_after_tensorflow_does_not_crash():
    code = ("import helpers, tensorflow, torch\n"
            "torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and "ok" in done.stdout, (done.returncode, done.stderr[-2000:])
