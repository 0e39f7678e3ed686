"""Helpers added for topic 08: the delayed recall task, positional encodings, timing and slopes, the
ladder's models in both frameworks, and the stored results that tools/ladder_08.py writes."""
import numpy as np
import pytest

from helpers import data, limits


def test_delayed_recall_puts_one_cue_at_its_delay_before_the_end():
    X, y, delay = data.delayed_recall_task(500, seq_len=16, n_classes=4, dim=8, seed=3)
    assert X.shape == (500, 16, 8) and X.dtype == np.float32 and y.shape == delay.shape == (500,)
    assert delay.min() == 0 and delay.max() == 15 and set(np.unique(y)) == {0, 1, 2, 3}
    rows = np.arange(500)
    cue = X[rows, 15 - delay]                                    # (500, 8)
    assert np.array_equal(cue, 3.0 * np.eye(8, dtype=np.float32)[y])
    others = np.ones((500, 16), bool)
    others[rows, 15 - delay] = False
    assert not np.any(np.all(X[others] == cue.repeat(15, axis=0), axis=1))   # noise elsewhere
    again = data.delayed_recall_task(500, seq_len=16, n_classes=4, dim=8, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((X, y, delay), again))


def test_sinusoidal_positions_follow_the_formula():
    pe = limits.sinusoidal_positions(50, 6)
    assert pe.shape == (50, 6) and pe.dtype == np.float32
    assert np.allclose(pe[0], [0, 1, 0, 1, 0, 1])
    t, i = 7, 2                                                  # columns 4 and 5
    angle = t / 10000 ** (2 * i / 6)
    assert np.isclose(pe[t, 4], np.sin(angle)) and np.isclose(pe[t, 5], np.cos(angle))
    assert len({tuple(np.round(row, 5)) for row in pe}) == 50    # every position differs
    with pytest.raises(ValueError):
        limits.sinusoidal_positions(4, 5)


def test_loglog_slope_and_median_seconds():
    T = np.array([16, 32, 64, 128])
    assert limits.loglog_slope(T, 3.0 * T) == pytest.approx(1.0)
    assert limits.loglog_slope(T, 0.5 * T ** 2) == pytest.approx(2.0)
    calls = []
    seconds = limits.median_seconds(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6 and 0 <= seconds < 0.01


def test_accuracy_by_delay_and_where_it_breaks_down():
    y = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    pred = np.array([0, 1, 2, 3, 0, 0, 0, 3])
    delay = np.array([0, 1, 5, 6, 9, 10, 20, 30])
    acc = limits.accuracy_by_delay(pred, y, delay)
    assert acc.tolist() == [1.0, 1.0, 0.5, 0.5]
    assert limits.breakdown(acc) == "below 90% from delay 8"
    assert limits.breakdown([0.95, 0.92, 0.91, 0.9]) == "holds to delay 31"


def _torch_outputs(name, x):
    import torch
    from helpers import torch_utils as fw
    torch.manual_seed(0)
    model = fw.ladder_model(name, 8, 4)
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy(), fw.count_params(model), model


@pytest.mark.parametrize("name", limits.LADDER)
def test_every_ladder_model_classifies_sequences_in_both_frameworks(name):
    from helpers import tf_utils
    x = np.random.default_rng(0).normal(size=(3, 5, 8)).astype(np.float32)
    out, params, _ = _torch_outputs(name, x)
    tf_model = tf_utils.ladder_model(name, 8, 4)
    tf_out = np.asarray(tf_model(x))
    assert out.shape == tf_out.shape == (3, 4)
    tf_params = tf_utils.count_params(tf_model)
    if name in ("FFN on the bag", "GRU", "attention"):          # the same weights in both
        assert params == tf_params
    else:                                                        # Keras: one bias per gate, not two
        assert tf_params < params


def test_pytorch_lstms_start_with_forget_bias_one_in_every_layer_and_direction():
    _, _, model = _torch_outputs("bidirectional LSTM", np.zeros((1, 2, 8), np.float32))
    _, _, deep = _torch_outputs("2-layer LSTM", np.zeros((1, 2, 8), np.float32))
    for m in (model, deep):
        for name, bias in m.rnn.named_parameters():
            if name.startswith("bias_"):
                H = m.rnn.hidden_size
                assert bias[H:2 * H].eq(1.0 if name.startswith("bias_ih") else 0.0).all(), name


def test_attention_without_positions_ignores_the_order_of_the_earlier_steps():
    import torch
    from helpers import torch_utils as fw
    torch.manual_seed(0)
    plain, positioned = fw.AttentionClassifier(8, 4, positions=False), fw.AttentionClassifier(8, 4)
    positioned.load_state_dict(plain.state_dict())
    x = torch.randn(2, 9, 8)
    shuffled = torch.cat([x[:, torch.randperm(8)], x[:, 8:]], dim=1)
    with torch.no_grad():
        assert torch.allclose(plain(x), plain(shuffled), atol=1e-5)
        assert not torch.allclose(positioned(x), positioned(shuffled), atol=1e-3)


def test_stored_results_hold_every_model_seed_and_setting():
    ladder = limits.read_csv(limits.LADDER_CSV)
    for fw in ("torch", "tensorflow"):
        rows = [r for r in ladder if r["framework"] == fw]
        assert [r["model"] for r in rows] == limits.LADDER
        for r in rows:
            assert r["acc_min"] <= r["acc_mean"] <= r["acc_max"] and r["seeds"] == 3
            assert r["epochs"] == limits.LADDER_TASK["epochs"]
            assert r["seq_len"] == limits.LADDER_TASK["seq_len"] and r["sec_per_epoch"] > 0
    span = limits.read_csv(limits.SPAN_CSV)
    for fw in ("torch", "tensorflow"):
        rows = [r for r in span if r["framework"] == fw]
        assert sorted((r["model"], int(r["seed"])) for r in rows) == sorted(
            (m, s) for m in limits.SPAN_MODELS for s in range(3))
        for r in rows:
            assert r["seq_len"] == limits.SPAN_TASK["seq_len"] and r["epochs"] == limits.SPAN_TASK["epochs"]
            assert all(0 <= r[f"acc_{lo}_{hi - 1}"] <= 1 for lo, hi in limits.SPAN_BINS)
