"""The lock (requirements.txt + requirements-cuda.txt, made by tools/lock.py from requirements.in):
well formed, made from the current requirements.in, and at the versions the stored notebook
outputs were made with. Offline; the full re-resolution is `python3 tools/lock.py --check`."""
import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"([A-Za-z0-9_.\-]+)==([\w.+]+)(?: ; (.+))?")


def _pins(name):
    """{(package name, marker or ""): version} of a lock file's requirement lines."""
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(("#", "    #")) or line == "-c requirements-cuda.txt":
            continue
        match = LINE.fullmatch(line)
        assert match, f"{name}: not `name==version [; marker]`: {line!r}"
        package, version, marker = match.groups()
        pins[(package.lower().replace("_", "-"), marker or "")] = version
    return pins


def test_every_line_of_the_lock_is_one_exact_version():
    lock, cuda = _pins("requirements.txt"), _pins("requirements-cuda.txt")
    assert len(lock) > 100 and len(cuda) > 5
    assert not {p for p, _ in lock} & {p for p, _ in cuda}, "a package in both files"
    # Constraints for PyPI's Linux torch wheel only: each line holds on Linux alone.
    assert all("sys_platform == 'linux'" in marker for _, marker in cuda), cuda
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "\n-c requirements-cuda.txt\n" in text


def test_lock_was_made_from_the_current_requirements_in():
    source = (ROOT / "requirements.in").read_bytes()
    recorded = re.search(r"^# requirements.in sha256: (\w+)$",
                         (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M)
    assert recorded and recorded.group(1) == hashlib.sha256(source).hexdigest(), (
        "requirements.in changed since the lock was made: run python3 tools/lock.py")


def test_every_top_level_pin_is_in_the_lock_as_written():
    lock = _pins("requirements.txt")
    for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        package, version, marker = LINE.fullmatch(line).groups()
        versions = {v for (p, _), v in lock.items() if p == package.lower()}
        assert versions == {version}, (package, versions)


def _setup_versions(path):
    """The versions a notebook's setup cell printed when its outputs were stored."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        text = "".join("".join(out.get("text", "")) for out in cell.get("outputs", []))
        found = dict(re.findall(r"^(torch|tensorflow|keras|numpy|matplotlib|ipywidgets) +"
                                r"(\S+)$", text, re.M))
        if found:
            return found
    return {}


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_stored_outputs_were_made_with_the_locked_versions(path):
    lock = {p: v for (p, _), v in _pins("requirements.txt").items()}
    printed = _setup_versions(path)
    assert set(printed) == {"torch", "tensorflow", "keras", "numpy", "matplotlib",
                            "ipywidgets"}, printed
    for package, version in printed.items():
        locked = lock["tensorflow-cpu" if package == "tensorflow" else package]
        # torch's local label (+cpu, +cu130) names the build, not the release.
        assert version.split("+")[0] == locked, (package, version, locked)
