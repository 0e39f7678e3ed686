"""Plausible wrong answers to the exercises of topic 07; each must fail with the intended hint."""
from conftest import catalogue_rows

CATALOGUE = []

# --------------------------------------------------------------------------- normalise_splits
# NumPy in both frameworks: the same wrong answers for both.
_NORMALISE = {
    "all-data": "    allx = np.concatenate([train, val, test])\n"
                "    mean, std = allx.mean(axis=0), allx.std(axis=0)\n"
                "    return (train - mean) / std, (val - mean) / std, (test - mean) / std\n",
    "train-and-val": "    seen = np.concatenate([train, val])\n"
                     "    mean, std = seen.mean(axis=0), seen.std(axis=0)\n"
                     "    return (train - mean) / std, (val - mean) / std, (test - mean) / std\n",
    "own-stats": "    z = lambda a: (a - a.mean(axis=0)) / a.std(axis=0)\n"
                 "    return z(train), z(val), z(test)\n",
    "no-std": "    mean = train.mean(axis=0)\n"
              "    return train - mean, val - mean, test - mean\n",
    "one-for-all-features": "    mean, std = train.mean(), train.std()\n"
                            "    return (train - mean) / std, (val - mean) / std, (test - mean) / std\n",
    "per-row": "    z = lambda a: (a - a.mean(axis=1, keepdims=True)) / a.std(axis=1, keepdims=True)\n"
               "    return z(train), z(val), z(test)\n",
    "min-max": "    lo, hi = train.min(axis=0), train.max(axis=0)\n"
               "    return (train - lo) / (hi - lo), (val - lo) / (hi - lo), (test - lo) / (hi - lo)\n",
    "mutated-input": "    mean, std = train.mean(axis=0), train.std(axis=0)\n"
                     "    train -= mean\n    train /= std\n"
                     "    return train, (val - mean) / std, (test - mean) / std\n",
    "arity": "    mean, std = train.mean(axis=0), train.std(axis=0)\n"
             "    return (train - mean) / std, (val - mean) / std\n",
}
for _fw in ("torch", "tensorflow"):
    CATALOGUE += catalogue_rows("normalise_splits", {_fw: _NORMALISE},
                                "def normalise_splits(train, val, test):\n{}")

# --------------------------------------------------------------------------- make_windows
_WINDOWS = {
    "leak": "    ts = np.arange(max(first_target, window + horizon - 1), stop)\n"
            "    X = np.stack([series[t - window + 1:t + 1] for t in ts])\n"
            "    return X, series[ts]\n",
    "horizon-ignored": "    ts = np.arange(max(first_target, window + horizon - 1), stop)\n"
                       "    X = np.stack([series[t - window:t] for t in ts])\n"
                       "    return X, series[ts]\n",
    "gap-too-wide": "    ts = np.arange(max(first_target, window + horizon), stop)\n"
                    "    X = np.stack([series[t - horizon - window:t - horizon] for t in ts])\n"
                    "    return X, series[ts]\n",
    "crosses-split": "    ts = np.arange(max(first_target, window + horizon - 1), len(series))\n"
                     "    X = np.stack([series[t - horizon - window + 1:t - horizon + 1] for t in ts])\n"
                     "    return X, series[ts]\n",
    "last-missing": "    ts = np.arange(max(first_target, window + horizon - 1), stop - 1)\n"
                    "    X = np.stack([series[t - horizon - window + 1:t - horizon + 1] for t in ts])\n"
                    "    return X, series[ts]\n",
    "inputs-inside-split": "    ts = np.arange(first_target + window + horizon - 1, stop)\n"
                           "    X = np.stack([series[t - horizon - window + 1:t - horizon + 1] for t in ts])\n"
                           "    return X, series[ts]\n",
    "values": "    ts = np.arange(max(first_target, window + horizon - 1), stop)\n"
              "    X = np.stack([series[t - horizon - window + 1:t - horizon + 1][::-1] for t in ts])\n"
              "    return X, series[ts]                                   # inputs reversed\n",
    "exception": "    X = np.stack([series[t - window:t] for t in range(first_target, stop)])\n"
                 "    return X, series[first_target:stop]       # negative starts: ragged rows\n",
}
for _fw in ("torch", "tensorflow"):
    CATALOGUE += catalogue_rows("make_windows", {_fw: _WINDOWS},
                                "def make_windows(series, window, horizon, first_target, stop):\n{}")

# --------------------------------------------------------------------------- collate
# The reference solution with one part changed: {T} the padded length, {fill} the padding value,
# {put} how a row is written, {mask} the mask, {lengths} what is returned as lengths.
_COLLATE = {
    "torch": """\
def collate(sequences, pad_value):
{order}    lengths = torch.tensor([len(s) for s in sequences])
    T = int({T})
    padded = torch.full((len(sequences), T), {fill}, dtype=torch.long)
    for b, s in enumerate(sequences):
        {put}
    mask = {mask}
    return padded, {lengths}, mask
""",
    "tensorflow": """\
def collate(sequences, pad_value):
{order}    lengths = tf.constant([len(s) for s in sequences], tf.int64)
    T = int({T})
    padded = tf.stack([{put} for s in sequences])
    mask = {mask}
    return padded, {lengths}, mask
""",
}
_RIGHT = {
    "torch": dict(order="", T="lengths.max()", fill="pad_value", put="padded[b, :len(s)] = s",
                  mask="torch.arange(T)[None, :] < lengths[:, None]", lengths="lengths"),
    "tensorflow": dict(order="", T="tf.reduce_max(lengths)", fill="pad_value",
                       put="tf.pad(tf.cast(s, tf.int64), [[0, T - len(s)]], constant_values=pad_value)",
                       mask="tf.sequence_mask(lengths, T)", lengths="lengths"),
}
_CHANGES = {
    "torch": {
        "front-padding": dict(put="padded[b, T - len(s):] = s",
                              mask="torch.arange(T)[None, :] >= T - lengths[:, None]"),
        "mask-inverted": dict(mask="torch.arange(T)[None, :] >= lengths[:, None]"),
        "lengths-minus-one": dict(lengths="lengths - 1"),
        "pad-with-zero": dict(fill="0"),
        "sorted-by-length": dict(order="    sequences = sorted(sequences, key=len, reverse=True)\n"),
        "mask-from-values": dict(mask="padded != pad_value"),
        "truncate-to-shortest": dict(T="lengths.min()", put="padded[b] = s[:T]",
                                     lengths="lengths.clamp(max=T)"),
        "exception": dict(T="lengths[0]"),
    },
    "tensorflow": {
        "front-padding": dict(put="tf.pad(tf.cast(s, tf.int64), [[T - len(s), 0]], "
                                  "constant_values=pad_value)",
                              mask="tf.range(T)[None, :] >= T - tf.cast(lengths[:, None], tf.int32)"),
        "mask-inverted": dict(mask="tf.logical_not(tf.sequence_mask(lengths, T))"),
        "lengths-minus-one": dict(lengths="lengths - 1"),
        "pad-with-zero": dict(put="tf.pad(tf.cast(s, tf.int64), [[0, T - len(s)]])"),
        "sorted-by-length": dict(order="    sequences = sorted(sequences, key=len, reverse=True)\n"),
        "mask-from-values": dict(mask="padded != pad_value"),
        "truncate-to-shortest": dict(T="tf.reduce_min(lengths)", put="tf.cast(s[:T], tf.int64)",
                                     lengths="tf.minimum(lengths, T)"),
        "exception": dict(put="tf.cast(s, tf.int64)"),             # rows left unpadded
    },
}
for _fw, changes in _CHANGES.items():
    for reason, change in changes.items():
        CATALOGUE.append(("collate", _fw, reason, _COLLATE[_fw].format(**{**_RIGHT[_fw], **change})))
