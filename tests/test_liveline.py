"""The training status line: shown at once, updated in place, never in the way."""
from helpers.liveline import MARK, LiveLine


def test_the_line_shows_at_once_and_counts_epochs(capsys):
    line = LiveLine("LSTM, b_f = 2", total=3)
    for k in range(1, 4):
        line.update(k, loss=0.5 / k, val_mse=None)
    line.close()
    err = capsys.readouterr().err
    frames = [f for f in err.split("\r") if f.strip()]
    assert frames[0].startswith(f"{MARK} LSTM, b_f = 2: epoch 0 of 3")      # before any work
    assert frames[-1].startswith(f"{MARK} LSTM, b_f = 2: epoch 3 of 3 · loss 0.1667 · ")
    assert "val mse" not in err                                          # None metrics are left out
    assert err.endswith("\n")


def test_updates_closer_than_the_interval_are_skipped_but_not_the_last(capsys):
    line = LiveLine("fit", total=100, min_interval=60)
    for k in range(1, 101):
        line.update(k, loss=1.0)
    frames = [f for f in capsys.readouterr().err.split("\r") if f.strip()]
    assert [f.split(" · ")[0] for f in frames] == [f"{MARK} fit: epoch 0 of 100", f"{MARK} fit: epoch 100 of 100"]
