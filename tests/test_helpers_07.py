"""Helpers added for topic 07: the two real datasets, their provenance, windows, n-gram models."""
import hashlib
import pathlib
import re

import numpy as np
import pytest

from helpers import data, ngram

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["co2_monthly.csv", "cmudict_words.txt"])
def test_each_data_file_matches_the_size_and_checksum_its_readme_gives(name):
    readme = (ROOT / "data" / "README.md").read_text()
    section = readme.split(f"## {name}")[1].split("\n## ")[0]
    blob = (ROOT / "data" / name).read_bytes()
    size = int(re.search(r"\| Size \| ([\d,]+) bytes", section).group(1).replace(",", ""))
    digest = re.search(r"sha256 `([0-9a-f]{64})`", section).group(1)
    assert len(blob) == size and hashlib.sha256(blob).hexdigest() == digest
    assert "| Licence |" in section and "| Prepared |" in section and "| Source" in section
    assert (ROOT / "data" / "cmudict_LICENSE.txt").read_text().startswith("Copyright (C) 1993-2015")


def test_co2_is_monthly_complete_and_plausible():
    months, co2 = data.load_co2()
    assert len(months) == len(co2) == 526 and months[0] == "1958-03" and months[-1] == "2001-12"
    years = [int(m[:4]) + (int(m[5:]) - 1) / 12 for m in months]
    assert np.allclose(np.diff(years), 1 / 12)                  # no month missing or repeated
    assert 310 < co2.min() < co2.max() < 380 and np.isfinite(co2).all()
    assert co2[-12:].mean() - co2[:12].mean() > 50              # the trend


def test_words_are_unique_lowercase_and_encode_with_start_and_end():
    words = data.load_words()
    assert len(words) == len(set(words)) == 20000 and words == sorted(words)
    assert all(re.fullmatch(r"[a-z]{2,12}", w) for w in words)
    ids = data.encode_word("cab")
    assert ids.tolist() == [data.START, 5, 3, 4, data.END] and ids.dtype == np.int64
    assert [data.CHAR_VOCAB[i] for i in ids[1:-1]] == ["c", "a", "b"]


def test_windows_put_the_target_horizon_steps_after_the_inputs():
    series = np.arange(30.0)
    X, y = data.windows(series, 4, 3, 10, 20)
    assert X.shape == (10, 4) and y.tolist() == list(range(10, 20))
    assert (X[:, -1] == y - 3).all() and (np.diff(X, axis=1) == 1).all()
    X, y = data.windows(series, 5, 1, 0, 30)                     # clamped at the start
    assert y[0] == 5 and X[0].tolist() == [0, 1, 2, 3, 4] and len(y) == 25


def test_ngram_perplexity_is_exact_on_a_tiny_corpus():
    S, E, a, b = 1, 2, 3, 4
    train = [[S, a, b, E], [S, a, a, E]]
    # unigram, k = 0: counts a 3, b 1, E 2 of 6 predicted tokens
    p = {a: 3 / 6, b: 1 / 6, E: 2 / 6}
    test = [[S, b, a, E]]
    want = np.exp(-np.mean(np.log([p[b], p[a], p[E]])))
    assert ngram.ngram_perplexity(train, test, 1, k=0.0) == pytest.approx(want)
    # bigram, add-1 over 3 next tokens: P(b|S) = (0+1)/(2+3), P(a|b) = (0+1)/(1+3), P(E|a) = (1+1)/(3+3)
    want = np.exp(-np.mean(np.log([1 / 5, 1 / 4, 2 / 6])))
    assert ngram.ngram_perplexity(train, test, 2, k=1.0) == pytest.approx(want)
    # more context helps on the real words
    words = [data.encode_word(w) for w in data.load_words()[::5]]        # 4000, a to z
    ppl = [ngram.ngram_perplexity(words[1::4] + words[2::4] + words[3::4], words[::4], n)
           for n in (1, 2, 3)]
    assert 27 > ppl[0] > ppl[1] > ppl[2] > 1
