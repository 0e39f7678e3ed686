#!/usr/bin/env bash
# The second tested environment: Colab's own versions (requirements-colab.txt) on Python 3.13.
# Builds .venv-colab afresh (pip's download cache makes a rebuild quick), then executes every
# notebook with nbval and runs the quiz and self-check tests in it. Called by .ci/run; a
# maintainer can run it alone: bash tools/test_colab_versions.sh
set -euo pipefail
cd "$(dirname "$0")/.."

python313=""
if python3.13 -c "" >/dev/null 2>&1; then
    python313=python3.13
else                                           # pyenv keeps it out of PATH unless selected
    for candidate in "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.13*/bin/python3.13; do
        if [ -x "$candidate" ]; then python313=$candidate; break; fi
    done
fi
if [ -z "$python313" ]; then
    echo "ERROR: Python 3.13 is needed for the Colab-versions tests (requirements-colab.txt) but was" >&2
    echo "not found (tried python3.13 on PATH and pyenv's versions/3.13*). Install Python 3.13, or" >&2
    echo "run only the main test command of README.md, which needs Python 3.11 alone." >&2
    exit 1
fi

rm -rf .venv-colab
"$python313" -m venv .venv-colab
.venv-colab/bin/pip install -q -r requirements-colab.txt
.venv-colab/bin/python - <<'PY'
import sys, importlib.metadata as md
print("Colab environment: Python", sys.version.split()[0], "|",
      ", ".join(f"{p} {md.version(p)}" for p in
                ("torch", "tensorflow-cpu", "keras", "numpy", "matplotlib", "ipywidgets")))
PY
# nbval over every notebook (pytest.ini's options: the cells tagged nbval-check-output must give the
# stored outputs, so both environments give the same checked outputs), then the quiz widgets, the
# self-checks' verdicts on every catalogued wrong answer, the helpers (fit_runs's fast paths
# against Keras's layers, the data files), all offline as everywhere in the tests. The test that
# installs ipywidgets 7.7.1 beside ipywidgets 8 is skipped: here 7.7.1 is the installed version.
.venv-colab/bin/python -m pytest notebooks tests/test_quiz.py tests/test_checks*.py \
    tests/test_helpers_03.py tests/test_helpers_05.py tests/test_helpers_06.py \
    tests/test_helpers_07.py tests/test_helpers_08.py tests/test_offline.py tests/test_parity.py \
    -k "not colab_ipywidgets_7_7_1"
