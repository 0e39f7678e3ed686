"""Every figure the course draws. Object-oriented matplotlib; each function returns its Figure."""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
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
def gradient_norms_by_step(curves: dict, title: str = "", ylabel: str = r"$\|\partial L / \partial h_t\|$"):
    """Gradient norm per time step, log scale: ``curves`` maps a label to a (T,) array of norms."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for label, norms in curves.items():
        ax.semilogy(range(1, len(norms) + 1), norms, label=label)
    ax.set_xlabel("time step t (the loss is computed after the last step)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(curves) > 1:
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


def accuracy_by_length(lengths, accuracies: dict, chance: float, title: str = ""):
    """Held-out accuracy against sequence length, one line per model."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for label, acc in accuracies.items():
        ax.plot(lengths, acc, marker="o", label=label)
    ax.axhline(chance, color="grey", ls="--", lw=1, label=f"chance ({chance:.0%})")
    ax.set_xscale("log", base=2)
    ax.set_xticks(lengths, [str(t) for t in lengths])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("sequence length T (steps between the first token and the answer)")
    ax.set_ylabel("held-out accuracy")
    ax.set_title(title)
    ax.legend()
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
