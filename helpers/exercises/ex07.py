"""Exercises of topic 07, "Real data": normalisation fitted on the training split only, sliding
windows for forecasting, and the collate function that pads a batch of sequences.

The first two take and return NumPy arrays in both frameworks: data preparation happens before
anything becomes a tensor. The collate function works on the framework's tensors.
"""
import numpy as np

from helpers.checks import Exercise, Mistake, to_framework

_rng = np.random.default_rng(7)


def _numpy_args(case, fw):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in case)


# --------------------------------------------------------------------------- normalise_splits
def _normalise(kind=None):
    def fn(train, val, test, fw="numpy"):
        if kind == "all-data":
            basis = np.concatenate([train, val, test])
        elif kind == "train-and-val":
            basis = np.concatenate([train, val])
        else:
            basis = train
        if kind == "own-stats":
            return tuple((a - a.mean(axis=0)) / a.std(axis=0) for a in (train, val, test))
        if kind == "min-max":
            lo, hi = train.min(axis=0), train.max(axis=0)
            return tuple((a - lo) / (hi - lo) for a in (train, val, test))
        axis = {"one-for-all-features": None, "per-row": 1}.get(kind, 0)
        if axis == 1:
            return tuple((a - a.mean(axis=1, keepdims=True)) / a.std(axis=1, keepdims=True)
                         for a in (train, val, test))
        mean, std = basis.mean(axis=axis), basis.std(axis=axis)
        if kind == "no-std":
            std = 1.0
        return tuple((a - mean) / std for a in (train, val, test))
    return fn


def _normalise_cases():
    """A trending series split by time, so that validation and test lie above the training
    range, with features on very different scales."""
    cases = []
    for n_train, n_val, n_test, F in [(200, 40, 40, 2), (160, 30, 50, 3), (300, 60, 60, 1),
                                      (150, 25, 25, 4)]:
        n = n_train + n_val + n_test
        trend = np.linspace(0.0, 3.0, n)[:, None] * _rng.uniform(0.5, 2.0, F)
        scale = 10.0 ** _rng.uniform(-1, 2, F)
        x = (trend + _rng.normal(size=(n, F))) * scale + _rng.normal(scale=50, size=F)
        cases.append((x[:n_train], x[n_train:n_train + n_val], x[n_train + n_val:]))
    return cases


NORMALISE_SPLITS = Exercise(
    id="normalise_splits",
    title="Normalise with statistics of the training split only",
    cases=_normalise_cases(),
    reference=_normalise(),
    to_learner=_numpy_args,
    output_names=("train", "val", "test"),
    atol=5e-3, rtol=5e-3,             # np.std (ddof 0) and the sample std (ddof 1) both pass
    hints=["Compute one mean and one standard deviation per feature (over axis 0, the time or "
           "sample axis) from the training split, then use those same two arrays for all three "
           "splits: (x - mean) / std.",
           "Validation and test stand for data you have not seen yet: their statistics must not "
           "leak into the preprocessing, not even into the mean. They may come out with a mean far "
           "from 0 here (the series trends upwards), and that is correct.",
           "In NumPy: mean = train.mean(axis=0) and std = train.std(axis=0) have shape (F,) and "
           "broadcast against (N, F) arrays. Return new arrays; do not change the inputs in "
           "place."],
    solutions={fw: '''\
def normalise_splits(train, val, test):
    mean = train.mean(axis=0)                   # (F,): from the training split only
    std = train.std(axis=0)
    return (train - mean) / std, (val - mean) / std, (test - mean) / std
''' for fw in ("torch", "tensorflow")},
    mistakes=[
        Mistake("all-data", "The statistics must come from the training split alone: computed over "
                            "all three splits, the test data leaks into the preprocessing.",
                _normalise("all-data")),
        Mistake("train-and-val", "Fit the statistics on the training split only: validation data "
                                 "chooses the model, so it must stay unseen by the preprocessing too.",
                _normalise("train-and-val")),
        Mistake("own-stats", "Use the training split's mean and std for every split: normalising each "
                             "split with its own statistics hides how far validation and test lie "
                             "from the training data (here, above it), and needs the test data's "
                             "statistics before you predict it.", _normalise("own-stats")),
        Mistake("no-std", "Divide by the training split's standard deviation too, not only subtract "
                          "its mean: the features are on very different scales.",
                _normalise("no-std")),
        Mistake("one-for-all-features", "Compute one mean and one std PER FEATURE (axis 0), not one "
                                        "for the whole array: each feature has its own scale.",
                _normalise("one-for-all-features")),
        Mistake("per-row", "The statistics are taken over the samples (axis 0), for each feature; "
                           "over axis 1 each row would be normalised across its features.",
                _normalise("per-row")),
        Mistake("min-max", "This exercise asks for standardisation, (x - mean) / std, not min-max "
                           "scaling: with min-max the test values above the training maximum come "
                           "out above 1 just the same, so it does not avoid the problem either.",
                _normalise("min-max")),
    ],
    error_hint="train, val and test are (N, F) NumPy arrays with the same F: the mean and std of "
               "the training split are (F,) arrays that broadcast against each of them.",
)


# --------------------------------------------------------------------------- make_windows
def _windows(kind=None):
    def fn(series, window, horizon, first_target, stop, fw="numpy"):
        lo = max(first_target, window + horizon - 1)
        if kind == "gap-too-wide":                     # one step less history: one more to skip
            lo = max(first_target, window + horizon)
        if kind == "inputs-inside-split":
            lo = max(first_target + window + horizon - 1, window + horizon - 1)
        hi = {"crosses-split": len(series), "last-missing": stop - 1}.get(kind, stop)
        ends = {"leak": 0, "horizon-ignored": 1, "gap-too-wide": horizon + 1}
        targets = np.arange(lo, hi)
        if targets.size == 0:
            return None
        gap = ends.get(kind, horizon)                  # the last input is series[t - gap]
        X = np.stack([series[t - gap - window + 1:t - gap + 1] for t in targets])
        return X, series[targets]
    return fn


def _windows_cases():
    cases = []
    for n, window, horizon, first, stop in [(12, 3, 1, 0, 12), (20, 4, 3, 10, 19), (9, 1, 1, 5, 9),
                                            (18, 5, 2, 7, 16), (10, 2, 4, 0, 8), (16, 3, 1, 8, 14)]:
        cases.append((np.round(_rng.normal(size=n), 3), window, horizon, first, stop))
    return cases


MAKE_WINDOWS = Exercise(
    id="make_windows",
    title="Sliding windows with a forecast horizon",
    cases=_windows_cases(),
    reference=_windows(),
    to_learner=_numpy_args,
    output_names=("X", "y"),
    hints=["One window per target index t, for every t with first_target <= t < stop: the target "
           "is series[t], and the inputs are the `window` values that end `horizon` steps before "
           "it, series[t - horizon - window + 1 : t - horizon + 1]. With horizon 1 that is the "
           "`window` values just before t.",
           "The inputs may reach back before first_target (those values are in the past, known by "
           "then), but never to an index below 0: the first usable target is "
           "max(first_target, window + horizon - 1). Targets stop before `stop`, so no window of one "
           "split has its target in the next split.",
           "In NumPy: ts = np.arange(max(first_target, window + horizon - 1), stop); "
           "X = np.stack([series[t - horizon - window + 1:t - horizon + 1] for t in ts]); "
           "y = series[ts]."],
    solutions={fw: '''\
def make_windows(series, window, horizon, first_target, stop):
    ts = np.arange(max(first_target, window + horizon - 1), stop)   # target indices
    X = np.stack([series[t - horizon - window + 1:t - horizon + 1] for t in ts])
    return X, series[ts]                                           # (M, window), (M,)
''' for fw in ("torch", "tensorflow")},
    mistakes=[
        Mistake("leak", "Your inputs end at the target itself: series[t] is both the last input and "
                        "the answer, so the model can copy it. The last input is series[t - horizon].",
                _windows("leak")),
        Mistake("horizon-ignored", "Leave a gap of `horizon` steps: the last input is "
                                   "series[t - horizon], so that the forecast is made `horizon` steps "
                                   "ahead; yours always ends one step before the target.",
                _windows("horizon-ignored")),
        Mistake("gap-too-wide", "Your inputs end one step too early: the last input is "
                                "series[t - horizon], not series[t - horizon - 1].",
                _windows("gap-too-wide")),
        Mistake("crosses-split", "Stop the targets before `stop`: past it, the windows' targets "
                                 "belong to the next split (for a training split, that is the "
                                 "validation or test data leaking into training).",
                _windows("crosses-split")),
        Mistake("last-missing", "The last target is series[stop - 1]: targets run up to, but not "
                                "including, `stop`.", _windows("last-missing")),
        Mistake("inputs-inside-split", "The inputs may start before first_target: only the targets "
                                       "must lie in [first_target, stop). Past values are known at "
                                       "forecast time, and dropping those windows loses the split's "
                                       "first targets.", _windows("inputs-inside-split")),
    ],
    error_hint="series is a 1-D NumPy array; return X of shape (M, window) and y of shape (M,), one "
               "row per target index t in [max(first_target, window + horizon - 1), stop).",
)


# --------------------------------------------------------------------------- collate
def _collate(kind=None):
    def fn(sequences, pad_value, fw="numpy"):
        order = list(range(len(sequences)))
        if kind == "sorted-by-length":
            order = sorted(order, key=lambda i: -len(sequences[i]))
            if order == list(range(len(sequences))):
                return None
        seqs = [np.asarray(sequences[i]) for i in order]
        lengths = np.array([len(s) for s in seqs], dtype=np.int64)
        T = lengths.min() if kind == "truncate-to-shortest" else lengths.max()
        fill = 0 if kind == "pad-with-zero" else pad_value
        padded = np.full((len(seqs), T), fill, dtype=np.int64)
        mask = np.zeros((len(seqs), T), dtype=bool)
        for b, s in enumerate(seqs):
            s = s[:T]
            if kind == "front-padding":
                padded[b, T - len(s):], mask[b, T - len(s):] = s, True
            else:
                padded[b, :len(s)], mask[b, :len(s)] = s, True
        if kind == "mask-from-values":
            mask = padded != pad_value
        if kind == "mask-inverted":
            mask = ~mask
        if kind == "lengths-minus-one":
            lengths = lengths - 1
        if kind == "truncate-to-shortest":
            lengths = np.minimum(lengths, T)
        return padded, lengths, mask
    return fn


def _collate_cases():
    cases = []
    for lengths, pad_value, low in [([4, 1, 3], 0, 1), ([5], 0, 1), ([2, 6, 3, 1], -1, 0),
                                    ([3, 5], 5, 3), ([2, 2, 4], 7, 1), ([1, 1], 0, 1)]:
        seqs = [_rng.integers(low, 9, size=n).astype(np.int64) for n in lengths]
        cases.append((seqs, pad_value))
    cases[3][0][1][2] = 5              # a real token equal to the pad value
    return cases


COLLATE = Exercise(
    id="collate",
    title="Pad a batch of sequences: padded ids, lengths and mask",
    cases=_collate_cases(),
    reference=_collate(),
    to_learner=lambda case, fw: ([to_framework(s, fw) for s in case[0]], case[1]),
    output_names=("padded", "lengths", "mask"),
    hints=["T is the length of the longest sequence. Each row holds its sequence from position 0, "
           "then pad_value up to T (padding at the end, as the course's packing and masking "
           "expect); lengths holds each sequence's own length; mask is True at the real steps, "
           "mask[b, t] = t < lengths[b].",
           "Keep the batch in the order you were given it. Build the mask from the lengths, not by "
           "comparing values with pad_value: a real token may equal the pad value.",
           {"torch": "lengths = torch.tensor([len(s) for s in sequences]); padded = torch.full((B, T), "
                     "pad_value, dtype=torch.long), then padded[b, :len(s)] = s for each row; mask = "
                     "torch.arange(T)[None, :] < lengths[:, None]. (The library version of the padding "
                     "is torch.nn.utils.rnn.pad_sequence.)",
            "tensorflow": "lengths = tf.constant([len(s) for s in sequences], tf.int64); pad each row with "
                          "tf.pad(s, [[0, T - len(s)]], constant_values=pad_value) and tf.stack them; "
                          "mask = tf.sequence_mask(lengths, T). (tf.data's padded_batch does the padding "
                          "for a whole dataset.)"}],
    solutions={
        "torch": '''\
def collate(sequences, pad_value):
    lengths = torch.tensor([len(s) for s in sequences])              # (B,)
    T = int(lengths.max())
    padded = torch.full((len(sequences), T), pad_value, dtype=torch.long)
    for b, s in enumerate(sequences):
        padded[b, :len(s)] = s                                       # pad at the end
    mask = torch.arange(T)[None, :] < lengths[:, None]               # (B, T) bool
    return padded, lengths, mask
''',
        "tensorflow": '''\
def collate(sequences, pad_value):
    lengths = tf.constant([len(s) for s in sequences], tf.int64)     # (B,)
    T = int(tf.reduce_max(lengths))
    padded = tf.stack([tf.pad(tf.cast(s, tf.int64), [[0, T - len(s)]],
                              constant_values=pad_value) for s in sequences])
    mask = tf.sequence_mask(lengths, T)                              # (B, T) bool
    return padded, lengths, mask
'''},
    mistakes=[
        Mistake("front-padding", "Pad at the end: each sequence starts at position 0 and the padding "
                                 "follows it (front padding puts the real steps after the padding, "
                                 "where packing and length-based masks do not expect them).",
                _collate("front-padding")),
        Mistake("mask-inverted", "The mask is True at the REAL steps and False at the padding.",
                _collate("mask-inverted")),
        Mistake("lengths-minus-one", "Each length is the number of real steps, len(s), not the index "
                                     "of the last one.", _collate("lengths-minus-one")),
        Mistake("pad-with-zero", "Fill the padding with pad_value, the value you were given, not 0.",
                _collate("pad-with-zero")),
        Mistake("sorted-by-length", "Keep the batch in its order: the labels of row b still belong to "
                                    "sequence b. (Packing sorts internally when asked to, with "
                                    "enforce_sorted=False.)", _collate("sorted-by-length")),
        Mistake("mask-from-values", "Build the mask from the lengths: comparing with pad_value marks a "
                                    "real token that happens to equal it as padding.",
                _collate("mask-from-values")),
        Mistake("truncate-to-shortest", "Pad up to the LONGEST sequence: cutting every row to the "
                                        "shortest one throws real steps away.",
                _collate("truncate-to-shortest")),
    ],
    error_hint="sequences is a list of B 1-D integer tensors of different lengths: return padded "
               "(B, T) with T the longest length, lengths (B,) and mask (B, T).",
)

EXERCISES = [NORMALISE_SPLITS, MAKE_WINDOWS, COLLATE]
