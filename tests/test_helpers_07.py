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


def test_kneser_ney_matches_a_bigram_computed_by_hand():
    S, E, a, b, c = 0, 9, 1, 2, 3
    train = [[S, a, b, E], [S, a, c, E], [S, b, b, E]]
    kn = ngram.KneserNey(train, 2, discount=0.5)
    # continuation counts (distinct tokens before w): a {S} 1, b {a, S, b} 3, c {a} 1, E {b, c} 2;
    # 7 in all, 4 distinct: P(b) = (3 - 0.5) / 7 + 0.5 * 4 / 7 * 1/4 = 3/7 with 4 tokens a, b, c, E
    assert kn.prob((S, 5), b) == pytest.approx(3 / 7)                 # unseen context 5: P(b)
    # after a: c(a b) = c(a c) = 1 of 2, 2 distinct: (1 - 0.5) / 2 + 0.5 * 2 / 2 * 3/7
    assert kn.prob((a,), b) == pytest.approx(0.25 + 0.5 * 3 / 7)
    # the lower order counts distinct predecessors, not occurrences: E follows b twice
    # (c(b E) = 2), but only b and c precede E, so P(E) = (2 - 0.5) / 7 + 0.5 / 7 = 2/7
    assert kn.prob((7,), E) == pytest.approx(2 / 7)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_kneser_ney_distributions_sum_to_one_in_seen_and_unseen_contexts(n):
    words = [data.encode_word(w) for w in data.load_words()[:400]]
    kn = ngram.KneserNey(words, n)
    for context in (tuple(words[0][:3]), tuple(words[5][:2]), (words[0][0], 999, 998)):
        assert sum(kn.prob(context, w) for w in kn.vocab) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        ngram.KneserNey(words, n, discount=1.0)


def test_kneser_ney_beats_add_k_on_held_out_words():
    """On the same split, interpolated Kneser-Ney is the stronger baseline at every order."""
    words = [data.encode_word(w) for w in data.load_words()[::5]]        # 4000, a to z
    train, test = words[1::4] + words[2::4] + words[3::4], words[::4]
    for n in (2, 3, 4):
        kn = ngram.KneserNey(train, n).perplexity(test)
        assert 1 < kn < ngram.ngram_perplexity(train, test, n)


def test_seasonal_difference_is_exact_on_a_trend_plus_a_yearly_cycle():
    from helpers import forecast

    t = np.arange(60)
    series = 300 + 0.1 * t + np.sin(2 * np.pi * t / 12) + (t % 12 == 3)   # any 12-month shape
    ts = np.arange(13, 60)
    assert np.allclose(forecast.seasonal_difference(series, ts), series[ts])
    assert not np.allclose(series[ts - 1], series[ts])                     # naive is not exact
    with pytest.raises(ValueError):
        forecast.seasonal_difference(series, [12])


def test_autoregression_recovers_a_noiseless_ar2_with_bias():
    from helpers import forecast

    x = [1.0, -0.5]
    for _ in range(60):
        x.append(0.6 * x[-1] - 0.3 * x[-2] + 0.2)
    series = np.asarray(x)
    X, y = data.windows(series, 2, 1, 2, 30)                       # (28, 2): x[t-2], x[t-1]
    coef = forecast.fit_autoregression(X, y)
    assert coef.shape == (3,) and np.allclose(coef, [-0.3, 0.6, 0.2], atol=1e-8)
    assert np.allclose(forecast.predict_autoregression(coef, X), y)


def test_co2_baselines_a_forecaster_tries_first():
    """On 07's test months (1996-2001): a linear autoregression on 24 monthly changes and the
    seasonal-difference forecast, the baselines the GRU forecaster must be compared with."""
    from helpers import forecast

    months, co2 = data.load_co2()
    i_val, i_test = months.index("1990-01"), months.index("1996-01")
    change = np.diff(co2, prepend=np.nan)
    coef = forecast.fit_autoregression(*data.windows(change, 24, 1, 25, i_val))
    X_test, _ = data.windows(change, 24, 1, i_test, len(co2))
    t = np.arange(i_test, len(co2))
    ar = co2[t - 1] + forecast.predict_autoregression(coef, X_test)
    assert np.mean(np.abs(ar - co2[t])) == pytest.approx(0.2734, abs=5e-4)
    seasonal = forecast.seasonal_difference(co2, t)
    assert np.mean(np.abs(seasonal - co2[t])) == pytest.approx(0.3469, abs=5e-4)


def test_kneser_ney_order_chosen_on_validation_for_07s_words():
    """07's split of the 20,000 words (16,000 / 2,000 / 2,000, permutation seed 0): validation
    chooses the 5-gram, whose test perplexity is the baseline the character GRU must beat."""
    words = data.load_words()
    order = np.random.default_rng(0).permutation(len(words))
    split = [[data.encode_word(words[i]) for i in order[a:b]]
             for a, b in ((0, 16000), (16000, 18000), (18000, 20000))]
    model, val = ngram.kneser_ney_order(split[0], split[1], orders=(3, 4, 5, 6))
    assert model.n == 5 and min(val, key=val.get) == 5 and val[4] > val[5] < val[6]
    assert model.perplexity(split[2]) == pytest.approx(9.254, abs=5e-3)


def test_recursive_autoregression_feeds_each_forecast_back():
    from helpers import forecast

    coef = np.array([0.5, 0.25, 1.0])                    # x_t = 0.5 x_{t-2} + 0.25 x_{t-1} + 1
    out = forecast.recursive_autoregression(coef, np.array([9.0, 2.0, 4.0]), 3)
    a = 0.5 * 2 + 0.25 * 4 + 1                            # 3.0, from the last two values
    b = 0.5 * 4 + 0.25 * a + 1
    c = 0.5 * a + 0.25 * b + 1
    assert np.allclose(out, [a, b, c])
    X = np.array([[2.0, 4.0]])
    assert np.isclose(forecast.predict_autoregression(coef, X)[0], out[0])   # step 1 = one-step
