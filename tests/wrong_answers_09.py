"""Plausible wrong answers to the exercise of appendix 09; each must fail with the intended hint."""
from conftest import catalogue_rows

_LSTM = {"numpy": {
    "no-transpose": "    return weight_ih, weight_hh.T, bias_ih + bias_hh\n",
    "reshaped": "    D, H = weight_ih.shape[1], weight_hh.shape[1]\n"
                "    return weight_ih.reshape(D, 4 * H), weight_hh.reshape(H, 4 * H), bias_ih + bias_hh\n",
    "recurrent-not-transposed": "    return weight_ih.T, weight_hh, bias_ih + bias_hh\n",
    "matrices-swapped": "    return weight_hh.T, weight_ih.T, bias_ih + bias_hh\n",
    "one-bias": "    return weight_ih.T, weight_hh.T, bias_ih\n",
    "bias-averaged": "    return weight_ih.T, weight_hh.T, (bias_ih + bias_hh) / 2\n",
    "biases-concatenated": "    return weight_ih.T, weight_hh.T, np.concatenate([bias_ih, bias_hh])\n",
    "gru-swap": "    def swap(w):\n        i, f, g, o = np.split(w, 4, axis=0)\n"
                "        return np.concatenate([f, i, g, o], axis=0)\n"
                "    return swap(weight_ih).T, swap(weight_hh).T, swap(bias_ih) + swap(bias_hh)\n",
    "gate-order-icfo": "    def icfo(w):\n        i, f, g, o = np.split(w, 4, axis=0)\n"
                       "        return np.concatenate([i, g, f, o], axis=0)\n"
                       "    return icfo(weight_ih).T, icfo(weight_hh).T, icfo(bias_ih + bias_hh)\n",
    "arity": "    return weight_ih.T, weight_hh.T                 # the bias forgotten\n",
    "exception": "    return weight_ih @ weight_hh, weight_hh.T, bias_ih + bias_hh\n",
}}
CATALOGUE = catalogue_rows("convert_lstm_weights", _LSTM,
                           "def convert_lstm_weights(weight_ih, weight_hh, bias_ih, bias_hh):\n{}")
