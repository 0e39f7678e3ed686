# %% [markdown]
# # 08 Limits of RNNs and what came after (TensorFlow)
#
# INTRO
#
# **Learning objectives**
# 1. Measure how the time and memory of a recurrent layer, a convolution stack and self-attention grow with the sequence length T, read the slopes of a log-log plot, and say why a recurrent layer's steps cannot run in parallel over time.
# 2. Measure how far back each architecture of the course can recall a cue, and run a recurrent network on an endless stream with a constant-size state, chunk by chunk; compare it with attention's growing cache.
# 3. Show what positional encodings give attention, and place every architecture of the course in one table: parameters, time per epoch and accuracy on one task.
#
# **Runtime:** RUNTIME

# %% [markdown]
# **Framework-specific (TensorFlow):** the imports and the course's TensorFlow helpers (importing them first keeps TensorFlow's start-up messages quiet).
# We ask TensorFlow for one thread per operation and one operation at a time: faster for models this small. TensorFlow reads these settings once, before its first operation runs, so they come right after the imports.

# %%
from helpers import tf_utils as fw
import numpy as np
import tensorflow as tf
import keras

from helpers import data, limits, plots
from helpers.checks import check
from helpers.quiz import quiz

DEVICE = fw.setup()
tf.config.threading.set_intra_op_parallelism_threads(1)    # small models: one thread
tf.config.threading.set_inter_op_parallelism_threads(1)    # and one operation at a time

# %% [markdown]
# ## Warm-up quiz
#
# Three questions on topic 07: splits, baselines and early stopping.

# %%
quiz("08_limits_and_beyond", "warmup", framework="tensorflow")

# %% [markdown]
# ## 1. Predict first: how does the cost grow with T?
#
# PREDICT
#
# ### Exercise 1: predict the scaling

# %%
quiz("08_limits_and_beyond", "complexity", framework="tensorflow")

# %% [markdown]
# ## 2. Sequential cost, measured
#
# COST_INTRO

# %% tags=nbval-check-output
B, D = 8, 64
keras.utils.set_random_seed(0)
lstm = keras.layers.LSTM(D, return_sequences=True)
conv = keras.Sequential([keras.layers.Conv1D(D, 3, padding="same") for _ in range(4)])
attention = keras.layers.MultiHeadAttention(num_heads=4, key_dim=16)
layers = {                                   # each maps x (B, T, D) to (B, T, D)
    "LSTM": lstm,
    "conv stack": conv,
    "self-attention": lambda x: attention(x, x),          # queries, and keys = values
}
for layer in layers.values():
    layer(tf.zeros((1, 1, D)))                     # build: the weights exist now
for name, module in zip(layers, (lstm, conv, attention)):
    print(f"{name:<15} {fw.count_params(module):>6,} parameters")

# %%
sync = tf.test.experimental.sync_devices if DEVICE == "/GPU:0" else None


def forward_backward(layer):
    """A compiled forward and backward pass of a layer: x (B, T, D) -> the gradients
    of the sum of its outputs with respect to x and to the layer's weights. Traced on
    its first call, once for every B and T (plain Python: AutoGraph is not needed)."""
    @tf.function(input_signature=[tf.TensorSpec([None, None, D], tf.float32)],
                 autograph=False)
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(layer(x))
        return tape.gradient(total, [x] + list(tape.watched_variables()))
    return step


steps = {name: forward_backward(layer) for name, layer in layers.items()}
T_values = [16, 32, 64, 128, 256, 512, 1024]
seconds = {name: [] for name in layers}
for T in T_values:
    x = tf.random.normal((B, T, D))
    for name, step in steps.items():               # the first call traces, untimed
        seconds[name].append(limits.median_seconds(lambda: step(x), repeats=3,
                                                   sync=sync))
slopes = {name: limits.loglog_slope(T_values[3:], t[3:]) for name, t in seconds.items()}
for name, t in seconds.items():
    print(f"{name:<15}", " ".join(f"{s * 1e3:6.1f}" for s in t),
          f"ms   slope for T >= 128: {slopes[name]:.2f}")
title = (f"Forward + backward, batch {B}, width {D}, "
         f"{'gpu' if DEVICE == '/GPU:0' else 'cpu'}")
fig = plots.cost_by_length(T_values, seconds, slopes, title=title)

# %% [markdown]
# COST_READ
#
# ### Steps that cannot run at the same time
#
# THREADS_INTRO
#
# **Framework-specific (TensorFlow):** TensorFlow sizes its pool of threads once, before its first operation, and this notebook asked for one thread at the start: here the number can no longer change.
# So the cell below takes the times with 1 thread from the measurement above (T = 512), and times the same three layers with 2 threads in a fresh Python process, which asks for 2 threads before its first operation and then repeats the definitions (`TWO_THREADS`, a few seconds more: TensorFlow loads again).

# %%
import json
import subprocess
import sys
from pathlib import Path

TWO_THREADS = """
from helpers import tf_utils as fw
import json
import tensorflow as tf
import keras
from helpers import limits

tf.config.threading.set_intra_op_parallelism_threads(2)    # before the first operation
tf.config.threading.set_inter_op_parallelism_threads(1)
B, T, D = 8, 512, 64
keras.utils.set_random_seed(0)
lstm = keras.layers.LSTM(D, return_sequences=True)
conv = keras.Sequential([keras.layers.Conv1D(D, 3, padding="same") for _ in range(4)])
attention = keras.layers.MultiHeadAttention(num_heads=4, key_dim=16)
layers = {"LSTM": lstm, "conv stack": conv, "self-attention": lambda x: attention(x, x)}
x = tf.random.normal((B, T, D))
seconds = {}
for name, layer in layers.items():
    layer(x)
    @tf.function(input_signature=[tf.TensorSpec([None, None, D])], autograph=False)
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(layer(x))
        return tape.gradient(total, [x] + list(tape.watched_variables()))
    seconds[name] = limits.median_seconds(lambda: step(x), repeats=3)
print(json.dumps(seconds))
"""

if DEVICE == "/CPU:0":
    at_512 = T_values.index(512)                   # 1 thread: the times measured above
    per_threads = {1: {name: t[at_512] for name, t in seconds.items()}}
    process = subprocess.run([sys.executable, "-c", TWO_THREADS], capture_output=True,
                             text=True, check=True, cwd=Path(fw.__file__).parent.parent)
    per_threads[2] = json.loads(process.stdout.splitlines()[-1])    # 2 threads
    for name in layers:
        one, two = per_threads[1][name], per_threads[2][name]
        print(f"{name:<15} T = 512: 1 thread {one * 1e3:6.1f} ms, 2 threads "
              f"{two * 1e3:6.1f} ms: x{one / two:.2f}")
else:
    print("On a GPU, CPU threads do not run the layers: nothing to compare here.")

# %% [markdown]
# GPU_LINE
#
# ### Attention's memory: a T x T matrix
#
# MEMORY_INTRO

# %% tags=nbval-check-output
one_head = keras.layers.MultiHeadAttention(num_heads=1, key_dim=64)
for T in (256, 512, 1024, 2048, 4096):
    x = tf.random.normal((1, T, D))
    _, scores = one_head(x, x, return_attention_scores=True)   # (1, heads, T, T)
    size = scores.shape.num_elements() * scores.dtype.size
    print(f"T = {T:>4}: attention weights {tuple(scores.shape)}, "
          f"{size / 2**20:6.2f} MiB; LSTM state (h, c) {2 * D * 4} bytes")

# %% [markdown]
# MEMORY_READ
#
# ## 3. Memory span: how far back can each model reach?
#
# SPAN_INTRO

# %% tags=nbval-check-output
P = limits.LADDER_TASK
n_all = P["n_train"] + P["n_val"] + P["n_test"]
X, y, delay = data.delayed_recall_task(n_all, P["seq_len"], P["n_classes"], P["dim"],
                                       P["noise"], seed=8)
a, b = P["n_train"], P["n_train"] + P["n_val"]          # train | validation | test
print(f"X {X.shape}, labels {np.bincount(y[:a]).tolist()} (train), "
      f"delays {delay.min()} to {delay.max()}")
print(f"sequence 0: label {y[0]}, cue at step {P['seq_len'] - 1 - delay[0]} "
      f"(delay {delay[0]}): {np.round(X[0, P['seq_len'] - 1 - delay[0]], 1).tolist()}")

# %% [markdown]
# SPAN_TRAIN

# %%
ladder = {}
for name in limits.LADDER:
    keras.utils.set_random_seed(0)       # each model as seed 0 of the stored run (section 6)
    ladder[name] = fw.ladder_model(name, P["dim"], P["n_classes"])
runs = dict(zip(ladder, fw.fit_runs(
    list(ladder.values()), X[:a], y[:a], X[a:b], y[a:b], X[b:], y[b:],
    task="classification", epochs=10, lr=P["lr"], batch_size=P["batch_size"],
    clip=P["clip"])))
by_delay = {}
for name, model in ladder.items():
    pred = np.asarray(model(X[b:], training=False)).argmax(1)
    by_delay[name] = limits.accuracy_by_delay(pred, y[b:], delay[b:])
    val = runs[name]["val_acc"]
    first = next((e + 1 for e, acc in enumerate(val) if acc >= 0.9), None)
    print(f"{name:<20} test accuracy by delay",
          " ".join(f"{acc:.2f}" for acc in by_delay[name]),
          f"  {limits.breakdown(by_delay[name])};",
          f"90% on validation from epoch {first}" if first else
          "never 90% on validation")

# %% [markdown]
# SPAN_READ

# %%
stored_span = [r for r in limits.read_csv(limits.SPAN_CSV)
               if r["framework"] == "tensorflow"]
span = {m: np.array([[r[f"acc_{lo}_{hi - 1}"] for lo, hi in limits.SPAN_BINS]
                     for r in stored_span if r["model"] == m]).T      # (bins, seeds)
        for m in limits.SPAN_MODELS}
for m, acc in span.items():
    reached = [r["epochs_to_90"] for r in stored_span if r["model"] == m]
    print(f"{m:<12} lowest accuracy over the delay bins, per seed: "
          + " ".join(f"{v:.2f}" for v in acc.min(axis=0))
          + "   first epoch at 90% on validation: "
          + ", ".join(str(int(e)) if e != "never" else e for e in reached))
fig = plots.accuracy_by_delay(limits.SPAN_BINS, span, chance=1 / P["n_classes"],
                              title="Recalling the cue across 128 steps (stored run)")

# %% [markdown]
# SPAN_STORED_READ
#
# ## 4. Streaming: a constant state against a growing cache
#
# STREAM_INTRO

# %% tags=nbval-check-output
cell = keras.layers.LSTMCell(32)
q_k_v = keras.layers.Dense(3 * 32)                 # causal attention's projections


@tf.function(autograph=False)      # compiled: an eager Keras layer call costs ~1 ms
def stream_step(x_t, h, c):
    """One step x_t (1, dim) of the stream: the RNN's new state (h, c), (1, 32) each,
    and the step's query, key and value, (1, 32) each."""
    _, (h, c) = cell(x_t, (h, c))
    return (h, c), tf.split(q_k_v(x_t), 3, axis=1)


stream = tf.random.normal((1, 4096, P["dim"]))
h = c = tf.zeros((1, 32))
keys, values = [], []
for t, x_t in enumerate(tf.unstack(stream, axis=1)):     # one step at a time
    (h, c), (q, k, v) = stream_step(x_t, h, c)           # the RNN keeps (h, c) only;
    keys.append(k)                                       # attention keeps every k and v
    values.append(v)
    if t + 1 in (1, 16, 256, 4096):
        state = sum(s.shape.num_elements() * s.dtype.size for s in (h, c))
        cache = sum(s.shape.num_elements() * s.dtype.size for s in keys + values)
        print(f"after {t + 1:>4} steps: RNN state {state:>4} bytes, "
              f"attention's key-value cache {cache:>7,} bytes")

# %% [markdown]
# STREAM_READ
#
# ### Exercise 2: `stream_lstm`
#
# EX2_INTRO

# %%
# ✏️ EXERCISE stream_lstm: the stream arrives in chunks; carry the state across them
def stream_lstm(lstm, chunks):
    """lstm: keras.layers.LSTM(H, return_sequences=True, return_state=True); chunks:
    list of tensors (B, t_k, D), in order. Returns the outputs of every step,
    (B, sum of t_k, H), as one run over the whole stream would."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("stream_lstm", "tensorflow")

# %% [markdown]
# EX2_AFTER

# %%
keras.utils.set_random_seed(1)
streamer = keras.layers.LSTM(32, return_sequences=True, return_state=True)
long_stream = tf.random.normal((2, 1000, P["dim"]))
run = tf.function(lambda x, h, c: streamer(x, initial_state=[h, c]), autograph=False,
                  input_signature=[tf.TensorSpec([2, None, P["dim"]], tf.float32),
                                   tf.TensorSpec([2, 32], tf.float32),
                                   tf.TensorSpec([2, 32], tf.float32)])  # any T
zeros = tf.zeros((2, 32))
whole, _, _ = run(long_stream, zeros, zeros)
state, parts = [zeros, zeros], []
for chunk in tf.split(long_stream, [64] * 15 + [40], axis=1):  # 15 x 64, then 40
    out, h, c = run(chunk, *state)
    state = [h, c]                                 # carried from chunk to chunk
    parts.append(out)
print(f"chunks of 64 vs one run over 1000 steps: max |difference| "
      f"{float(tf.reduce_max(tf.abs(tf.concat(parts, axis=1) - whole))):.1e}")

# %% [markdown]
# ### Exercise 3: a causal mask
#
# EX3_INTRO

# %%
# ✏️ EXERCISE causal_attention_weights: each position attends to itself and the past only
def causal_attention_weights(scores):
    """scores: (B, T, T), scores[b, i, j] = score of query i for key j.
    Returns the attention weights (B, T, T): a softmax over j, with weight 0
    for every j > i."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("causal_attention_weights", "tensorflow")

# %% [markdown]
# EX3_AFTER

# %%
def causal_reference(scores):
    """The course's causal softmax, (B, T, T) -> (B, T, T), for the comparison below."""
    T = scores.shape[-1]
    future = tf.range(T)[None, :] > tf.range(T)[:, None]   # (T, T): True where j > i
    return tf.nn.softmax(tf.where(future, -float("inf"), scores), axis=-1)


xs = stream[:, :300]                                    # the first 300 steps
q, k, v = tf.split(q_k_v(xs), 3, axis=-1)               # (1, 300, 32) each
whole = causal_reference(tf.matmul(q, k, transpose_b=True) / 32 ** 0.5) @ v
cached = tf.concat(                                     # one query at a time
    [tf.nn.softmax(tf.matmul(q[:, t:t + 1], k[:, :t + 1], transpose_b=True) / 32 ** 0.5,
                   axis=-1) @ v[:, :t + 1] for t in range(300)], axis=1)
print("whole sequence with a causal mask vs step by step with a cache: "
      f"max |difference| {float(tf.reduce_max(tf.abs(whole - cached))):.1e}")

# %% [markdown]
# CACHE_READ
#
# ## 5. Order without recurrence: positional encodings
#
# ORDER_INTRO

# %%
keras.utils.set_random_seed(0)
no_positions = fw.AttentionClassifier(P["dim"], P["n_classes"], positions=False)
with_positions = fw.AttentionClassifier(P["dim"], P["n_classes"])
x = tf.random.normal((4, 12, P["dim"]))
shuffled = tf.concat([tf.gather(x, tf.random.shuffle(tf.range(11)), axis=1), x[:, 11:]],
                     axis=1)                                      # last step stays last
for name, model in (("without positions", no_positions),
                    ("with positions", with_positions)):
    change = float(tf.reduce_max(tf.abs(model(shuffled) - model(x))))
    print(f"attention {name:<17}: earlier steps shuffled, "
          f"outputs change by {change:.0e}")

# %% [markdown]
# POSITIONS_READ
#
# ### Exercise 4: `sinusoidal_positions`
#
# EX4_INTRO

# %%
# ✏️ EXERCISE sinusoidal_positions: one row per position, sines and cosines alternating
def sinusoidal_positions(T, d):
    """T positions, d (even) features -> NumPy array (T, d): column 2i holds
    sin(t / 10000**(2i / d)) and column 2i + 1 holds cos(t / 10000**(2i / d))."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("sinusoidal_positions", "tensorflow")

# %% [markdown]
# ORDER_TASK_INTRO

# %%
V = len(data.ORDER_VOCAB)
X_ord, y_ord = data.order_task(3000, seq_len=12, seed=0)   # (3000, 12) ids; cat first?
X_ord = data.one_hot(X_ord, V)                               # (3000, 12, V)
order_models = {"FFN on the bag": lambda: fw.BagClassifier(V, 2),
                "attention, no positions":
                    lambda: fw.AttentionClassifier(V, 2, positions=False),
                "attention + positions": lambda: fw.AttentionClassifier(V, 2),
                "LSTM": lambda: fw.RecurrentClassifier("lstm", V, 2)}
models = []
for name, build in order_models.items():
    for seed in range(3):
        keras.utils.set_random_seed(seed)
        models.append(build())
order_runs = fw.fit_runs(models, X_ord[:2000], y_ord[:2000], X_ord[2000:2500],
                         y_ord[2000:2500], X_ord[2500:], y_ord[2500:],
                         task="classification", epochs=6, lr=1e-2, batch_size=50)
for k, name in enumerate(order_models):
    accs = [r["test_acc"][int(np.argmax(r["val_acc"]))]
            for r in order_runs[3 * k:3 * k + 3]]
    print(f"{name:<24} test accuracy, 3 seeds: " + " ".join(f"{a:.3f}" for a in accs))

# %% [markdown]
# ORDER_READ
#
# ## 6. The course's ladder in one table
#
# LADDER_INTRO

# %%
live = {}
for name in limits.LADDER:
    keras.utils.set_random_seed(0)
    fresh = fw.ladder_model(name, P["dim"], P["n_classes"])
    run = runs[name]
    live[name] = {"params": fw.count_params(fresh),
                  "sec_per_epoch": float(np.median(fw.time_per_epoch(
                      fresh, X[:a], y[:a], task="classification",
                      batch_size=P["batch_size"]))),
                  "test_acc": run["test_acc"][int(np.argmax(run["val_acc"]))]}
print(limits.ladder_table(limits.read_csv(limits.LADDER_CSV), live, "tensorflow"))

# %% [markdown]
# LADDER_READ
#
# ## 7. What came after
#
# AFTER
#
# ## Closing quiz

# %%
quiz("08_limits_and_beyond", "closing", framework="tensorflow")

# %% [markdown]
# ## Summary
#
# SUMMARY
#
# ## What next
#
# WHATNEXT
#
# ## Further reading
#
# READING
