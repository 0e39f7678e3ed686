"""Datasets: seeded generators that return NumPy arrays, and loaders of the real data in data/.

Both notebooks of a pair call the same generator with the same seed, so they train on the
very same numbers.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

# ----------------------------------------------------------------------------- order task
ORDER_VOCAB = ["<pad>", "the", "a", "big", "small", "grey", "quick", "chased", "saw", "near", "cat", "mouse"]
CAT, MOUSE = ORDER_VOCAB.index("cat"), ORDER_VOCAB.index("mouse")
_FILLERS = np.arange(1, CAT)          # every word except <pad>, cat and mouse


def order_task(n: int, seq_len: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sentences where only word order decides the label.

    Every sentence holds "cat" once and "mouse" once at random places among random filler
    words; the label is 1 when "cat" comes first ("the cat ... chased ... the mouse"), else 0.
    Both classes contain exactly the same words, so any bag-of-words model is at chance.

    Returns X: (n, seq_len) int64 token ids, y: (n,) int64 labels, balanced in expectation.
    """
    rng = np.random.default_rng(seed)
    X = rng.choice(_FILLERS, size=(n, seq_len))
    pos = np.argsort(rng.random((n, seq_len)), axis=1)[:, :2]      # two distinct positions per row
    rows = np.arange(n)
    X[rows, pos[:, 0]] = CAT
    X[rows, pos[:, 1]] = MOUSE
    y = (pos[:, 0] < pos[:, 1]).astype(np.int64)
    return X.astype(np.int64), y


NEXT_ANIMAL_TAGS = ["cat", "mouse", "none"]


def next_animal_task(n: int, seq_len: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The order task's sentences, tagged word by word with the animal that comes NEXT.

    Each position t gets tag 0 ("cat") or 1 ("mouse") when that animal is the first one after t,
    and 2 ("none") when no animal follows; the tag of a word depends only on later words. Before
    the first animal a left-to-right reader can only guess (one in two); from there on the rest
    is known to it. Same sentences as ``order_task(n, seq_len, seed)``.

    Returns X: (n, seq_len) int64 token ids, tags: (n, seq_len) int64 in {0, 1, 2}.
    """
    X, _ = order_task(n, seq_len, seed)
    tags = np.full(X.shape, 2, dtype=np.int64)
    for t in range(seq_len - 2, -1, -1):                 # right to left: the nearest animal wins
        nxt = X[:, t + 1]
        tags[:, t] = np.where(nxt == CAT, 0, np.where(nxt == MOUSE, 1, tags[:, t + 1]))
    return X, tags


def decode(tokens, vocab=ORDER_VOCAB) -> str:
    """Token ids -> a readable sentence (padding dropped)."""
    return " ".join(vocab[t] for t in tokens if vocab[t] != "<pad>")


def encode(sentence: str, vocab=ORDER_VOCAB) -> np.ndarray:
    """A sentence of known words -> (T,) int64 token ids."""
    return np.array([vocab.index(word) for word in sentence.split()], dtype=np.int64)


def bag_of_words(X: np.ndarray, vocab_size: int) -> np.ndarray:
    """Count vectors: X (n, T) int token ids -> (n, vocab_size) float32; word order is lost."""
    counts = np.zeros((X.shape[0], vocab_size), dtype=np.float32)
    np.add.at(counts, (np.repeat(np.arange(X.shape[0]), X.shape[1]), X.ravel()), 1.0)
    counts[:, 0] = 0.0          # padding is not a word
    return counts


def one_hot(tokens: np.ndarray, vocab_size: int) -> np.ndarray:
    """(..., T) int ids -> (..., T, vocab_size) float32 one-hot vectors."""
    return np.eye(vocab_size, dtype=np.float32)[tokens]


def split(X: np.ndarray, y: np.ndarray, n_test: int):
    """First n - n_test rows for training, the last n_test held out: (X_tr, y_tr, X_te, y_te)."""
    return X[:-n_test], y[:-n_test], X[-n_test:], y[-n_test:]


# --------------------------------------------------------------------------- topic 02
def first_token_task(n: int, seq_len: int, n_classes: int = 4, dim: int = 8, noise: float = 1.0,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Remember the first step: a long-range memory test whose difficulty is set by seq_len.

    Step 0 of each sequence is a cue, 3 times the one-hot vector of the label (one of n_classes,
    in the first n_classes features); every later step is Gaussian noise with standard deviation
    ``noise`` in all ``dim`` features. To answer, a many-to-one model must carry the cue through
    seq_len - 1 noisy steps. Chance accuracy is 1 / n_classes.

    Returns X: (n, seq_len, dim) float32, y: (n,) int64 labels.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=noise, size=(n, seq_len, dim)).astype(np.float32)
    y = rng.integers(0, n_classes, size=n).astype(np.int64)
    X[:, 0, :] = 0.0
    X[np.arange(n), 0, y] = 3.0
    return X, y


def random_lengths(n: int, low: int, high: int, seed: int = 0) -> np.ndarray:
    """(n,) int64 sequence lengths drawn uniformly from [low, high]."""
    return np.random.default_rng(seed).integers(low, high + 1, size=n).astype(np.int64)


def pad_sequences(seqs: list, pad_value: float = 0.0) -> np.ndarray:
    """A list of (T_i, D) arrays -> (B, max T_i, D) float32, padded at the end with pad_value."""
    T = max(len(s) for s in seqs)
    out = np.full((len(seqs), T, seqs[0].shape[1]), pad_value, dtype=np.float32)
    for b, s in enumerate(seqs):
        out[b, :len(s)] = s
    return out


# --------------------------------------------------------------------------- topic 03
def adding_problem(n: int, seq_len: int = 50, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter and Schmidhuber, 1997): a long-range memory benchmark.

    Each step has two features: a value drawn uniformly from [0, 1) and a marker that is 1 at exactly
    two steps (one in the first half of the sequence, one in the second) and 0 elsewhere. The target
    is the sum of the two marked values. Predicting the mean target, 1.0, gives a mean squared error
    of about 1/6 (the variance of a sum of two uniforms): the baseline a model must beat.

    Returns X: (n, seq_len, 2) float32, y: (n,) float32.
    """
    rng = np.random.default_rng(seed)
    values = rng.random((n, seq_len)).astype(np.float32)
    markers = np.zeros((n, seq_len), dtype=np.float32)
    first = rng.integers(0, seq_len // 2, size=n)
    second = rng.integers(seq_len // 2, seq_len, size=n)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return np.stack([values, markers], axis=-1), y.astype(np.float32)



# --------------------------------------------------------------------------- topic 05
def sign_agreement_task(n: int, seq_len: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Count the steps at which two inputs agree in sign: a task for depth.

    Each step has two features drawn from a standard normal. A step "agrees" when both have the
    same sign (x1 * x2 > 0), which is the XOR of two signs: no single linear threshold on the
    step's inputs computes it. The target is (agreeing steps - disagreeing steps) / (2 sqrt(T)),
    scaled so that its mean is 0 and its variance 1/4: predicting 0 gives an MSE of about 0.25.

    Returns X: (n, seq_len, 2) float32, y: (n,) float32.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, seq_len, 2)).astype(np.float32)
    agree = np.sign(X[..., 0] * X[..., 1])                        # (n, T): +1 or -1
    return X, (agree.sum(axis=1) / (2 * np.sqrt(seq_len))).astype(np.float32)

# ---- topic 02 (revision)
def echo_stream(n: int, seq_len: int, delay: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A long stream for truncated BPTT: the target at step t is the input from ``delay`` steps back.

    x[b, t] is Gaussian noise (standard deviation 1, one feature); y[b, t] = x[b, t - delay], and 0 for
    the first ``delay`` steps. Predicting 0 everywhere gives a mean squared error of about 1, the baseline;
    a model that remembers the last ``delay`` inputs gets it near 0.

    Returns x: (n, seq_len, 1) float32, y: (n, seq_len) float32.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, seq_len)).astype(np.float32)
    y = np.zeros_like(x)
    y[:, delay:] = x[:, :-delay]
    return x[:, :, None], y


# ---- topic 06: sequence tasks
PAD, START, END = 0, 1, 2                 # special token ids of the sequence-to-sequence tasks
DIGIT_VOCAB = ["<pad>", "<start>", "<end>"] + [str(d) for d in range(10)]   # digit d is id d + 3


def reverse_task(n: int, min_len: int = 2, max_len: int = 14, seed: int = 0):
    """Digit strings and their reversals, for an encoder-decoder.

    Each source is min_len..max_len random digits (ids 3..12), padded with PAD to max_len; its
    target is the same digits in reverse order, then END, padded to max_len + 1.
    Returns src (n, max_len), tgt (n, max_len + 1) int64, lengths (n,) int64.
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_len, max_len + 1, n)
    src = np.full((n, max_len), PAD, dtype=np.int64)
    tgt = np.full((n, max_len + 1), PAD, dtype=np.int64)
    for i, length in enumerate(lengths):
        digits = rng.integers(3, 13, length)
        src[i, :length] = digits
        tgt[i, :length] = digits[::-1]
        tgt[i, length] = END
    return src, tgt, lengths.astype(np.int64)


# A small grammar over the order task's words: DET ADJ* NOUN VERB DET ADJ* NOUN, the subject
# given (cat or mouse) and the object the other animal. SENTENCE_VOCAB = ORDER_VOCAB + <start>, <end>.
SENTENCE_VOCAB = ORDER_VOCAB + ["<start>", "<end>"]
S_START, S_END = len(ORDER_VOCAB), len(ORDER_VOCAB) + 1
_DETS, _ADJS, _VERBS = ("the", "a"), ("big", "small", "grey", "quick"), ("chased", "saw")


def sentence_task(n: int, seed: int = 0):
    """Sentences "the big cat chased a mouse" for a generator conditioned on its subject.

    Each sentence: a determiner, 0 to 2 adjectives (no repeats), the subject, a verb, a determiner,
    0 to 2 adjectives, the object, END; the subject is cat (condition 0) or mouse (condition 1) and
    the object the other animal. Returns condition (n,) int64 and tokens (n, 13) int64 ids of
    SENTENCE_VOCAB, padded with 0 (<pad>) after END.
    """
    rng = np.random.default_rng(seed)
    cond = rng.integers(0, 2, n)
    tokens = np.zeros((n, 13), dtype=np.int64)
    for i, c in enumerate(cond):
        subject, obj = ("cat", "mouse") if c == 0 else ("mouse", "cat")
        words = []
        for noun, verb in ((subject, rng.choice(_VERBS)), (obj, None)):
            words.append(rng.choice(_DETS))
            words += list(rng.choice(_ADJS, size=rng.integers(0, 3), replace=False))
            words.append(noun)
            if verb is not None:
                words.append(verb)
        ids = [SENTENCE_VOCAB.index(w) for w in words] + [S_END]
        tokens[i, :len(ids)] = ids
    return cond.astype(np.int64), tokens


def is_grammatical(ids, condition: int) -> bool:
    """Does a generated sentence (ids up to and including END) follow sentence_task's grammar,
    with the subject the condition asks for?"""
    words = [SENTENCE_VOCAB[i] for i in ids]
    if S_END not in list(ids):
        return False
    words = words[:words.index("<end>")]
    subject, obj = ("cat", "mouse") if condition == 0 else ("mouse", "cat")
    pos = 0

    def phrase(noun):
        nonlocal pos
        if pos >= len(words) or words[pos] not in _DETS:
            return False
        pos += 1
        adjs = []
        while pos < len(words) and words[pos] in _ADJS:
            adjs.append(words[pos])
            pos += 1
        if len(adjs) > 2 or len(set(adjs)) < len(adjs) or pos >= len(words) or words[pos] != noun:
            return False
        pos += 1
        return True

    if not phrase(subject) or pos >= len(words) or words[pos] not in _VERBS:
        return False
    pos += 1
    return phrase(obj) and pos == len(words)


# ---- topic 07: real data, read from files in data/ (data/README.md gives their provenance)
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CHAR_VOCAB = ["<pad>", "<start>", "<end>"] + list("abcdefghijklmnopqrstuvwxyz")   # PAD, START, END


def load_co2() -> tuple[list[str], np.ndarray]:
    """Monthly mean CO2 at Mauna Loa, March 1958 - December 2001 (526 months).

    Returns the months as "YYYY-MM" strings and the values in ppm, float64 (526,).
    """
    import csv

    with open(DATA_DIR / "co2_monthly.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["month"] for r in rows], np.array([float(r["co2_ppm"]) for r in rows])


def load_words() -> list[str]:
    """20,000 English words and names from the CMU Pronouncing Dictionary, a-z only, 2 to 12
    letters, in alphabetical order."""
    return (DATA_DIR / "cmudict_words.txt").read_text().split()


def encode_word(word: str) -> np.ndarray:
    """"cat" -> [START, c, a, t, END] as CHAR_VOCAB ids, int64 (len(word) + 2,)."""
    return np.array([START] + [CHAR_VOCAB.index(c) for c in word] + [END], dtype=np.int64)


def windows(series: np.ndarray, window: int, horizon: int, first_target: int, stop: int):
    """Sliding windows for forecasting (the course's version of exercise make_windows).

    One row per target index t in [max(first_target, window + horizon - 1), stop):
    X (M, window) = series[t - horizon - window + 1 : t - horizon + 1], y (M,) = series[t].
    """
    ts = np.arange(max(first_target, window + horizon - 1), stop)
    X = np.stack([series[t - horizon - window + 1:t - horizon + 1] for t in ts])
    return X, series[ts]


# ---- topic 08: limits of RNNs
def delayed_recall_task(n: int, seq_len: int = 32, n_classes: int = 4, dim: int = 8,
                        noise: float = 0.5, seed: int = 0):
    """Topic 03's cue task with the cue at a random distance from the end: a memory-span test.

    Every step is Gaussian noise (standard deviation ``noise``, ``dim`` features) except one, the
    cue: 3 times the one-hot vector of the label (one of n_classes). The cue sits ``delay`` steps
    before the last step, delay drawn uniformly from 0 to seq_len - 1 (delay seq_len - 1 is topic
    03's cue at step 0). A many-to-one model reads the whole sequence and answers at its end, so
    it must hold the cue for ``delay`` steps. Chance accuracy is 1 / n_classes.

    Returns X: (n, seq_len, dim) float32, y: (n,) int64 labels, delay: (n,) int64.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=noise, size=(n, seq_len, dim)).astype(np.float32)
    y = rng.integers(0, n_classes, size=n).astype(np.int64)
    delay = rng.integers(0, seq_len, size=n).astype(np.int64)
    rows, at = np.arange(n), seq_len - 1 - delay
    X[rows, at, :] = 0.0
    X[rows, at, y] = 3.0
    return X, y, delay
