"""Make or check the lock (requirements.txt + requirements-cuda.txt) from requirements.in.

    python3 tools/lock.py            after editing requirements.in: resolve again, keeping every
                                     pin of the current lock that still fits
    python3 tools/lock.py --upgrade  the same, but every unpinned dependency moves to its newest
                                     release (then run the tests: bash .ci/run)
    python3 tools/lock.py --check    CI: resolve again into a temporary folder and fail, showing
                                     the diff, when the committed lock differs

uv (UV_VERSION below, installed into .venv-lock/ on first use; git ignores it) resolves once
for CPython 3.11 and later on every platform (`uv pip compile --universal`): a line that holds
only somewhere carries an environment marker after ";". The old lock is given to uv as its
output file, so uv keeps its pins unless requirements.in asks for something else: the check
is stable while PyPI publishes new releases, and fails when requirements.in changed.

The packages that only PyPI's Linux torch wheel needs (its CUDA libraries and triton: the
Linux-only dependencies of torch, and theirs) go to requirements-cuda.txt, which
requirements.txt names as constraints (-c). pip installs them, at these versions, where that
wheel asks for them, and not at all with torch's CPU-only build (PyTorch's CPU index, or a
local 2.13.0+cpu wheel), so one lock serves both.

--check also resolves the lock itself for each supported Python on each platform (Linux x86_64
and aarch64, macOS 14+ on Apple silicon, Windows x86_64) with wheels only, so a pin without a
wheel somewhere fails here rather than on a learner's machine.

Without PyPI, --check falls back to the uv cache (--offline), and failing that checks only
that requirements.in's sha256 matches the one recorded in requirements.txt's header (said so
in a warning).
"""
import argparse
import difflib
import os
import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

UV_VERSION = "0.13.9"
LOWEST_PYTHON = "3.11"
ROOT = Path(__file__).resolve().parent.parent
SOURCE, LOCK, CUDA = "requirements.in", "requirements.txt", "requirements-cuda.txt"
HASH_LINE = "# requirements.in sha256: "

LOCK_HEADER = f"""\
# The lock: every package the course installs, each at one version, for CPython 3.11-3.13 on
# Linux, macOS and Windows (a marker after ";" says where a line applies). Install with
#     python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
# Made from requirements.in by `python3 tools/lock.py` (uv {UV_VERSION}); do not edit by hand.
#
# torch on Linux: PyPI's torch 2.13.0 is the CUDA build and pulls in the NVIDIA libraries pinned
# in requirements-cuda.txt (3.2 GB to download, a venv of 6.6 GB). For the CPU-only build (0.7 GB,
# a venv of 2.9 GB) add --extra-index-url https://download.pytorch.org/whl/cpu to the pip command:
# pip then takes torch 2.13.0+cpu, which needs none of them. macOS and Windows get CPU builds.
"""
CUDA_HEADER = f"""\
# Constraints, not requirements: the CUDA libraries that only PyPI's Linux torch wheel needs,
# pinned. requirements.txt includes this file with -c, so pip installs them at these versions
# when that wheel asks for them, and not at all with torch's CPU-only build.
# Made with requirements.txt by `python3 tools/lock.py` (uv {UV_VERSION}); do not edit by hand.
"""


def uv_command():
    """Path to uv UV_VERSION in .venv-lock/, installed there by pip the first time."""
    venv = ROOT / ".venv-lock"
    uv = venv / ("Scripts/uv.exe" if sys.platform == "win32" else "bin/uv")
    if uv.exists():
        found = subprocess.run([str(uv), "--version"], capture_output=True, text=True).stdout
        if found.split()[1:2] == [UV_VERSION]:
            return str(uv)
    print(f"Installing uv {UV_VERSION} into .venv-lock/ ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"], check=True)
    return str(uv)


def requirement_lines(path):
    """The `name==version ; marker` lines of a lock file (comments and -c lines left out)."""
    if not path.exists():
        return []
    return [line for line in path.read_text().splitlines()
            if line and not line.startswith(("#", " ", "-"))]


def compile_full(uv, out, upgrade, offline):
    """Run uv's universal resolution of requirements.in into `out`; True when it worked."""
    command = [uv, "pip", "compile", "--no-config", "--universal",
               "--python-version", LOWEST_PYTHON, "--no-header", "--quiet",
               SOURCE, "-o", str(out)]
    command += ["--upgrade"] if upgrade else []
    command += ["--offline"] if offline else []
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr.strip(), file=sys.stderr)
    return done.returncode == 0


PLATFORMS = {"x86_64-unknown-linux-gnu": "Linux x86_64",
             "aarch64-unknown-linux-gnu": "Linux aarch64",
             "aarch64-apple-darwin": "macOS 14+ (Apple silicon)",
             "x86_64-pc-windows-msvc": "Windows x86_64"}
PYTHONS = ("3.11", "3.12", "3.13")


def check_wheels(uv, offline):
    """Resolve requirements.txt (with its -c file) for every platform and Python, wheels only;
    return the failures as lines of text."""
    failures = []
    env = dict(os.environ, MACOSX_DEPLOYMENT_TARGET="14.0")   # torch 2.13's macOS wheels
    for platform, words in PLATFORMS.items():
        for python in PYTHONS:
            command = [uv, "pip", "compile", "--no-config", "--no-python-downloads", "--quiet",
                       "--only-binary", ":all:", "--python-platform", platform,
                       "--python-version", python, LOCK, "-o", os.devnull]
            command += ["--offline"] if offline else []
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
            if done.returncode != 0:
                failures.append(f"{words}, Python {python}: {done.stderr.strip()[-600:]}")
    return failures


def parse(text):
    """uv's output -> {name: (block of lines, marker or "", set of the names it is via)}."""
    entries, name = {}, None
    for line in text.splitlines():
        if not line or line.startswith("# This file"):
            continue
        if not line.startswith(" "):
            name = re.split(r"[=<>!~ ;\[]", line, maxsplit=1)[0].lower()
            marker = line.split(";", 1)[1].strip() if ";" in line else ""
            entries[name] = ([line], marker, set())
        else:
            entries[name][0].append(line)
            via = line.strip().lstrip("#").strip()
            via = via[len("via"):].strip() if via.startswith("via") else via
            if via:
                entries[name][2].add(via.lower())
    return entries


def cuda_only(entries):
    """Names needed only by PyPI's Linux torch wheel: torch's Linux-only dependencies (those
    whose marker holds on Linux alone), then, repeatedly, packages needed only by those."""
    found = {name for name, (_, marker, via) in entries.items()
             if via == {"torch"} and "sys_platform == 'linux'" in marker}
    grew = True
    while grew:
        more = {name for name, (_, _, via) in entries.items()
                if name not in found and via and via <= found | {"torch"}
                and (via & found)}
        found |= more
        grew = bool(more)
    return found


def render(entries, source_hash):
    """The two files' texts from the full resolution."""
    cuda = cuda_only(entries)
    lock = [LOCK_HEADER + HASH_LINE + source_hash, f"-c {CUDA}"]
    constraints = [CUDA_HEADER.rstrip("\n")]
    for name in sorted(entries):
        (constraints if name in cuda else lock).extend(entries[name][0])
    return "\n".join(lock) + "\n", "\n".join(constraints) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when the lock is stale")
    parser.add_argument("--upgrade", action="store_true", help="newest releases of every "
                        "dependency that requirements.in does not pin")
    args = parser.parse_args()
    source_hash = hashlib.sha256((ROOT / SOURCE).read_bytes()).hexdigest()
    uv = uv_command()
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "full.txt"
        if not args.upgrade:        # the current pins, as uv's preferences
            old = requirement_lines(ROOT / LOCK) + requirement_lines(ROOT / CUDA)
            full.write_text("\n".join(old) + "\n")
        ok = compile_full(uv, full, args.upgrade, offline=False)
        offline = not ok
        if not ok and args.check:
            print("Resolving with PyPI failed; trying uv's cache (--offline).", file=sys.stderr)
            ok = compile_full(uv, full, False, offline=True)
        if not ok and args.check:
            recorded = [line for line in (ROOT / LOCK).read_text().splitlines()
                        if line.startswith(HASH_LINE)]
            if recorded != [HASH_LINE + source_hash]:
                sys.exit(f"STALE: {SOURCE} changed since {LOCK} was made "
                         f"(and it could not be resolved again here): python3 tools/lock.py")
            print(f"WARNING: could not resolve (no PyPI, no cache); checked only that {SOURCE}"
                  f" is unchanged since {LOCK} was made (its sha256).", file=sys.stderr)
            return
        if not ok:
            sys.exit("uv could not resolve requirements.in (see above)")
        texts = dict(zip((LOCK, CUDA), render(parse(full.read_text()), source_hash)))
    if args.check:
        stale = False
        for name, text in texts.items():
            current = (ROOT / name).read_text() if (ROOT / name).exists() else ""
            if current != text:
                stale = True
                sys.stdout.writelines(difflib.unified_diff(
                    current.splitlines(True), text.splitlines(True),
                    f"{name} (committed)", f"{name} (from {SOURCE})"))
        if stale:
            sys.exit(f"STALE: the lock does not match {SOURCE}; run python3 tools/lock.py")
        print(f"The lock is current: {LOCK} and {CUDA} match {SOURCE} (uv {UV_VERSION}).")
        failures = check_wheels(uv, offline)
        if failures:
            sys.exit("NO WHEELS: the lock does not install everywhere it should:\n"
                     + "\n".join(failures))
        print(f"It resolves with wheels alone for Python {', '.join(PYTHONS)} on "
              f"{', '.join(PLATFORMS.values())}.")
        return
    for name, text in texts.items():
        (ROOT / name).write_text(text)
        print(f"wrote {name}: {len(requirement_lines(ROOT / name))} pinned lines")


if __name__ == "__main__":
    main()
