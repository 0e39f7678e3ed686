"""The data model of a self-check: an exercise, its known mistakes, and a verdict.

Verdict statuses: NOT_ATTEMPTED (the stub still raises), CORRECT, WRONG; frameworks are named
"numpy", "torch" or "tensorflow" (aliases in FRAMEWORK_ALIASES)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .values import to_framework

NOT_ATTEMPTED, CORRECT, WRONG = "not attempted", "correct", "wrong"
ICONS = {NOT_ATTEMPTED: "⏳", CORRECT: "✅", WRONG: "❌"}
FRAMEWORKS = ("numpy", "torch", "tensorflow")
FRAMEWORK_ALIASES = {"numpy": "numpy", "np": "numpy",
                     "torch": "torch", "pytorch": "torch", "pt": "torch",
                     "tensorflow": "tensorflow", "tf": "tensorflow", "keras": "tensorflow"}


def normalise_framework(framework: Any) -> str | None:
    """"tf" / "keras" -> "tensorflow", "pt" / "pytorch" -> "torch", ...; None when unknown."""
    return FRAMEWORK_ALIASES.get(framework.strip().lower()) if isinstance(framework, str) else None


def _unknown_framework(framework: Any) -> str:
    return (f"Unknown framework {framework!r}: use \"torch\", \"tensorflow\" or \"numpy\" (\"pytorch\", \"pt\", "
            f"\"tf\" and \"keras\" work too).")


def _text(t: Any, fw: str) -> str:
    """A text stored once, or per framework ({"torch": ..., "tensorflow": ...})."""
    if isinstance(t, str):
        return t
    return t.get(fw) or next(iter(t.values()))


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer, written in NumPy, and the hint a learner who made it gets.

    ``fn`` takes the same NumPy case as the reference (and ``fw=``) and returns what the
    mistaken code would return (or None where the mistake does not apply to that case); when the
    learner's output matches it, ``hint`` is shown.
    ``raises`` (a regular expression) is for a mistake that shows up as an exception instead:
    when the learner's code raises one whose message matches, ``hint`` is shown.
    """
    name: str
    hint: str | dict[str, str]     # one text, or one per framework
    fn: Callable[..., Any] | None = None
    raises: str = ""

    def hint_for(self, fw: str) -> str:
        return _text(self.hint, fw)


@dataclass
class Exercise:
    """One exercise: fixed cases, a NumPy reference, known mistakes, hints and solutions.

    cases:      list of tuples of NumPy arrays / numbers (the reference's arguments)
    reference:  reference(*case, fw=framework) -> array, number, or tuple of them
    mistakes:   list of Mistake, tried in order when the output is wrong
    hints:      progressive hints, revealed one at a time (each one text, or one per framework)
    solutions:  framework -> source code of the reference solution, shown on request
    to_learner: builds the learner's arguments from a NumPy case (default: arrays -> tensors)
    error_hint: shown when the learner's code raises a shape/size error
    output_names: names of the outputs, when the reference returns a fixed tuple of them
    output_hint: what to return, said instead of the generic "return N things" when the answer has
                the wrong structure (e.g. one tensor per input tensor); one text or one per framework
    axes:       optional names of each output's axes, {output index: ("row", "step", ...)}, used to say where a
                wrong answer differs ("only at the padded steps", "from step 3 on"); inferred when absent
    blocks:     optional names of the equal blocks an output's last axis is made of, {output index:
                ("forward", "backward")} or the gates ("r", "z", "n"): "only the z block differs"
    compare_as: optional (outputs, fw) -> outputs: what is compared, for an answer that can be right
                in more than one form (two biases that nn.LSTM adds: only their sum matters); applied
                to the reference's, the learner's and every mistake's outputs (tuples of NumPy arrays)
    must_not_mutate: the learner's function must leave its array/tensor inputs (and lists of them)
                as they were; one that changes them in place is wrong ("mutated-input"). When off,
                a change is only noted under the verdict.
    time_limit: seconds the learner's function may run on one case before the check stops it
                (a SIGALRM timer, so only where ``signal.setitimer`` exists, i.e. not on Windows,
                and only in the main thread, where Jupyter and Colab run cells; elsewhere the
                function runs without a limit). None or 0: no limit.
    """
    id: str
    title: str
    cases: Sequence[tuple]
    reference: Callable[..., Any]
    hints: Sequence[str | dict[str, str]]
    solutions: dict[str, str]
    mistakes: Sequence[Mistake] = ()
    to_learner: Callable[[tuple, str], tuple] | None = None
    error_hint: str | dict[str, str] = "Check the shapes of the tensors you combine."
    output_names: Sequence[str] = ()
    output_hint: str | dict[str, str] = ""
    axes: dict = field(default_factory=dict)
    blocks: dict = field(default_factory=dict)
    compare_as: Callable[[tuple, str], tuple] | None = None
    must_not_mutate: bool = True
    mutation_hint: str | dict[str, str] = ""   # said after "changed its input in place" (why it matters here)
    time_limit: float | None = 10.0
    atol: float = 1e-5
    rtol: float = 1e-4

    def learner_args(self, case: tuple, fw: str) -> tuple:
        if self.to_learner is not None:
            return self.to_learner(case, fw)
        return tuple(to_framework(a, fw) for a in case)

    def hint(self, i: int, fw: str) -> str:
        """The i-th progressive hint (0-based) in ``fw``'s words."""
        return _text(self.hints[i], fw)


@dataclass
class Verdict:
    status: str
    message: str
    reason: str = ""          # machine-readable: mistake name, "exception", "shape", ...
    details: list = field(default_factory=list)
    notes: list = field(default_factory=list)   # extra lines shown under the verdict (what the code printed, ...)

    def __str__(self) -> str:
        return f"{ICONS[self.status]} {self.message}"

    @property
    def ok(self) -> bool:
        return self.status == CORRECT

