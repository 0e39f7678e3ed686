"""Hints that lead: every wrong answer gets a verdict that names the mistake (targeted) or says where the
answer goes wrong (located), not only "the values differ" (generic), measured over every catalogued
wrong answer and the course's own uncatalogued ones (tests/unseen_answers.py)."""
import collections
import importlib
import pathlib

import numpy as np
import pytest

from conftest import load_function
from helpers import checks
from helpers.checks import WRONG, grade
from helpers.checks.grading import GENERIC, LOCATED, TARGETED, hint_kind
from helpers.checks.locate import where_it_differs
from helpers.exercises import EXERCISES
from unseen_answers import UNSEEN

CATALOGUES = sorted(p.stem for p in pathlib.Path(__file__).parent.glob("wrong_answers_*.py"))
CATALOGUE = [row for name in CATALOGUES for row in importlib.import_module(name).CATALOGUE]
TARGET = 0.80


def _kinds(rows):
    kinds = collections.Counter()
    generic = []
    for eid, fw, what, source in rows:
        verdict = grade(EXERCISES[eid], load_function(source, fw), fw)
        assert verdict.status == WRONG, f"{eid}/{fw} ({what}) was accepted: {verdict}"
        kind = hint_kind(verdict)
        kinds[kind] += 1
        if kind == GENERIC:
            generic.append(f"{eid}/{fw} ({what}): {verdict.message}")
    return kinds, generic


def test_most_wrong_answers_get_a_targeted_or_located_hint(capsys):
    kinds, generic = _kinds(CATALOGUE + UNSEEN)
    total = sum(kinds.values())
    share = (kinds[TARGETED] + kinds[LOCATED]) / total
    with capsys.disabled():
        print(f"\nhint kinds over {total} wrong answers: " +
              ", ".join(f"{k} {v} ({v / total:.0%})" for k, v in sorted(kinds.items())))
    assert share >= TARGET, f"{share:.0%} targeted or located; generic:\n" + "\n".join(generic)


def test_uncatalogued_wrong_answers_are_located_too():
    kinds, generic = _kinds(UNSEEN)
    share = (kinds[TARGETED] + kinds[LOCATED]) / sum(kinds.values())
    assert share >= TARGET, f"{share:.0%}; generic:\n" + "\n".join(generic)


def _verdict(what):
    eid, fw, _, source = next(row for row in UNSEEN if row[2] == what)
    return grade(EXERCISES[eid], load_function(source, fw), fw)


@pytest.mark.parametrize("what,phrase", [
    ("outputs in reverse time order", "in `outputs`, it is the reference in reverse step order"),
    ("outputs shifted: the initial state stored instead of the last", "shifted one step later"),
    ("forward outputs not zeroed at the padded steps",
     "right at every valid step and wrong only at the padded steps of the shorter rows"),
    ("reverse_sequence, then the last step", "yours reads `outputs` at time indexes"),
    ("the forget block and the one after it set", "only the g block differs"),
    ("unit norm: divided by the global norm, max_norm ignored", "every value is the reference's times"),
    ("a tuple of the two weight counts", "return one number"),
    ("h_t without the output gate", "`c_t` is right but `h_t` differs"),
])
def test_a_located_verdict_says_where(what, phrase):
    verdict = _verdict(what)
    assert phrase in verdict.message, verdict.message
    assert hint_kind(verdict) in (LOCATED, TARGETED)
    assert "\n" not in verdict.message


class _Ex:
    """The attributes where_it_differs reads, for synthetic cases."""
    atol, rtol, axes, blocks = 1e-6, 1e-6, {}, {}

    @staticmethod
    def reference(x, lengths, fw):
        return x


def test_where_it_differs_on_synthetic_sequences():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 2))
    lengths = np.array([5, 2, 3])
    case = (x, lengths)
    late = x.copy()
    late[:, 3:] += 1.0
    assert "from step 4 on" in where_it_differs(_Ex, case, 0, late, x)
    first = x.copy()
    first[:, 0] = 0.0
    assert "only the first step" in where_it_differs(_Ex, case, 0, first, x)
    rows = x.copy()
    rows[1] *= 3.0
    assert "only row 2 of 3 is wrong" in where_it_differs(_Ex, case, 0, rows, x)
    padded = x.copy()
    padded[1, 2:] = 7.0
    assert "only at the padded steps" in where_it_differs(_Ex, case, 0, padded, x)
    assert "opposite sign" in where_it_differs(_Ex, case, 0, -x, x)
    assert "off by the same +0.5" in where_it_differs(_Ex, case, 0, x + 0.5, x)
    blocks = type("_Blocks", (_Ex,), {"blocks": {0: ("forward", "backward")}})
    half = x.copy()
    half[..., 1] += 1.0
    assert "only the backward block" in where_it_differs(blocks, case, 0, half, x)
    assert where_it_differs(_Ex, case, 0, x + rng.normal(size=x.shape), x) is None   # noise everywhere


def test_hint_kind_of_each_verdict_form():
    assert hint_kind(checks.Verdict(WRONG, "Not yet. Hint: the bias.", "no-bias")) == TARGETED
    assert hint_kind(checks.Verdict(WRONG, "Not yet: has shape (2) but ...", "shape")) == LOCATED
    assert hint_kind(checks.Verdict(WRONG, "values differ", "values")) == GENERIC
    assert hint_kind(checks.Verdict(WRONG, "values differ: only row 2", "values",
                                    details=[("located", "only row 2")])) == LOCATED
    assert hint_kind(checks.Verdict(checks.CORRECT, "Correct!", "correct")) == ""


def test_the_hint_button_skips_a_hint_the_verdict_already_gave():
    ex = EXERCISES["softmax"]
    first = ex.hint(0, "numpy")
    box = checks.HelpBox("softmax", "numpy", verdict=f"Not yet: values differ. Hint: {first}")
    assert box.hint_button.description == f"Show hint 2 of {len(ex.hints)}"
    box.next_hint()
    assert "Hint 2." in box.text.value and first not in box.text.value
    plain = checks.HelpBox("softmax", "numpy")
    assert plain.hint_button.description == f"Show hint 1 of {len(ex.hints)}"
