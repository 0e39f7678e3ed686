#!/usr/bin/env bash
# The other supported Pythons: for each version given (default: 3.12 3.13), build .venv-pyXY from
# the lock as the README's command does (python -m venv, pip install -r requirements.txt: on Linux
# PyPI's torch, the CUDA build, as a learner gets it), then run the unit tests that need no
# browser plus one notebook per framework through nbval. The full suite runs on 3.11 (.ci/run).
# Called by .ci/run; alone: bash tools/test_python_versions.sh [3.12] [3.13]
# The installs run side by side (pip unpacks on one core each); the tests one version at a time.
# Each venv is about 6.6 GB; it is removed after its tests pass (KEEP_VENVS=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {                                # python3.X on PATH, else pyenv's versions/3.X*
    local version=$1 candidate root
    if "python$version" -c "" >/dev/null 2>&1; then echo "python$version"; return; fi
    root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    for candidate in "$root"/versions/"$version".*/bin/"python$version"; do
        if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
    return 1
}

versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then versions=(3.12 3.13); fi
start=$SECONDS
pids=()
for version in "${versions[@]}"; do
    if ! python=$(find_python "$version"); then
        echo "ERROR: Python $version not found (tried python$version on PATH and pyenv's" >&2
        echo "versions/$version*). Install it, or run only the 3.11 test command of README.md." >&2
        exit 1
    fi
    venv=".venv-py${version/./}"
    echo "--- Python $version: installing $venv from requirements.txt ---"
    rm -rf "$venv"
    ( "$python" -m venv "$venv" && "$venv/bin/pip" install -q -r requirements.txt ) &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done          # set -e: a failed install stops here
echo "--- installed in $((SECONDS - start)) s ---"

for version in "${versions[@]}"; do
    tests_start=$SECONDS
    venv=".venv-py${version/./}"
    "$venv/bin/python" - <<'PY'
import sys, importlib.metadata as md
names = ("torch", "tensorflow", "tensorflow-cpu", "keras", "numpy", "matplotlib", "ipywidgets")
found = []
for name in names:
    try:
        found.append(f"{name} {md.version(name)}")
    except md.PackageNotFoundError:
        pass
print("Python", sys.version.split()[0], "|", ", ".join(found))
PY
    echo "$venv: $(du -sh "$venv" | cut -f1)"
    # The unit tests that need neither a browser nor a second ipywidgets, then one notebook per
    # framework (nbval, pytest.ini's options: the tagged cells must give the stored outputs).
    "$venv/bin/python" -m pytest tests/test_structure.py tests/test_lock.py \
        tests/test_environment.py tests/test_quiz.py tests/test_progress.py tests/test_checks.py \
        tests/test_helpers_03.py tests/test_helpers_05.py tests/test_helpers_06.py \
        tests/test_helpers_07.py tests/test_helpers_08.py tests/test_offline.py \
        notebooks/01_from_ffn_to_rnn_pytorch.ipynb notebooks/01_from_ffn_to_rnn_tensorflow.ipynb \
        -k "not colab_ipywidgets_7_7_1"
    if [ "${KEEP_VENVS:-0}" != 1 ]; then rm -rf "$venv"; fi
    echo "--- Python $version: tests took $((SECONDS - tests_start)) s ---"
done
