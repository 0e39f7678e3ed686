"""Helpers added for topic 06: the reversal and sentence tasks, the grammar check, the
teacher-forcing loss and ``fit_teacher_forced`` in both frameworks."""
import numpy as np
import pytest

from helpers import data


def test_reverse_task_targets_are_the_reversed_digits_then_end():
    src, tgt, lengths = data.reverse_task(300, 2, 9, seed=4)
    assert src.shape == (300, 9) and tgt.shape == (300, 10) and lengths.shape == (300,)
    assert lengths.min() == 2 and lengths.max() == 9
    for s, t, n in zip(src, tgt, lengths):
        assert (s[:n] >= 3).all() and (s[n:] == data.PAD).all()
        np.testing.assert_array_equal(t[:n], s[:n][::-1])
        assert t[n] == data.END and (t[n + 1:] == data.PAD).all()
    np.testing.assert_array_equal(src, data.reverse_task(300, 2, 9, seed=4)[0])
    assert not np.array_equal(src, data.reverse_task(300, 2, 9, seed=5)[0])
    assert data.DIGIT_VOCAB[data.PAD] == "<pad>" and data.DIGIT_VOCAB[data.START] == "<start>"
    assert data.DIGIT_VOCAB[data.END] == "<end>" and data.DIGIT_VOCAB[3] == "0"


def _words(ids):
    return [data.SENTENCE_VOCAB[i] for i in ids]


def test_every_training_sentence_is_grammatical_for_its_own_condition_only():
    cond, tokens = data.sentence_task(500, seed=2)
    assert tokens.shape == (500, 13) and set(np.unique(cond)) == {0, 1}
    for c, row in zip(cond, tokens):
        ids = list(row[:list(row).index(data.S_END) + 1])
        assert data.is_grammatical(ids, c)
        assert not data.is_grammatical(ids, 1 - c)              # subject and object swapped
        words = _words(ids)
        assert words[-1] == "<end>" and words.count("cat") == words.count("mouse") == 1


@pytest.mark.parametrize("sentence", [
    "the cat saw a mouse",                                      # the reference: grammatical
    "the cat saw a mouse the",                                  # a word after the object
    "the cat saw mouse",                                        # no determiner
    "the big big cat saw a mouse",                              # an adjective repeated
    "the big small grey cat saw a mouse",                       # three adjectives
    "the cat a mouse",                                          # no verb
    "the cat saw a cat",                                        # the object is not the other animal
    "cat the saw a mouse",                                      # word order
])
def test_is_grammatical_rejects_each_kind_of_error(sentence):
    ids = [data.SENTENCE_VOCAB.index(w) for w in sentence.split()] + [data.S_END]
    assert data.is_grammatical(ids, 0) == (sentence == "the cat saw a mouse")
    assert not data.is_grammatical(ids[:-1], 0)                 # never finished: no <end>


def _framework(name):
    if name == "torch":
        from helpers import torch_utils as fw
    else:
        from helpers import tf_utils as fw
    return fw


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_teacher_forcing_loss_ignores_the_padding(framework):
    fw = _framework(framework)
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 4, 5)).astype(np.float32)
    targets = np.array([[3, 1, 2, 0], [4, 2, 0, 0]])
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    real = [(b, t) for b in range(2) for t in range(4) if targets[b, t] != 0]
    want = -np.mean([logp[b, t, targets[b, t]] for b, t in real])
    if framework == "torch":
        import torch
        got = fw.teacher_forcing_loss(torch.tensor(logits), torch.tensor(targets)).item()
    else:
        import tensorflow as tf
        got = float(fw.teacher_forcing_loss(tf.constant(logits), tf.constant(targets)))
    assert got == pytest.approx(want, rel=1e-5)


def _seq2seq(framework, seed):
    """A small GRU encoder-decoder in the given framework: model(src, words_in) -> logits."""
    V, H = len(data.DIGIT_VOCAB), 24
    if framework == "torch":
        import torch
        from torch import nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb, self.out = nn.Embedding(V, 8), nn.Linear(H, V)
                self.enc, self.dec = nn.GRU(8, H, batch_first=True), nn.GRU(8, H, batch_first=True)
                self.seen = []

            def forward(self, src, words_in):
                self.seen.append((src.clone(), words_in.clone()))
                _, h = self.enc(self.emb(src))
                return self.out(self.dec(self.emb(words_in), h)[0])

        torch.manual_seed(seed)
        return Model()
    import keras

    class Model(keras.Model):
        def __init__(self):
            super().__init__()
            self.emb, self.out = keras.layers.Embedding(V, 8), keras.layers.Dense(V)
            self.enc = keras.layers.GRU(H, return_state=True)
            self.dec = keras.layers.GRU(H, return_sequences=True)

        def call(self, src, words_in, training=False):
            _, h = self.enc(self.emb(src))
            return self.out(self.dec(self.emb(words_in), initial_state=h))

    keras.utils.set_random_seed(seed)
    model = Model()
    model(np.zeros((1, 4), np.int64), np.zeros((1, 5), np.int64))
    return model


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_fit_teacher_forced_trains_each_model_on_its_shifted_targets(framework):
    fw = _framework(framework)
    src, tgt, _ = data.reverse_task(400, 2, 4, seed=0)
    models = [_seq2seq(framework, s) for s in (0, 1)]
    losses = fw.fit_teacher_forced(models, src, tgt, start_token=data.START, epochs=6,
                                   batch_size=50, seed=3)
    assert len(losses) == 2 and all(len(l) == 6 for l in losses)
    for l in losses:
        assert l[-1] < 0.8 * l[0]                                # it learns
    assert losses[0] != losses[1]                                # two models, not one twice
    if framework == "torch":                                     # what the model was shown
        seen_src, seen_in = models[0].seen[0]
        rows = [int(np.flatnonzero((src == s.numpy()).all(1))[0]) for s in seen_src]
        want = np.concatenate([np.full((len(rows), 1), data.START), tgt[rows, :-1]], axis=1)
        np.testing.assert_array_equal(seen_in.numpy(), want)
        assert len(models[0].seen) == len(models[1].seen) == 6 * 8
        for (s0, _), (s1, _) in zip(models[0].seen, models[1].seen):
            assert (s0 == s1).all()                              # the same batches for both


def test_fit_teacher_forced_agrees_across_frameworks_on_the_first_epoch_loss():
    """Both start near log V (uniform guesses) and fall: the same recipe in both."""
    src, tgt, _ = data.reverse_task(400, 2, 4, seed=0)
    first = {}
    for framework in ("torch", "tensorflow"):
        fw = _framework(framework)
        losses = fw.fit_teacher_forced([_seq2seq(framework, 0)], src, tgt,
                                       start_token=data.START, epochs=1, batch_size=50)
        first[framework] = losses[0][0]
    assert all(1.0 < v < np.log(len(data.DIGIT_VOCAB)) + 0.3 for v in first.values()), first
