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
