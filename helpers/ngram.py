"""Character n-gram language models: the baseline a recurrent language model has to beat."""
from __future__ import annotations

from collections import Counter

import numpy as np


def ngram_perplexity(train: list, test: list, n: int, k: float = 0.1, vocab_size: int | None = None
                     ) -> float:
    """Per-token perplexity on ``test`` of an n-gram model counted on ``train``.

    train, test: lists of id sequences, each [START, x_1, ..., x_L, END]; the model predicts every
    token after START from the n - 1 before it (START repeated to fill the context), with add-k
    smoothing over ``vocab_size`` possible next tokens (default: every id seen, START excluded).
    perplexity = exp(mean negative log-likelihood over the predicted tokens); n = 1 is the unigram
    model (token frequencies alone).
    """
    start = train[0][0]
    vocab_size = vocab_size or len({t for s in train for t in s} - {start})

    def grams(seq):
        s = [start] * (n - 1) + list(seq[1:])
        return [(tuple(s[i - n + 1:i]), s[i]) for i in range(n - 1, len(s))]

    context, full = Counter(), Counter()
    for seq in train:
        for c, t in grams(seq):
            context[c] += 1
            full[c, t] += 1
    nll = [-np.log((full[c, t] + k) / (context[c] + k * vocab_size)) for seq in test
           for c, t in grams(seq)]
    return float(np.exp(np.mean(nll)))


def _padded(seq, n: int) -> list:
    """[START, x_1, ..., END] -> START repeated n - 1 times, then x_1, ..., END."""
    return [seq[0]] * (n - 1) + list(seq[1:])


class KneserNey:
    """An interpolated Kneser-Ney character n-gram model (Chen and Goodman, 1999), counted on
    ``train``: lists of id sequences [START, x_1, ..., x_L, END], each token after START
    predicted from the n - 1 before it (START repeated to fill the context).

    For the full order,  P(w | h) = max(c(h w) - D, 0) / c(h) + D N(h .) / c(h) * P(w | h'),
    where h' drops the oldest token of h, c counts n-grams and N(h .) is the number of distinct
    tokens seen after h. The lower orders use continuation counts instead of c: the number of
    distinct tokens seen before (h' w), so that a token frequent only after one context does not
    get a large lower-order probability. The lowest order interpolates with the uniform
    distribution over ``vocab_size`` tokens (default: every id seen, START excluded). A context
    never seen passes its whole weight to the next lower order. Every P(. | h) sums to 1.
    """

    def __init__(self, train: list, n: int, discount: float = 0.75,
                 vocab_size: int | None = None):
        if n < 1 or not 0 < discount < 1:
            raise ValueError(f"need n >= 1 and 0 < discount < 1, got n={n}, discount={discount}")
        self.n, self.D, self.start = n, discount, train[0][0]
        self.vocab = sorted({t for s in train for t in s} - {self.start})
        self.V = vocab_size or len(self.vocab)
        full = Counter()                                   # (context of n - 1, token)
        for seq in train:
            s = _padded(seq, n)
            full.update((tuple(s[i - n + 1:i]), s[i]) for i in range(n - 1, len(s)))
        # counts[k]: {(context of k tokens, w): count}; the full order counts n-grams, every lower
        # order k counts the distinct tokens seen before (context, w)
        self.counts = {n - 1: full}
        for k in range(n - 2, -1, -1):
            self.counts[k] = Counter((h[1:], w) for h, w in self.counts[k + 1])
        self.totals, self.types = {}, {}                   # per order: sum and distinct w per h
        for k, grams in self.counts.items():
            self.totals[k], self.types[k] = Counter(), Counter()
            for (h, _), c in grams.items():
                self.totals[k][h] += c
                self.types[k][h] += 1

    def prob(self, context: tuple, w) -> float:
        """P(w | the last n - 1 tokens of context)."""
        h = tuple(context)[len(context) - (self.n - 1):] if self.n > 1 else ()
        p = 1.0 / self.V                                   # below the unigram: uniform
        for k in range(0, self.n):                         # lowest order first
            hk = h[len(h) - k:] if k else ()
            total = self.totals[k].get(hk, 0)
            if total:
                c = self.counts[k].get((hk, w), 0)
                p = max(c - self.D, 0) / total + self.D * self.types[k][hk] / total * p
        return p

    def perplexity(self, test: list) -> float:
        """exp(mean negative log-likelihood) over every predicted token of ``test``."""
        nll = []
        for seq in test:
            s = _padded(seq, self.n)
            nll += [-np.log(self.prob(tuple(s[i - self.n + 1:i]), s[i]))
                    for i in range(self.n - 1, len(s))]
        return float(np.exp(np.mean(nll)))


def kneser_ney_order(train: list, val: list, orders=(2, 3, 4, 5, 6), discount: float = 0.75):
    """The order of ``orders`` whose Kneser-Ney model (counted on ``train``) has the lowest
    perplexity on ``val``: (that model, {order: validation perplexity})."""
    models = {n: KneserNey(train, n, discount) for n in orders}
    scores = {n: m.perplexity(val) for n, m in models.items()}
    best = min(scores, key=scores.get)
    return models[best], scores
