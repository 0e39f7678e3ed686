"""Every figure the course draws. Object-oriented matplotlib; each function returns its Figure."""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import MaxNLocator


def learning_curves(histories: dict, metric: str = "val_acc", chance: float | None = None,
                    title: str = "", ylabel: str = "held-out accuracy"):
    """One line per model: ``histories`` maps a name to a history dict with a list under ``metric``."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for name, hist in histories.items():
        values = hist[metric]
        ax.plot(range(1, len(values) + 1), values, marker="o", ms=3, label=name)
    if chance is not None:
        ax.axhline(chance, color="grey", ls="--", lw=1, label=f"chance ({chance:.0%})")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    if "acc" in metric:
        ax.set_ylim(0.0, 1.05)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def _box(ax, xy, text, color, w=0.8, h=0.5):
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05",
                                fc=color, ec="black", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax, start, end, **kw):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, lw=1.2,
                                 color=kw.pop("color", "black"), **kw))


def rnn_folded_unrolled(steps: int = 4):
    """The folded RNN (one cell with a loop) next to the same network unrolled over ``steps`` steps."""
    fig, (ax_f, ax_u) = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [1, steps]})
    cell_c, in_c, out_c = "#cfe3ff", "#fff2c6", "#d9f2d0"
    # folded
    _box(ax_f, (0, 0), "cell\n$f_W$", cell_c)
    _box(ax_f, (0, -1.3), "$x_t$", in_c, h=0.4)
    _box(ax_f, (0, 1.3), "$y_t$", out_c, h=0.4)
    _arrow(ax_f, (0, -1.1), (0, -0.3))
    _arrow(ax_f, (0, 0.3), (0, 1.1))
    # the loop: out of the cell's right side, round, and back in (the state fed to the next step)
    ax_f.plot([0.45, 0.9, 0.9, 0.6], [0.12, 0.12, -0.12, -0.12], color="#c0392b", lw=1.2)
    _arrow(ax_f, (0.62, -0.12), (0.45, -0.12), color="#c0392b")
    ax_f.text(0.98, 0.0, "$h_{t-1}$", color="#c0392b", va="center")
    ax_f.set_title("folded: one cell, a loop")
    ax_f.set_xlim(-1, 1.5)
    # unrolled
    for t in range(steps):
        x = 1.6 * t
        _box(ax_u, (x, 0), f"cell\n$f_W$", cell_c)
        _box(ax_u, (x, -1.3), f"$x_{t + 1}$", in_c, h=0.4)
        _box(ax_u, (x, 1.3), f"$y_{t + 1}$", out_c, h=0.4)
        _arrow(ax_u, (x, -1.1), (x, -0.3))
        _arrow(ax_u, (x, 0.3), (x, 1.1))
        _arrow(ax_u, (x - 1.2 if t else -1.2, 0), (x - 0.45, 0), color="#c0392b")
        ax_u.text(x - 0.85, 0.12, f"$h_{t}$", color="#c0392b", ha="center", fontsize=9)
    ax_u.text(1.6 * (steps - 1) + 0.55, 0.12, f"$h_{steps}$", color="#c0392b", fontsize=9)
    _arrow(ax_u, (1.6 * (steps - 1) + 0.45, 0), (1.6 * (steps - 1) + 1.0, 0), color="#c0392b")
    ax_u.set_title(f"unrolled over {steps} steps: the same weights $W$ in every copy")
    ax_u.set_xlim(-1.4, 1.6 * (steps - 1) + 1.2)
    for ax in (ax_f, ax_u):
        ax.set_ylim(-1.7, 1.7)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- topic 02
def gradient_norms_by_step(curves: dict, title: str = "", ylabel: str = r"$\|\partial L / \partial h_t\|$",
                           ylim: tuple | None = None, reference: tuple | None = None):
    """Gradient norm per time step, log scale: ``curves`` maps a label to a (T,) array of norms.

    ``ylim`` = (low, high) fixes the y axis (so that figures drawn one after another can be compared);
    ``reference`` = (label, norms) adds a faint grey curve to compare with.
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    if reference is not None:
        ref_label, ref_norms = reference
        ax.semilogy(range(1, len(ref_norms) + 1), ref_norms, color="grey", alpha=0.4, lw=1.5,
                    label=ref_label)
    for label, norms in curves.items():
        ax.semilogy(range(1, len(norms) + 1), norms, label=label)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("time step t (the loss is computed after the last step)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(curves) > 1 or reference is not None:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def training_curves(curves: dict, ylabel: str = "training loss", xlabel: str = "update step",
                    title: str = "", logy: bool = False, hline: tuple | None = None):
    """One line per run: ``curves`` maps a label to a list of values; ``hline`` = (value, label)."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for label, values in curves.items():
        ax.plot(range(1, len(values) + 1), values, lw=1.2, label=label)
    if hline is not None:
        ax.axhline(hline[0], color="grey", ls="--", lw=1, label=hline[1])
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # epochs and update steps are counts
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def accuracy_by_length(lengths, accuracies: dict, chance: float, title: str = "",
                       ylabel: str = "held-out accuracy"):
    """Accuracy against sequence length, one line per model.

    ``accuracies`` maps a label to one accuracy per length, or to one list of runs per length: then
    every run is drawn as a dot and the line joins the means of the runs.
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for label, acc in accuracies.items():
        if len(acc) and hasattr(acc[0], "__len__"):              # runs per length
            means = [sum(runs) / len(runs) for runs in acc]
            line, = ax.plot(lengths, means, marker="o", label=f"{label} (mean of {len(acc[0])} runs)")
            xs = [t * 2 ** (0.05 * (i - (len(runs) - 1) / 2))   # side by side, not on top
                  for t, runs in zip(lengths, acc) for i in range(len(runs))]
            ax.scatter(xs, [a for runs in acc for a in runs], s=22, color=line.get_color(),
                       alpha=0.45, label=f"{label}, each run", zorder=3)
        else:
            ax.plot(lengths, acc, marker="o", label=label)
    ax.axhline(chance, color="grey", ls="--", lw=1, label=f"chance ({chance:.0%})")
    ax.set_xscale("log", base=2)
    ax.set_xticks(lengths, [str(t) for t in lengths])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("sequence length T (steps between the first token and the answer)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- topic 03
def gate_heatmaps(gates: dict, markers=None, title: str = ""):
    """One heatmap per gate: ``gates`` maps a name to an (H, T) array of activations in [0, 1].

    ``markers``: time steps (0-based) to flag with a dashed line, such as the adding problem's markers.
    """
    fig, axes = plt.subplots(len(gates), 1, figsize=(7.5, 1.6 * len(gates) + 0.6), sharex=True)
    for ax, (name, act) in zip(axes, gates.items()):
        im = ax.imshow(act, aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.grid(False)
        ax.set_ylabel(f"{name}\nunit", fontsize=9)
        for t in markers if markers is not None else []:
            ax.axvline(t, color="white", ls="--", lw=1)
    axes[-1].set_xlabel("time step t" + (" (dashed: the two marked steps)" if markers is not None else ""))
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="activation")
    if title:
        fig.suptitle(title)
    return fig


# ---- topic 03 (revision)
def _flow(ax, start, end, color="black", lw=1.2):
    """An arrow from start to end that touches both points (no gap at either end)."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, lw=lw,
                                 color=color, shrinkA=0, shrinkB=0, zorder=2))


def _node(ax, xy, symbol, r=0.26):
    """A round operation node (multiply or add) on a data line."""
    ax.add_patch(Circle(xy, r, fc="white", ec="black", lw=1.2, zorder=3))
    ax.text(xy[0], xy[1], symbol, ha="center", va="center", fontsize=12, zorder=4)


def lstm_cell_diagram():
    """One LSTM step: gates f, i, o (sigmoid) and the candidate g (tanh) read h_{t-1} and x_t; the
    cell state runs straight across the top (the "highway"), touched only by a multiply and an add;
    h_t = o_t * tanh(c_t) leaves at the bottom right."""
    fig, ax = plt.subplots(figsize=(9, 4.6))
    hw, bus, gate_y, r = 3.6, 0.0, 1.1, 0.26            # heights: highway, input line, gates
    red, blue, grey = "#c0392b", "#1f4e9c", "#555555"
    sig_c, tanh_c = "#cfe3ff", "#fde2c8"
    ax.add_patch(FancyBboxPatch((1.0, -0.7), 9.0, 5.0, boxstyle="round,pad=0.1", fc="#f7f7f7",
                                ec=grey, lw=1, zorder=0))
    # the cell state: in at the left, a multiply (forget), an add (write), out at the right
    ax.plot([0.0, 3 - r], [hw, hw], color=red, lw=2.5, zorder=1)
    ax.plot([3 + r, 6 - r], [hw, hw], color=red, lw=2.5, zorder=1)
    _flow(ax, (6 + r, hw), (11.0, hw), color=red, lw=2.5)
    ax.text(-0.1, hw, "$c_{t-1}$", ha="right", va="center", color=red, fontsize=12)
    ax.text(11.1, hw, "$c_t$", ha="left", va="center", color=red, fontsize=12)
    ax.text(4.5, hw + 0.3, r"cell state, the highway: $\odot\, f_t$, then $+\; i_t \odot g_t$",
            ha="center", va="bottom", color=red, fontsize=10)
    _node(ax, (3, hw), r"$\times$")
    _node(ax, (6, hw), "$+$")
    # the input line: h_{t-1} from the left, x_t from below; every gate reads both
    ax.plot([0.0, 7.6], [bus, bus], color=blue, lw=1.5, zorder=1)
    ax.text(-0.1, bus, "$h_{t-1}$", ha="right", va="center", color=blue, fontsize=12)
    ax.plot([2.0, 2.0], [-1.3, bus], color=blue, lw=1.5, zorder=1)
    ax.text(2.0, -1.45, "$x_t$", ha="center", va="top", color=blue, fontsize=12)
    gates = [(3.0, r"$\sigma$", "$f_t$", sig_c), (4.6, r"$\sigma$", "$i_t$", sig_c),
             (6.0, "tanh", "$g_t$", tanh_c), (7.6, r"$\sigma$", "$o_t$", sig_c)]
    for x, fn, name, col in gates:
        _flow(ax, (x, bus), (x, gate_y - 0.35), color=blue)
        _box(ax, (x, gate_y), fn, col, w=0.8, h=0.6)
        if name == "$o_t$":                              # o_t leaves to the right
            ax.text(x + 0.7, gate_y + 0.25, name, ha="center", va="center", fontsize=11)
        else:                                           # the others leave upwards
            ax.text(x + 0.12, gate_y + 0.62, name, ha="left", va="center", fontsize=11)
    # forget: f_t multiplies the old cell state
    _flow(ax, (3.0, gate_y + 0.35), (3.0, hw - r))
    ax.text(2.85, 2.55, "forget", ha="right", va="center", fontsize=9, color=grey)
    # write: i_t * g_t is added to it
    _node(ax, (6.0, 2.45), r"$\times$")
    ax.plot([4.6, 4.6], [gate_y + 0.35, 2.45], color="black", lw=1.2)
    _flow(ax, (4.6, 2.45), (6.0 - r, 2.45))
    _flow(ax, (6.0, gate_y + 0.35), (6.0, 2.45 - r))
    _flow(ax, (6.0, 2.45 + r), (6.0, hw - r))
    ax.text(6.35, 2.45, "write", ha="left", va="center", fontsize=9, color=grey)
    # show: h_t = o_t * tanh(c_t)
    ax.plot([8.9, 8.9], [hw, 2.75], color=red, lw=1.5)
    _box(ax, (8.9, 2.45), "tanh", tanh_c, w=0.8, h=0.5)
    _flow(ax, (8.9, 2.15), (8.9, gate_y + r))
    _node(ax, (8.9, gate_y), r"$\times$")
    _flow(ax, (7.6 + 0.45, gate_y), (8.9 - r, gate_y))
    ax.text(9.25, gate_y, "show", ha="left", va="center", fontsize=9, color=grey)
    ax.plot([8.9, 8.9], [gate_y - r, bus], color=blue, lw=1.5)
    _flow(ax, (8.9, bus), (11.0, bus), color=blue, lw=1.5)
    ax.text(11.1, bus, "$h_t$", ha="left", va="center", color=blue, fontsize=12)
    ax.text(4.6, -1.3, r"each box: $\sigma$ or tanh of its own $x_t W_x + h_{t-1} W_h + b$",
            ha="left", va="center", fontsize=9, color=grey)
    ax.set_xlim(-1.0, 12.0)
    ax.set_ylim(-1.9, 4.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("One LSTM step")
    fig.tight_layout()
    return fig


def runs_by_seed(groups: dict, ylabel: str, xlabel: str = "epoch", title: str = "",
                 logy: bool = False, hlines: tuple = ()):
    """Several runs per setting: ``groups`` maps a label to a list of curves (one per seed).

    One colour per label, one line style per seed; each (value, label) in ``hlines`` draws a
    horizontal reference line.
    """
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    styles = ["-", "--", ":", "-."]
    for k, (label, curves) in enumerate(groups.items()):
        for s, values in enumerate(curves):
            ax.plot(range(1, len(values) + 1), values, color=f"C{k}", lw=1.3,
                    ls=styles[s % len(styles)], label=f"{label}, seed {s}")
    for (value, label), ls in zip(hlines, ["--", "-.", ":"]):
        ax.axhline(value, color="grey", ls=ls, lw=1, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def accuracy_by_length_runs(lengths, runs: dict, chance: float, title: str = ""):
    """Test accuracy against sequence length with its spread over seeds.

    ``runs`` maps a model's label to an array (len(lengths), seeds): each seed is a dot, the
    line joins the means.
    """
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for k, (label, acc) in enumerate(runs.items()):
        acc = np.asarray(acc, dtype=float)
        shift = 1.0 + 0.04 * (k - (len(runs) - 1) / 2)          # side by side, not on top
        xs = np.asarray(lengths, dtype=float) * shift
        ax.plot(xs, acc.mean(axis=1), color=f"C{k}", marker="o",
                label=f"{label} (mean of {acc.shape[1]} seeds)")
        for s in range(acc.shape[1]):
            ax.plot(xs, acc[:, s], ls="none", marker=".", ms=7, color=f"C{k}", alpha=0.6)
    ax.axhline(chance, color="grey", ls="--", lw=1, label=f"chance ({chance:.0%})")
    ax.set_xscale("log", base=2)
    ax.set_xticks(lengths, [str(t) for t in lengths])
    ax.minorticks_off()
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("sequence length T (steps between the first token and the answer)")
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def state_gradient_norms(h_curves: dict, c_curves: dict, title: str = ""):
    """Gradient norm per time step, log scale, in two panels sharing the y axis:
    ||dL/dh_t|| (left) and ||dL/dc_t|| (right, the cell state: LSTMs only; with no c_curves,
    one panel).

    Each dict maps a label to an array (seeds, T) or (T,); every seed is drawn, one colour per
    label, the same colour for a label in both panels.
    """
    import numpy as np

    if c_curves:
        fig, (ax_h, ax_c) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    else:                                    # no cell state (vanilla RNN, GRU): one panel
        fig, ax_h = plt.subplots(figsize=(6.8, 3.8))
        ax_c = None
    colours = {label: f"C{k}" for k, label in enumerate(dict.fromkeys([*h_curves, *c_curves]))}
    for ax, curves in ((ax_h, h_curves), (ax_c, c_curves)):
        if ax is None:
            continue
        for label, norms in curves.items():
            norms = np.atleast_2d(norms)
            for s, row in enumerate(norms):
                ax.semilogy(range(1, len(row) + 1), row, color=colours[label], lw=1.2,
                            alpha=0.8, label=label if s == 0 else None)
        ax.set_xlabel("time step t (the loss is computed after the last step)")
        ax.legend(fontsize=8)
    ax_h.set_ylabel("gradient norm")
    ax_h.set_title(r"$\|\partial L / \partial h_t\|$")
    if ax_c is not None:
        ax_c.set_title(r"$\|\partial L / \partial c_t\|$ (the cell state)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def median_bands(panels: dict, ylabels: dict, hlines: dict | None = None, logy: tuple = (),
                 title: str = ""):
    """Several runs per setting, one panel per task, side by side.

    ``panels`` maps a panel title to {label: array (seeds, epochs)}: each label is drawn as the
    median over its seeds (a line) inside the band from the lowest to the highest seed, one colour
    per label across all panels. ``ylabels`` and ``hlines`` map a panel title to its y label and to
    [(value, label)] reference lines; a panel whose title is in ``logy`` has a log y axis.
    """
    import numpy as np

    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8), squeeze=False)
    labels = list(dict.fromkeys(label for groups in panels.values() for label in groups))
    for ax, (name, groups) in zip(axes[0], panels.items()):
        for label, runs in groups.items():
            runs = np.atleast_2d(np.asarray(runs, dtype=float))
            epochs = np.arange(1, runs.shape[1] + 1)
            colour = f"C{labels.index(label)}"
            ax.fill_between(epochs, runs.min(0), runs.max(0), color=colour, alpha=0.2, lw=0)
            ax.plot(epochs, np.median(runs, 0), color=colour, lw=1.5, label=label)
        for (value, label), ls in zip((hlines or {}).get(name, ()), ["--", ":", "-."]):
            ax.axhline(value, color="grey", ls=ls, lw=1, label=label)
        if name in logy:
            ax.set_yscale("log")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(ylabels.get(name, ""))
    axes[0][-1].legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---- topic 04
def leaky_integrator(z_values, h0: float = 1.0, n: float = -0.5, steps: int = 30, title: str = ""):
    """The GRU's update with its gate z and candidate n held fixed: h_k = n + z^k (h0 - n).

    One curve per z in ``z_values`` over k = 0..steps, with h0 and n drawn as grey lines.
    """
    k = np.arange(steps + 1)
    fig, ax = plt.subplots(figsize=(8.2, 3.4))
    for i, z in enumerate(z_values):
        ax.plot(k, n + z ** k * (h0 - n), marker="o", ms=2.5, lw=1.4, color=f"C{i}",
                label=f"z = {z:g}")
    ax.axhline(h0, color="grey", ls=":", lw=1, label="$h_0$ (kept when z = 1)")
    ax.axhline(n, color="grey", ls="--", lw=1, label="candidate n (reached when z = 0)")
    ax.set_xlabel("step k")
    ax.set_ylabel("$h_k$")
    ax.set_ylim(min(h0, n) - 0.15 * abs(h0 - n), max(h0, n) + 0.15 * abs(h0 - n))
    ax.set_title(title or "$h_k = z\\,h_{k-1} + (1 - z)\\,n$ with z and n held fixed")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))   # beside the curves
    fig.tight_layout()
    return fig


# ---- topic 06
def samples_by_temperature(temperatures, grammatical, distinct, n: int, title: str = ""):
    """Two panels against the sampling temperature: the share of grammatical samples and the
    number of distinct ones among ``n``. ``grammatical``, ``distinct``: (len(temperatures), seeds);
    each seed is a dot, the line joins the means."""
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.3))
    for ax, values, ylabel, top in ((axes[0], grammatical, "share grammatical", 1.05),
                                    (axes[1], distinct, f"distinct sentences of {n}", n * 1.05)):
        values = np.asarray(values, dtype=float)
        ax.plot(temperatures, values.mean(axis=1), color="C0", marker="o",
                label=f"mean of {values.shape[1]} seeds")
        for s in range(values.shape[1]):
            ax.plot(temperatures, values[:, s], ls="none", marker=".", ms=7, color="C0", alpha=0.5)
        ax.set_ylim(0, top)
        ax.set_xticks(temperatures)
        ax.set_xlabel("temperature T (0: always the most likely word)")
        ax.set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def seq2seq_by_length(lengths, token_acc: dict, exact: dict, chance: float, title: str = ""):
    """Held-out accuracy of encoder-decoders against the input length, two panels (per token,
    whole sequence exact). ``token_acc`` and ``exact`` map a model's label to an array
    (len(lengths), seeds): each seed is a dot, the line joins the means."""
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.6), sharey=True)
    for ax, runs, ylabel in ((axes[0], token_acc, "per-token accuracy"),
                             (axes[1], exact, "exact-match accuracy")):
        for k, (label, acc) in enumerate(runs.items()):
            acc = np.asarray(acc, dtype=float)
            xs = np.asarray(lengths, dtype=float) + 0.15 * (k - (len(runs) - 1) / 2)
            ax.plot(xs, acc.mean(axis=1), color=f"C{k}", marker="o",
                    label=f"{label} (mean of {acc.shape[1]} seeds)")
            for s in range(acc.shape[1]):
                ax.plot(xs, acc[:, s], ls="none", marker=".", ms=7, color=f"C{k}", alpha=0.6)
        ax.set_xticks(lengths)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("input length (digits)")
        ax.set_ylabel(ylabel)
    axes[0].axhline(chance, color="grey", ls="--", lw=1, label=f"chance ({chance:.0%})")
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def attention_heatmap(weights, source_labels, output_labels, title: str = ""):
    """Attention weights of one example: ``weights`` (len(output_labels), len(source_labels)),
    row t = how much output step t read from each source position; each row sums to 1."""
    import numpy as np

    weights = np.asarray(weights, dtype=float)
    fig, ax = plt.subplots(figsize=(0.42 * weights.shape[1] + 2.2, 0.36 * weights.shape[0] + 1.4))
    im = ax.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.grid(False)
    ax.set_xticks(range(len(source_labels)), source_labels)
    ax.set_yticks(range(len(output_labels)), output_labels)
    ax.set_xlabel("source position (what the encoder read)")
    ax.set_ylabel("output step (what the decoder wrote)")
    fig.colorbar(im, ax=ax, shrink=0.8, label="attention weight")
    ax.set_title(title)
    fig.tight_layout()
    return fig


# ---- topic 07
def _month_ticks(ax, months, every: int):
    idx = [i for i, m in enumerate(months) if m.endswith("-01") and int(m[:4]) % every == 0]
    ax.set_xticks(idx, [months[i][:4] for i in idx])


def series_splits(months, values, splits, ylabel: str, title: str = ""):
    """A monthly series with its validation and test parts shaded: ``splits`` = (first
    validation index, first test index)."""
    fig, ax = plt.subplots(figsize=(8.4, 3.4))
    i_val, i_test = splits
    ax.plot(values, color="C0", lw=1.2)
    for (a, b), label, color in (((0, i_val), "train", "white"), ((i_val, i_test), "validation", "C1"),
                                 ((i_test, len(values)), "test", "C3")):
        if color != "white":
            ax.axvspan(a - 0.5, b - 0.5, color=color, alpha=0.15, lw=0)
        ax.text((a + b) / 2, 0.95, label, transform=ax.get_xaxis_transform(), ha="center",
                va="top", fontsize=9)
    _month_ticks(ax, months, 5)
    ax.set_xlim(-1, len(values))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def forecasts(months, values, n_history: int, predictions: dict, ylabel: str, title: str = ""):
    """The series (``values``, one per month) with forecasts of its last len(values) - n_history
    months: ``predictions`` maps a label to one forecast per forecast month."""
    fig, ax = plt.subplots(figsize=(8.4, 3.6))
    ax.plot(values, color="black", lw=1.6, label="observed")
    ax.axvline(n_history - 0.5, color="grey", ls=":", lw=1)
    steps = np.arange(n_history, len(values))
    styles = {"naive": ("C7", "--"), "seasonal naive": ("C2", "--"),
              "linear autoregression": ("C0", "-.")}
    for k, (label, f) in enumerate(predictions.items()):
        color, ls = styles.get(label, (f"C{k % 3}" if label.startswith("GRU") else f"C{k}", "-"))
        if label.startswith("GRU"):
            color = "C3"
        ax.plot(steps, f, color=color, ls=ls, lw=1.1, alpha=0.85, label=label)
    idx = [i for i, m in enumerate(months) if m.endswith("-01")]
    ax.set_xticks(idx, [months[i][:4] for i in idx])
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


# ---- topic 08: limits of RNNs
def cost_by_length(lengths, seconds: dict, slopes: dict, title: str = ""):
    """Time against sequence length T on log-log axes: ``seconds`` maps a layer's name to its times
    (len(lengths),), ``slopes`` to the fitted log-log slope shown in the legend. Dotted grey lines
    of slope 1 and 2 through the first point give the eye a ruler."""
    T = np.asarray(lengths, dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for k, (name, t) in enumerate(seconds.items()):
        t_ms = np.asarray(t, dtype=float) * 1e3
        ax.plot(T, t_ms, marker="o", color=f"C{k}", label=f"{name} (slope {slopes[name]:.2f})")
    first = min(float(np.asarray(t, dtype=float)[0]) for t in seconds.values()) * 1e3
    for power, ls in ((1, ":"), (2, "--")):
        ax.plot(T, first * (T / T[0]) ** power, color="grey", ls=ls, lw=1,
                label=f"grows as T^{power}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(T, [str(int(t)) for t in T])
    ax.minorticks_off()
    ax.set_xlabel("sequence length T")
    ax.set_ylabel("forward + backward (ms)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def accuracy_by_delay(bins, curves: dict, chance: float, threshold: float = 0.9,
                      title: str = ""):
    """Test accuracy against the delay between the cue and the answer.

    ``curves`` maps a model's label to an array (len(bins),) or (len(bins), seeds): each seed a
    dot, the line joins the means. An open circle marks the first delay bin where the mean falls
    below ``threshold``: where the model breaks down.
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    xs = np.arange(len(bins))
    circled = False
    for k, (label, acc) in enumerate(curves.items()):
        acc = np.asarray(acc, dtype=float).reshape(len(bins), -1)
        shift = 0.06 * (k - (len(curves) - 1) / 2)                 # side by side, not on top
        mean = acc.mean(axis=1)
        seeds = acc.shape[1]
        ax.plot(xs + shift, mean, color=f"C{k}", marker="o",
                label=label + (f" (mean of {seeds} seeds)" if seeds > 1 else ""))
        if seeds > 1:
            for s in range(seeds):
                ax.plot(xs + shift, acc[:, s], ls="none", marker=".", ms=6, color=f"C{k}",
                        alpha=0.6)
        below = np.flatnonzero(mean < threshold)
        if below.size:
            i = below[0]
            ax.plot(xs[i] + shift, mean[i], marker="o", ms=14, mfc="none", color=f"C{k}")
            circled = True
    if circled:                                   # say in the legend what a circle means
        ax.plot([], [], ls="none", marker="o", ms=10, mfc="none", color="grey",
                label=f"circle: first delay with mean below {threshold:.0%}")
    ax.axhline(chance, color="grey", ls="--", lw=1, label=f"chance ({chance:.0%})")
    ax.axhline(threshold, color="grey", ls=":", lw=1, label=f"{threshold:.0%}: breaks down below")
    ax.set_xticks(xs, [f"{lo}-{hi - 1}" for lo, hi in bins])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("delay: steps between the cue and the answer")
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    return fig
