# %% [markdown]
# # 08 Limits of RNNs and what came after (TensorFlow)
#
# The course's sources end on a comparison: recurrent networks are sequential, keep a constant memory per step and suit streaming; Transformers are parallel, pay $O(T^2)$ for attention and reach far back easily; and Transformers "have largely replaced" RNNs.
# This notebook turns each line of that comparison into a measurement on this CPU, checks the claims one by one, and ends the course's running thread: every architecture of topics 01 to 07 on one task, in one table.
#
# **Learning objectives**
# 1. Measure how the time and memory of a recurrent layer, a convolution stack and self-attention grow with the sequence length T, read the slopes of a log-log plot, and say why a recurrent layer's steps cannot run in parallel over time.
# 2. Measure how far back each architecture of the course can recall a cue, and run a recurrent network on an endless stream with a constant-size state, chunk by chunk; compare it with attention's growing cache.
# 3. Show what positional encodings give attention, and place every architecture of the course in one table: parameters, time per epoch and accuracy on one task.
#
# **Runtime:** about 45 s on a laptop CPU (2 cores); a GPU is used when there is one.

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
# Section 2 measures how the time and memory of three layers grow with the sequence length T.
# Before measuring, predict: for each cost below, what happens when T doubles?
# Think of what each layer computes per step, and what has to be kept.
#
# ### Exercise 1: predict the scaling

# %%
quiz("08_limits_and_beyond", "complexity", framework="tensorflow")

# %% [markdown]
# ## 2. Sequential cost, measured
#
# Three layers of width 64 that each map a sequence (B, T, 64) to (B, T, 64):
# - an **LSTM** layer (topic 03): step t needs the state of step t - 1;
# - a **stack of four 1-D convolutions** with kernel size 3: each output step reads 3 neighbouring input steps per layer, so the stack sees 9 steps around each position, all positions at once;
# - one **self-attention** layer with 4 heads: every position's query is compared with every position's key.
#
# We time one forward and one backward pass (a batch of 8, one CPU thread) for T from 16 to 1024, take the median of 3 runs after a warm-up, and fit the slope of log(time) against log(T) for T >= 128, where the fixed overheads no longer dominate.

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
    of the sum of its outputs with respect to x and to the layer's weights. Traced once,
    on its first call: the signature leaves B and T open (AutoGraph is not needed)."""
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
# On log-log axes a cost that grows as $T^k$ is a straight line of slope $k$; the grey lines show slopes 1 and 2.
# The LSTM and the convolution stack have slopes near 1: twice the steps, twice the time.
# Self-attention starts as the cheapest of the three and has the steepest slope, about 2 from T = 128 on: its $T \times T$ scores take over, and at T = 1024 it is the slowest of the three by a wide margin.
# (Keras's LSTM is the slowest of the three up to T = 256 here; its slope is what this section is about.)
#
# ### Steps that cannot run at the same time
#
# The slopes say how much work there is, not how much of it can run at once.
# Step t of the LSTM needs $h_{t-1}$, so its T steps form a chain: only the small work inside one step, a batch of 8 rows, can be shared between cores.
# The convolution's and attention's positions are independent of each other, and can be shared out.
# With two threads instead of one, at T = 512:
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
# Here the second thread did nothing for the LSTM and little for the other two: attention gained the most, about a quarter, far from the twofold a perfect split would give (in the PyTorch twin the convolution stack and attention came close to twice as fast, the LSTM not).
# TensorFlow's operations on these small tensors leave little to share between two threads, and the LSTM's chain leaves nothing.
# (Timings with two threads need two idle cores: if another program is busy, two threads can even be slower than one.)
# A GPU runs thousands of threads: that favours the layers whose positions run side by side, and cannot shorten the LSTM's chain of T steps.
# How much it changes these numbers we have not measured (this course's machine has no GPU); the cells above run unchanged on one and print their own timings.
#
# ### Attention's memory: a T x T matrix
#
# Attention's weights form a $T \times T$ matrix per head and per sequence.
# We ask one head for its weights and read the size of the tensor it returns:

# %% tags=nbval-check-output
one_head = keras.layers.MultiHeadAttention(num_heads=1, key_dim=64)
for T in (256, 512, 1024, 2048, 4096):
    x = tf.random.normal((1, T, D))
    _, scores = one_head(x, x, return_attention_scores=True)   # (1, heads, T, T)
    size = scores.shape.num_elements() * scores.dtype.size
    print(f"T = {T:>4}: attention weights {tuple(scores.shape)}, "
          f"{size / 2**20:6.2f} MiB; LSTM state (h, c) {2 * D * 4} bytes")

# %% [markdown]
# Each doubling of T multiplies the matrix by 4: 0.25 MiB at T = 256, 64.00 MiB at T = 4096, for one head of one layer and one sequence; every head, layer and sequence of a batch has its own.
# Memory-saving implementations (FlashAttention) never store the whole matrix, but they still compute all $T^2$ scores.
# An LSTM reading the sequence keeps only (h, c): 512 bytes here, whatever T is.
# (While training, backpropagation through time stores every step's activations, so its memory grows linearly with T too.)
#
# ## 3. Memory span: how far back can each model reach?
#
# Topic 03 measured how far back a vanilla RNN and an LSTM can carry a cue: one step of a sequence holds 3 times a one-hot label, every other step is noise.
# Here the cue is placed at a random distance, the **delay**, before the last step, and every model answers at the end: it must hold the cue for that many steps.
# Chance is 25% (four labels).

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
# We train every architecture of the course on 2,000 such sequences of 32 steps, 10 epochs, seed 0 (the models are those of section 6's table, where they are described), and measure the test accuracy separately for delays of 0-3, 4-7, 8-15 and 16-31 steps.

# %%
ladder = {}
for name in limits.LADDER:
    keras.utils.set_random_seed(0)       # as seed 0 of the stored run (section 6)
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
# Every gated model and attention reached 0.97 to 1.00 at every delay.
# The vanilla RNN did best when the cue was among the last steps (0.59 for delays of 0-3) and fell to 0.37-0.40 beyond: it breaks down within a few steps, and the bag-of-features network, which sees only the sum over all steps, did better at every delay but the shortest (0.52 to 0.57).
#
# To find where the gated models and attention break down, the stored run below used sequences of 128 steps, three seeds and 20 epochs (`tools/ladder_08.py`, a few minutes; it wrote `data/memory_span_08.csv`).

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
# With delays up to 127 steps, none of the LSTM, the GRU and attention broke down: their lowest accuracy over the delay bins was 0.95 to 1.00 for every seed.
# The vanilla RNN never reached 90% in any of its three seeds.
# What the longer delays cost the gated models is training time: the GRU first reached 90% on validation after 5 to 7 epochs and the LSTM after 13 to 18, while on 32 steps both needed 2 (the live run above).
# Attention took 2 to 5 epochs: its path from the last step to the cue is one step long at any delay, though it must first learn where to look among 128 positions.
# So, on this task: the vanilla RNN's span is short and it is hard to train; the gated RNNs and attention hold a cue over at least 127 steps, and attention's advantage is not the span but the direct path, which section 2 showed has its price in time and memory.
#
# ## 4. Streaming: a constant state against a growing cache
#
# A stream has no end: audio from a microphone, readings from a sensor, keystrokes.
# A recurrent network reads it one element at a time and carries only its state, (h, c) for an LSTM.
# A causal attention layer must compare each new query with the keys of **every** earlier step, so it keeps them, and their values, in a **key-value cache**.
# Below, an LSTM cell and an attention layer's projections (width 32, float32) read the same stream of 4096 steps, one step at a time:

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
# The RNN's state is 256 bytes after one step and after 4096; the cache grows by 256 bytes with every step and holds 1,048,576 bytes (1 MiB) after 4096, for one layer and one sequence.
# Each new step's attention also reads the whole cache, so its time per step grows with t too.
# This is why RNNs, and the state-space models of section 7, suit streaming on small devices, and why long-context Transformers spend much of their memory on the cache.
#
# ### Exercise 2: `stream_lstm`
#
# A stream arrives in chunks: the first chunk, then the next when it is there.
# Running the LSTM on each chunk on its own would restart from a zero state every time and forget everything before the chunk.
# Instead, pass the state that one chunk ends with as the initial state of the next.
# Write `stream_lstm`: run the chunks in order, carrying the state, and return the outputs of every step, as one run over the whole stream would give them.

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
# Carried across chunks, the state makes chunked processing the same computation as one run: below, a stream of 1000 steps in chunks of 64 against one run over all of it.

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
# A causal attention layer must not look ahead: position i may attend to positions 0 to i only.
# That is what makes the cache of the previous section possible, since step t's output can be computed as soon as $x_t$ arrives, and it is what a Transformer that generates text uses (its training loss would be trivial if position i could read token i + 1).
# The mask is applied to the scores before the softmax: every future score becomes $-\infty$, so its weight is exactly 0 and the rest still sum to 1.
#
# Write `causal_attention_weights`: from scores (B, T, T), where `scores[b, i, j]` is the score of query i for key j, return the masked softmax over j.

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
# With a causal mask, attention over the whole sequence at once gives the same outputs as the step-by-step cache of section 4: below, 300 steps of the stream computed both ways.

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
# Equal to float32 rounding: the cache is an exact way to run causal attention on a stream, at the price in memory measured above.
#
# ## 5. Order without recurrence: positional encodings
#
# One source gives "when sequence order is critical" as a reason to prefer an RNN.
# An RNN reads the steps in order, so order is built in.
# Self-attention, by itself, has no notion of order: each query compares its content with every key's content, and a weighted average does not depend on the order of its terms.
# Transformers add **positional encodings** to the inputs, vectors that differ from position to position; our attention model adds the sinusoidal ones of Vaswani et al. (2017).
#
# First, exactly: shuffle the first 11 steps of a sequence (the last step stays, since the model reads its answer there) and compare the outputs.

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
# Without positions, shuffling changed the output only by float32 rounding: the model sees a bag of vectors plus the last step.
# With positions it changed.
#
# ### Exercise 4: `sinusoidal_positions`
#
# The encoding of Vaswani et al. gives position $t$ the vector whose columns $2i$ and $2i + 1$ are
# $\sin(t / 10000^{2i/d})$ and $\cos(t / 10000^{2i/d})$: pairs of waves whose wavelengths grow from $2\pi$ to about $10000 \cdot 2\pi$ across the columns, so that every position gets a different pattern and nearby positions similar ones.
# Write it in NumPy (in both twins of this notebook); the model of this section adds it to its inputs.

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
# Now the order task of topics 01 and 05: "cat" and "mouse" appear once each among filler words, and the label says which came first; both classes contain the same words, so a bag of words is at chance.
# Four models, 3 seeds each, 6 epochs:

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
# The FFN on the bag of words stayed at chance (0.484 to 0.514).
# Attention without positions was little better: 0.538 to 0.562.
# It gets that much from the last step, whose content it does see: when the last word is "cat", the mouse came first (and the other way round), which happens in 2 of 12 positions; guessing the rest gives at most $0.5 + 0.5 \cdot 2/12 \approx 0.58$.
# With sinusoidal positions, the same attention model reached 1.000 for every seed, as the LSTM did.
#
# So what remains true of "prefer RNNs when order is critical"? Order is not a reason: attention with positional encodings uses it as well here.
# What remains is that an RNN gets order for free, while attention depends on how positions are encoded, and fixed tables of positions (like ours, up to 1024 steps) or learned ones set a length the model was built or trained for; we did not measure how attention behaves beyond it.
#
# ## 6. The course's ladder in one table
#
# Every architecture of the course on one task, the recall task of section 3 (sequences of 32 steps, delays 0 to 31, 2,000 training sequences, 10 epochs, Adam with `lr=0.01`, gradients clipped at 1), each of width 32:
# - **FFN on the bag**: topic 01's feed-forward network on the sum of the inputs over the steps (a bag of words, for vectors);
# - **vanilla RNN** (topics 01-02), **LSTM** (03; forget-gate bias 1) and **GRU** (04), each reading the sequence and answering from its final state;
# - **bidirectional LSTM** and **2-layer LSTM** (05);
# - **attention**: one self-attention layer with 2 heads and sinusoidal positions, whose last step's query reads all the steps (section 5), then a small MLP.
#
# The table shows two runs side by side.
# **Stored**: `tools/ladder_08.py` trained every model with 3 seeds and wrote `data/ladder_08.csv`, on this course's 2-core machine; the accuracy is the mean with the range of the 3 seeds in brackets.
# **Live**: this notebook's section 3 run, seed 0 again, with the time per epoch measured now, on your machine.

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
# Reading the stored columns:
# - Every gated model and attention reached a mean test accuracy of 0.994 to 0.999; on this task the ladder's upper rungs differ in cost, not in accuracy.
# - The vanilla RNN (0.490, seeds 0.483 to 0.502) was below the FFN on the bag (0.552): it loses the cue after a few steps, while the sum over the steps keeps a trace of it.
# - Parameters: the LSTM has 5,380 and the GRU 4,164, three and four gates' worth of weights; the bidirectional LSTM and the 2-layer LSTM about twice the LSTM. Attention, with 5,700, is as small as an LSTM. (Keras keeps one bias vector per gate where PyTorch keeps two, so its vanilla RNN and LSTMs are a little smaller than the PyTorch twin's.)
# - Time per epoch: the recurrent models are the slow ones, the LSTM (0.266 s) and the GRU (0.248 s) about four times attention (0.068 s) at 32 steps, and the bidirectional (0.541 s) and 2-layer (0.460 s) LSTMs twice the LSTM, for twice the work.
#
# The live column is seed 0 again, trained now. Its accuracies lie within the stored ranges, or near them, except the vanilla RNN's (0.415 against 0.483 to 0.502): trained beside different models in one compiled step, its float32 rounding differs, and its training is unstable enough to end elsewhere. One run of it says little; the three stored seeds are the measurement. The times depend on your machine and on what else runs on it.
#
# ## 7. What came after
#
# The sources' last claim is that "Transformers have largely replaced RNNs".
# For large models of language, code and images trained on GPUs, that is true: training parallel over the positions of long sequences (section 2) beat the recurrent chain, and attention's direct path to every earlier token made long-range dependencies easier to learn.
# It is less true where this notebook's measurements favour recurrence: streaming and small devices (section 4), where a constant-size state beats a growing cache.
#
# And recurrence came back, in models that keep a constant-size state but can still be trained in parallel over time, because their state update is **linear** in the state (a linear recurrence can be computed for all steps at once, by a parallel scan or as a long convolution):
# - **S4** (Gu, Goel and Ré, 2022): a structured state-space model, a linear recurrence with a state of fixed size, trained as a convolution; it reached sequences of thousands of steps in the Long Range Arena benchmark.
# - **Mamba** (Gu and Dao, 2023): a state-space model whose parameters depend on the input, so it can choose what to keep, like an LSTM's gates; trained with a parallel scan, it runs on a stream with constant memory per step.
# - **RWKV** (Peng et al., 2023): a network that trains in parallel like a Transformer and runs as an RNN when it generates, with a constant-size state per layer.
# - **xLSTM** (Beck et al., 2024): the LSTM revisited with exponential gates and a matrix-valued memory, some of whose variants train in parallel.
#
# We have not measured any of these here; each sentence above says what the cited paper sets out to do.
#
# ## Closing quiz

# %%
quiz("08_limits_and_beyond", "closing", framework="tensorflow")

# %% [markdown]
# ## Summary
#
# - Cost with sequence length T, measured on one CPU thread: an LSTM layer and a convolution stack grow linearly (slopes near 1); self-attention grows faster (a slope near 2 from T = 128 on) because of its $T \times T$ scores, whose matrix grew 4 times with each doubling of T.
# - An RNN's steps form a chain: a second CPU thread did nothing for the LSTM (and, in TensorFlow on this machine, little for the other layers).
# - Memory span on the recall task: the vanilla RNN breaks down within a few steps; the LSTM, the GRU and attention held the cue over delays up to 127 steps, and longer delays cost the gated models more epochs.
# - Streaming: an RNN carries a constant state (256 bytes here) while attention's key-value cache grows with every step (1 MiB after 4096 steps); carrying the state across chunks reproduces one full run exactly.
# - A causal mask, applied before the softmax, makes attention look only back; with it, attention on a stream can use a cache.
# - Attention without positions sees a bag; with positional encodings it solved the order task as the LSTM did.
# - The ladder: on one task, every architecture of the course with its parameters, time per epoch and accuracy over 3 seeds.
#
# ## What next
#
# This is the last topic of the course. The appendix **[09 One model, two frameworks](09_one_model_two_frameworks.ipynb)** puts the same LSTM in PyTorch and Keras side by side, weight for weight.
# From here, the natural next step is the Transformer itself: the attention layer of sections 2 to 5, stacked with feed-forward layers, residual connections and normalisation.
#
# ## Further reading
#
# - A. Vaswani et al., "Attention Is All You Need", NeurIPS 2017: self-attention, the causal mask and sinusoidal positional encodings.
# - T. Dao et al., "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness", NeurIPS 2022.
# - A. Gu, K. Goel, C. Ré, "Efficiently Modeling Long Sequences with Structured State Spaces" (S4), ICLR 2022.
# - A. Gu, T. Dao, "Mamba: Linear-Time Sequence Modeling with Selective State Spaces", 2023, `arXiv:2312.00752`.
# - B. Peng et al., "RWKV: Reinventing RNNs for the Transformer Era", Findings of EMNLP 2023.
# - M. Beck et al., "xLSTM: Extended Long Short-Term Memory", NeurIPS 2024.
# - Y. Tay et al., "Long Range Arena: A Benchmark for Efficient Transformers", ICLR 2021.
