# %% [markdown]
# # 07 Real data (TensorFlow)
#
# Every dataset so far was made up by a few lines of code, so that each experiment could isolate one idea.
# This notebook takes two datasets that nobody made up, and runs the whole pipeline on them the way a real project must: splits made before anything is fitted, preprocessing fitted on the training split only, batches of padded sequences, early stopping on validation, and the test set read once, at the end.
# Above all, **baselines first**: a recurrent network is only worth its cost if it beats the simple methods, and the text says whether it did.
#
# **Learning objectives**
# 1. Split a time series by time and a set of words at random, fit normalisation on the training split only, and cut windows for forecasting without leaking the target.
# 2. Build the batches: a `tf.data` pipeline that shuffles and batches, and a collate function that pads and returns lengths and a mask; train with early stopping, keeping the best weights.
# 3. Measure a recurrent forecaster and a character-level language model against naive, seasonal-naive and n-gram baselines, three seeds each, and read one-step, multi-step and perplexity results honestly.
#
# **Runtime:** about 50 s on a laptop CPU (2 cores; measured 45-49 s); a GPU is used when there is one.

# %% [markdown]
# **Framework-specific (TensorFlow):** the imports and the course's TensorFlow helpers (importing them first keeps TensorFlow's start-up messages quiet).
# We ask TensorFlow for one thread per operation and one operation at a time: faster for models this small.

# %%
from helpers import tf_utils as fw
import numpy as np
import tensorflow as tf
import keras

from helpers import data, ngram, plots
from helpers.checks import check
from helpers.quiz import quiz

DEVICE = fw.setup()
tf.config.threading.set_intra_op_parallelism_threads(1)    # small models: one thread
tf.config.threading.set_inter_op_parallelism_threads(1)    # and one operation at a time

# %% [markdown]
# ## Warm-up quiz
#
# Three questions on topic 06: teacher forcing, sampling with a temperature, and attention.

# %%
quiz("07_real_data", "warmup", framework="tensorflow")

# %% [markdown]
# ## 1. Two real datasets, on disk
#
# Both files are in the course's `data/` folder, and nothing is downloaded when this notebook runs, here or on Colab.
# `data/README.md` gives each one's source, licence, size and the exact preparation, and `tools/prepare_data_07.py` rebuilds both from the pinned packages that ship the originals.
#
# - **Atmospheric CO2 at Mauna Loa**, Hawaii: the monthly mean concentration in parts per million, March 1958 to December 2001, from C. D. Keeling's measurements (public domain; the weekly series that statsmodels ships, averaged per month).
# - **20,000 English words and names** from the CMU Pronouncing Dictionary (BSD-style licence), letters a-z only, 2 to 12 letters.

# %% tags=nbval-check-output
months, co2 = data.load_co2()                       # 526 months, ppm
words = data.load_words()                           # 20,000 words
print(f"CO2: {len(co2)} months, {months[0]} to {months[-1]}, "
      f"{co2.min():.2f} to {co2.max():.2f} ppm")
print(f"words: {len(words)}, e.g.", ", ".join(words[::2500]))

# %% [markdown]
# ## 2. Splits before anything is fitted
#
# The test set stands for the future: data the model will meet after we have stopped choosing.
# So the splits come first, before any statistic is computed:
# - **The CO2 series is split by time**: train on 1958-1989, validate on 1990-1995, test on 1996-2001. A random split would put months of 1999 in training and their neighbours in the test set, and the model would be graded on interpolating a curve it has already seen on both sides.
# - **The words are split at random**, 16,000 / 2,000 / 2,000: they have no order in time, and a random split gives each part the same mix.

# %% tags=nbval-check-output
i_val, i_test = months.index("1990-01"), months.index("1996-01")
order = np.random.default_rng(0).permutation(len(words))
train_words = [words[i] for i in order[:16000]]
val_words = [words[i] for i in order[16000:18000]]
test_words = [words[i] for i in order[18000:]]
print(f"CO2 months: train {i_val}, validation {i_test - i_val}, "
      f"test {len(co2) - i_test}")
print(f"words: train {len(train_words)}, validation {len(val_words)}, "
      f"test {len(test_words)}")

# %%
fig = plots.series_splits(months, co2, (i_val, i_test), ylabel="CO2 (ppm)",
                          title="Mauna Loa CO2: a trend and a yearly cycle")

# %% [markdown]
# ### Normalisation, fitted on the training split only
#
# Networks train best on inputs of mean about 0 and standard deviation about 1, so we subtract a mean and divide by a standard deviation.
# Those two numbers are fitted like any parameter, **on the training split only**, and then applied unchanged to validation and test.
# Computed over all the data, they would carry information from the test years into training: a small leak here, but the same habit leaks a lot elsewhere (a vocabulary, a feature selection, an imputation).
#
# ### Exercise 1: `normalise_splits`

# %%
# ✏️ EXERCISE normalise_splits: statistics of the training split, applied to all three
def normalise_splits(train, val, test):
    """train, val, test: NumPy arrays (N, F), features on the last axis -> the three
    arrays normalised with the training split's mean and std per feature."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("normalise_splits", "tensorflow")

# %% [markdown]
# Done right, the test split of a trending series does not come out near mean 0: it lies above everything the model trained on.
# The first line below normalises the CO2 **levels**; the second their **monthly changes**, $y_t - y_{t-1}$:

# %% tags=nbval-check-output
def normalised(x):
    """x (N,) -> its train / validation / test parts, normalised with the training
    part's mean and std."""
    mean, std = x[1:i_val].mean(), x[1:i_val].std()       # x[0] is undefined for changes
    parts = ((1, i_val), (i_val, i_test), (i_test, None))
    return [(x[a:b] - mean) / std for a, b in parts]


change = np.diff(co2, prepend=np.nan)                     # change[t] = co2[t] - co2[t-1]
for name, series in (("levels", co2), ("changes", change)):
    parts = normalised(series)
    print(f"{name:<8}" + "   ".join(f"{split} mean {p.mean():+.2f}, max {p.max():+.2f}"
                                    for split, p in zip(("train", "val", "test"),
                                                        parts)))

# %% [markdown]
# Normalised with the training statistics, the validation levels lie 2.28 standard deviations above the training mean on average, and the test levels 3.14 (up to 3.74), beyond the largest value in training, +2.14.
# A model trained on one range of inputs has learned nothing about values outside it, and a state made of tanh units saturates there.
# The monthly changes look alike in all three splits (means +0.00, +0.02 and +0.04): differencing turned the trend into a small constant, and the yearly cycle remains.
# So the forecaster below predicts the changes; section 4 also measures what predicting the levels costs.
#
# ## 3. Windows and baselines
#
# A forecaster reads a window of the past and predicts a value `horizon` steps after its end.
# For one-step forecasts the target is month $t$ and the inputs are the `window` months before it.
#
# ### Exercise 2: `make_windows`

# %%
# ✏️ EXERCISE make_windows: one (inputs, target) pair per target month
def make_windows(series, window, horizon, first_target, stop):
    """series: NumPy (N,). One row per target index t in [first_target, stop):
    X (M, window) = the `window` values ending at t - horizon, y (M,) = series[t]."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("make_windows", "tensorflow")

# %% [markdown]
# Before any network, two baselines that need no training at all:
# - **naive**: next month equals this month, $\hat y_t = y_{t-1}$;
# - **seasonal naive**: next month equals the same month a year earlier, $\hat y_t = y_{t-12}$.
#
# Their mean absolute error (MAE, in ppm) on the validation and test months:

# %% tags=nbval-check-output
def mae(a, b):
    return float(np.mean(np.abs(np.asarray(a) - np.asarray(b))))


val_t, test_t = np.arange(i_val, i_test), np.arange(i_test, len(co2))
baselines = {"naive": 1, "seasonal naive": 12}
for name, lag in baselines.items():
    print(f"{name:<15} validation MAE {mae(co2[val_t], co2[val_t - lag]):.3f}   "
          f"test MAE {mae(co2[test_t], co2[test_t - lag]):.3f} ppm")

# %% [markdown]
# The naive forecast is off by 1.116 ppm a month on the test years: the yearly cycle moves CO2 by about that much from one month to the next.
# Seasonal naive knows the cycle but misses a whole year of growth, and does worse on the test years, 1.671.
# A forecaster worth training must beat 1.116.
#
# ## 4. A recurrent forecaster, with early stopping
#
# The model reads 24 normalised monthly changes and predicts the next one; the forecast is the last value plus the predicted change.
# For comparison, the same model reads 24 normalised **levels** and predicts the next level directly.
# Windows come from `data.windows`, the course's version of Exercise 2.
#
# **Framework-specific (TensorFlow):** a `tf.data.Dataset` feeds the training windows to `model.fit`: `from_tensor_slices` cuts the arrays into one (window, target) pair each, `.shuffle` puts them in a new random order every epoch, and `.batch(32)` groups them into mini-batches of 32.

# %%
W = 24


def forecaster_data(kind):
    """Windows of normalised levels or changes -> (X, y) float32 arrays for train, val
    and test, and the map back from a prediction to ppm."""
    series = co2 if kind == "levels" else change
    mean, std = series[1:i_val].mean(), series[1:i_val].std()
    z = (series - mean) / std
    sets = [data.windows(z, W, 1, a, b) for a, b in ((W + 1, i_val), (i_val, i_test),
                                                     (i_test, len(co2)))]
    arrays = [(X[..., None].astype(np.float32), y.astype(np.float32)) for X, y in sets]

    def to_ppm(pred, t):                   # pred: normalised predictions for months t
        value = pred * std + mean
        return value if kind == "levels" else co2[t - 1] + value

    return arrays, to_ppm


def make_forecaster(H=32):
    """(B, W, 1) window -> GRU -> dense on the last state -> (B, 1) next value."""
    return keras.Sequential([keras.Input((W, 1)), keras.layers.GRU(H),
                             keras.layers.Dense(1)])


# %% [markdown]
# **Early stopping.** After each epoch we measure the loss on the validation windows; we keep a copy of the weights whenever it is the best so far, and stop once it has not improved for `patience` epochs.
# At the end the model gets its best weights back: the epoch that validation chose, not the last one.
# The test windows are not looked at until then.
#
# **Framework-specific (TensorFlow):** Keras does all of this with a callback, `keras.callbacks.EarlyStopping(monitor="val_loss", patience=8, restore_best_weights=True)`: after each epoch `model.fit` computes `val_loss` on `validation_data` (here one batch of all 72 validation windows), and the callback keeps the best weights and stops the training.
# With `restore_best_weights=True`, Keras 3 puts the best epoch's weights back when training ends, whether it stopped early or ran all its epochs.
# `history.history["val_loss"]` holds one validation loss per epoch, so the best epoch is its arg-min, plus one.
# `steps_per_execution=12` only saves time: it runs the 12 mini-batches of an epoch in one call of the compiled training step.
# `fit`'s own `shuffle` option is for arrays; `train_ds` shuffles itself, so we pass `shuffle=False`.

# %%
SEEDS = (0, 1, 2)
forecasters, one_step = {}, {}
for kind in ("changes", "levels"):
    (train, val, test), to_ppm = forecaster_data(kind)
    for seed in SEEDS:
        keras.utils.set_random_seed(seed)
        model = make_forecaster()
        model.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=1.0),
                      loss="mse", steps_per_execution=12)  # 12 batches: 1 epoch/call
        train_ds = (tf.data.Dataset.from_tensor_slices(train)
                    .shuffle(len(train[0]), seed=seed).batch(32))
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=8,
                                             restore_best_weights=True)
        history = model.fit(train_ds, validation_data=tf.data.Dataset.from_tensors(val),
                            epochs=60, callbacks=[stop], verbose=0,
                            shuffle=False)                # train_ds shuffles by itself
        epoch = int(np.argmin(history.history["val_loss"])) + 1
        pred = to_ppm(model(test[0])[:, 0].numpy(), test_t)
        forecasters[kind, seed] = model
        one_step[kind, seed] = epoch, mae(co2[test_t], pred)
print("test MAE (ppm), one month ahead; each seed's best epoch in brackets")
for name, lag in baselines.items():
    print(f"{name:<24}{mae(co2[test_t], co2[test_t - lag]):.3f}")
for kind in ("changes", "levels"):
    print(f"GRU on {kind:<17}" + "  ".join(
        f"{one_step[kind, s][1]:.3f} ({one_step[kind, s][0]})" for s in SEEDS))

# %% [markdown]
# On the monthly changes every seed beat both baselines by a wide margin: 0.256 to 0.283 ppm, about a quarter of the naive forecast's 1.116.
# On the levels, the same network was worse than the naive forecast for every seed (1.826 to 2.175): its test inputs lie outside the range it trained on, as section 2 measured.
# What the model is asked to predict mattered more here than the model. (In the PyTorch twin, from other initial weights, the levels model's best seed comes just under the naive forecast, and its worst far above it.)
#
# ## 5. Forecasting further ahead
#
# To forecast 24 months, the model feeds each forecast back in as the newest input, as the generators of topic 06 fed back their words: a **recursive** multi-step forecast.
# Its errors compound, so we compare it with the seasonal-naive forecast, which repeats the last observed year, and the naive one, which repeats the last month.

# %%
def recursive_forecast(model, steps):
    """Forecast months i_test, i_test + 1, ... from the data up to i_test - 1 (ppm)."""
    mean, std = change[1:i_val].mean(), change[1:i_val].std()
    z = list((change[:i_test] - mean) / std)
    level, out = co2[i_test - 1], []
    for _ in range(steps):
        x = np.array(z[-W:], dtype=np.float32)[None, :, None]
        dz = float(model.predict_on_batch(x)[0, 0])    # compiled: faster than model(x)
        z.append(dz)                                  # the forecast becomes an input
        level = level + dz * std + mean
        out.append(level)
    return np.array(out)


H_STEPS = 24
truth = co2[i_test:i_test + H_STEPS]
multi = {"seasonal naive": np.tile(co2[i_test - 12:i_test], 2),
         "naive": np.full(H_STEPS, co2[i_test - 1])}
for seed in SEEDS:
    model = forecasters["changes", seed]
    multi[f"GRU, seed {seed}"] = recursive_forecast(model, H_STEPS)
for name, f in multi.items():
    print(f"{name:<16} MAE over {H_STEPS} months {mae(truth, f):.3f} ppm")
shown = slice(i_test - 36, i_test + H_STEPS)               # 3 years of history, 2 ahead
fig = plots.forecasts(months[shown], co2[shown], 36, multi, ylabel="CO2 (ppm)",
                      title="24 months ahead from December 1995")

# %% [markdown]
# Fed its own forecasts for 24 months, the GRU stayed within 0.341 to 0.753 ppm of the truth on average, against 2.314 for seasonal naive and 2.691 for naive.
# The seeds spread more here than one month ahead (0.256 to 0.283): a small error in a predicted change is added up at every later month.
# The figure shows why both baselines fall behind: seasonal naive repeats 1995, below the later years by one and then two years of growth, and naive repeats December 1995 for two years; the GRU, adding up predicted changes, follows both the cycle and the growth.
#
# ## 6. Text: a character model of English words
#
# The second dataset is text. A character-level language model reads a word letter by letter and predicts the next letter at every step (many-to-many, aligned, trained with teacher forcing as in topic 06), then writes new words by sampling.
# Words have different lengths, so batches need padding, lengths and a mask.
#
# **Framework-specific (TensorFlow):** a `tf.data.Dataset` is a pipeline of steps, such as `.shuffle`, `.batch` and `.map`, each taking the items of the step before it and handing on new ones. Sequences of different lengths cannot be stacked into one tensor as they are: a batch of them is padded first. A function that turns one list of sequences into such a batch is a **collate function**; `tf.data` has one built in (below), and the exercise writes one by hand.
#
# ### Exercise 3: `collate`

# %%
# ✏️ EXERCISE collate: pad a batch of sequences
def collate(sequences, pad_value):
    """sequences: list of B 1-D int64 tf tensors of different lengths -> padded (B, T)
    int64 (T = the longest), lengths (B,) int64, mask (B, T) bool, True at real steps."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("collate", "tensorflow")

# %% [markdown]
# **Framework-specific (TensorFlow):** `tf.data`'s `padded_batch` does the padding for a whole pipeline: it groups the words into batches of 128 and pads each batch to its longest word, with 0, which is `data.PAD`.
# The pipeline below starts from a generator of encoded words (`assert_cardinality` tells it how many there are, which a generator cannot), keeps them in memory after the first pass (`.cache()`), and ends with `.map(words_batch)`, which splits each padded word into the model's input (`<start>` and the letters) and its target (the letters and `<end>`):

# %%
def words_dataset(words):
    """Each item: one word as CHAR_VOCAB ids, [START, letters..., END], int64."""
    items = [data.encode_word(w) for w in words]
    return (tf.data.Dataset.from_generator(
                lambda: items, output_signature=tf.TensorSpec([None], tf.int64))
            .apply(tf.data.experimental.assert_cardinality(len(items)))  # how many
            .cache())                                 # in memory after the first pass


def words_batch(padded):
    """A padded batch of encoded words -> inputs (B, T), targets (B, T), PAD after each
    word."""
    return padded[:, :-1], padded[:, 1:]


def batches(dataset, seed):
    """Mini-batches of 128 words, shuffled anew every epoch, each padded to its
    longest word."""
    return (dataset.shuffle(len(dataset), seed=seed)
            .padded_batch(128)                        # pads with 0, that is data.PAD
            .map(words_batch))


train_set = words_dataset(train_words)
x, y = next(iter(batches(train_set, seed=0)))
print("a batch:", tuple(x.shape), tuple(y.shape), " mask of real targets:",
      tuple((y != data.PAD).shape))
print(" input: ", " ".join(data.CHAR_VOCAB[i] for i in x[0]))
print(" target:", " ".join(data.CHAR_VOCAB[i] for i in y[0]))

# %% [markdown]
# In a batch, a word shorter than the longest keeps its `<end>` in the input row; the target there is padding, which the loss skips.
#
# ### The baselines: n-gram models
#
# An n-gram model predicts the next letter from the $n - 1$ letters before it, by counting how often each letter followed that context in the training words (with a little add-$k$ smoothing, so that no letter gets probability 0).
# We score every model by its **perplexity** on the test words, $\exp$ of the mean negative log-likelihood per predicted letter (`<end>` included): the number of equally likely letters the model is, in effect, choosing between. Lower is better; guessing uniformly among the 27 possible next tokens scores 27.

# %% tags=nbval-check-output
encoded = {name: [data.encode_word(w) for w in ws] for name, ws in
           (("train", train_words), ("val", val_words), ("test", test_words))}
perplexity = {f"{n}-gram": ngram.ngram_perplexity(encoded["train"], encoded["test"], n)
              for n in (1, 2, 3, 4)}
for name, p in perplexity.items():
    print(f"{name:<8} test perplexity {p:.2f}")

# %% [markdown]
# Each letter of context helps: from 19.37 with letter frequencies alone to 13.32 with one letter of context, 10.67 with two, and 10.45 with three.
# The last step gains little: most contexts of three letters occur too rarely in 16,000 words to be counted reliably.
#
# ### A recurrent language model
#
# A GRU of 64 units reads the letters and, at every step, a linear layer gives the logits of the next one; the loss is the cross-entropy of the real (non-padding) targets.
# No packing or mask is needed in the layer itself: the padding comes after each word, and a left-to-right layer reads it only after the real steps, so it cannot change their outputs; only the loss must skip the padded targets.
# Three seeds, mini-batches of 128 words, early stopping on the validation perplexity (at most 4 epochs, patience 1).
#
# **Framework-specific (TensorFlow):** so the `Embedding` layer is built without `mask_zero`. The model's `call` returns the logits and the GRU's last state, which sampling needs; its `compute_loss` is `fw.teacher_forcing_loss` on the logits, which skips the PAD targets.
# The validation data is one batch of all 2,000 validation words, so `val_loss` is the log of the validation perplexity, and early stopping on it is early stopping on the perplexity.

# %%
V = len(data.CHAR_VOCAB)


class CharModel(keras.Model):
    """(B, T) ids -> embedding -> GRU -> dense at every step -> (B, T, V) logits."""

    def __init__(self, H=64, E=16):
        super().__init__()
        self.emb = keras.layers.Embedding(V, E)
        self.rnn = keras.layers.GRU(H, return_sequences=True, return_state=True)
        self.out = keras.layers.Dense(V)

    def call(self, x, h=None):
        out, h = self.rnn(self.emb(x), initial_state=h)
        return self.out(out), h

    def compute_loss(self, x, y, y_pred, sample_weight=None, training=True):
        return fw.teacher_forcing_loss(y_pred[0], y)      # PAD targets ignored


def whole_split(split):
    """All the split's words in one padded batch: inputs (N, T), targets (N, T)."""
    return words_batch(keras.utils.pad_sequences(encoded[split], padding="post",
                                                 value=data.PAD))


def perplexity_on(model, split):
    """exp of the mean cross-entropy per predicted letter, over all the split's words."""
    x, y = whole_split(split)
    return float(tf.exp(fw.teacher_forcing_loss(model(x)[0], y)))


char_models, lm_results = {}, {}
val_batch = tf.data.Dataset.from_tensors(whole_split("val"))
for seed in SEEDS:
    keras.utils.set_random_seed(seed)
    model = CharModel()
    model.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=1.0),
                  steps_per_execution=25)                # 25 batches per call
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                         restore_best_weights=True)
    history = model.fit(batches(train_set, seed), validation_data=val_batch, epochs=4,
                        callbacks=[stop], verbose=0, shuffle=False)
    epoch = int(np.argmin(history.history["val_loss"])) + 1
    char_models[seed] = model
    lm_results[seed] = epoch, perplexity_on(model, "val"), perplexity_on(model, "test")
for seed, (epoch, v, t) in lm_results.items():
    print(f"GRU, seed {seed}: best epoch {epoch}, validation perplexity {v:.2f}, "
          f"test perplexity {t:.2f}")

# %% [markdown]
# The GRU beat every n-gram: test perplexity 9.70 to 9.73 over the three seeds, against 10.45 for the best n-gram.
# The margin is modest, but it is several times the spread of the three seeds.
# All three were still improving at their fourth and last epoch (each seed's best epoch is 4), so longer training would probably lower the perplexity further; we did not measure it here.
#
# Samples from the model of seed 0 at temperature 0.8, as in topic 06; we mark the words that are in the training list (✓) and the ones it made up.

# %%
def sample_words(model, n, temperature, seed=0, max_len=14):
    x, h, out = tf.fill([n, 1], tf.constant(data.START, tf.int64)), None, []
    for step in range(max_len):
        logits, h = model(x, h)
        x = tf.random.stateless_categorical(logits[:, -1] / temperature, 1,
                                            seed=[seed, step])  # (n, 1): fed back in
        out.append(x)
    ids = tf.concat(out, 1).numpy().tolist()
    return ["".join(data.CHAR_VOCAB[i] for i in row[:row.index(data.END)])
            if data.END in row else None for row in ids]


known = set(train_words)
samples = sample_words(char_models[0], 200, 0.8)
finished = [w for w in samples if w]
print(f"{len(finished)} of 200 samples ended with <end>; "
      f"{sum(w in known for w in finished)} of them are training words")
print(" ".join(w + (" ✓" if w in known else "") for w in finished[:24]))

# %% [markdown]
# All 200 samples ended with `<end>`, and only 3 are words of the training list: the model writes new strings that read like English words or names, such as "harling", "warthier" and "stalves".
#
# ## Closing quiz

# %%
quiz("07_real_data", "closing", framework="tensorflow")

# %% [markdown]
# ## Summary
#
# - Real data comes with provenance: a source, a licence, a date and the exact preparation (`data/README.md`), and nothing is downloaded when the notebook runs.
# - Split first: a time series by time, i.i.d. items at random; then fit everything, the normalisation included, on the training split only. Windows for forecasting must end `horizon` steps before their target and stay inside their split.
# - Baselines first. On the CO2 test years the naive forecast was off by 1.116 ppm a month; a GRU on normalised monthly changes by 0.256 to 0.283, and 0.341 to 0.753 over 24 months fed its own forecasts. The same GRU on normalised levels was worse than naive for every seed: its test inputs lay outside the training range.
# - Padded batches: `tf.data`'s `padded_batch` pads each batch, and a collate function returns lengths and a mask; a left-to-right model needs the padding masked only in the loss.
# - Early stopping chooses the epoch on validation and restores its weights; the test set is read once, at the end.
# - On words, the character GRU reached a test perplexity of 9.70 to 9.73, against 10.45 for the best n-gram and 19.37 for letter frequencies, and wrote mostly new, plausible words.
#
# ## What next
#
# **08 Limits of RNNs and what came after** (coming next in the course): sequential cost, memory span and streaming, measured, and every architecture of the course in one table.
#
# ## Further reading
#
# - C. D. Keeling et al., "Atmospheric carbon dioxide variations at Mauna Loa Observatory, Hawaii", Tellus 28, 1976: the series of section 1.
# - R. J. Hyndman, G. Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., OTexts, 2021 (free online): baselines, time-series splits and cross-validation, recursive forecasts.
# - The CMU Pronouncing Dictionary, Carnegie Mellon University: the word list of section 6.
# - D. Jurafsky, J. H. Martin, *Speech and Language Processing*, chapter 3 "N-gram Language Models" (3rd ed. draft): n-grams, smoothing and perplexity.
# - L. Prechelt, "Early Stopping - But When?", in *Neural Networks: Tricks of the Trade*, 1998: early stopping and patience.
# - TensorFlow and Keras documentation: `tf.data.Dataset` (`from_generator`, `shuffle`, `padded_batch`) and `keras.callbacks.EarlyStopping`.
