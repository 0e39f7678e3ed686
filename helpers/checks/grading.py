"""Grading: run the learner's function on every case, compare with the reference, and name
the mistake (a catalogued one, a shape, NaN, which output) in one Verdict."""
from __future__ import annotations

import contextlib
import re
import warnings
from typing import Any

import numpy as np

from .model import CORRECT, NOT_ATTEMPTED, WRONG, Exercise, Verdict, _text, _unknown_framework, normalise_framework
from .locate import where_it_differs
from .sandbox import (_Capture, _changed, _describe_exception, _mutation_text, _param_names, _safe_str,
                      _snapshot, _time_limit, _TimeUp, innermost_cause, is_wrapped)
from .values import (_ONE, _STACK, _TO_FLOAT32, NotAnArray, _a, _as_outputs, _describe, _precision, _same,
                     _shape, to_numpy)

_SHAPE_ERROR = re.compile(r"shape|size|dimension|broadcast|mat1|mat2|incompatible|matmul|rank",
                          re.IGNORECASE)



def grade(ex: Exercise, answer: Any, fw: str) -> Verdict:
    """Run ``answer`` on every case of ``ex`` and return one Verdict. Never raises (but lets
    KeyboardInterrupt through). What the answer prints is captured: Verdict.notes shows a few lines."""
    framework = normalise_framework(fw)
    if framework is None:
        return Verdict(WRONG, _unknown_framework(fw), "framework")
    printed = _Capture()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), \
                contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            warnings.simplefilter("ignore")          # overflow etc. show up in the verdict
            verdict = _grade(ex, answer, framework)
    except Exception as e:  # a bug in a check must not look like the learner's fault
        verdict = Verdict(WRONG, f"The check itself failed ({_describe_exception(e)}); "
                                 f"please report it to the course maintainers.", "check-error")
    if verdict.status == WRONG and verdict.reason != "check-error":
        other = written_for_other_framework(answer, framework)
        if other:
            verdict = Verdict(WRONG, _mismatch_text(ex.id, other, framework), "framework-mismatch")
    verdict.notes = verdict.notes + printed.summary()
    return verdict


_MODULES = {"torch": {"torch", "nn", "F"}, "tensorflow": {"tf", "tensorflow", "keras"}}
_NAMES = {"torch": "PyTorch", "tensorflow": "TensorFlow", "numpy": "NumPy"}


def _global_names(code: Any) -> set[str]:
    """Every global name a function's code (nested functions included) refers to."""
    names, todo = set(), [code]
    while todo:
        c = todo.pop()
        names.update(c.co_names)
        todo.extend(k for k in c.co_consts if isinstance(k, type(code)))
    return names


def written_for_other_framework(answer: Any, fw: str) -> str | None:
    """"torch" or "tensorflow" when ``answer`` uses only the other framework's module than ``fw``
    (a PyTorch function graded with check(..., "tf"), say); None when it cannot tell."""
    code = getattr(answer, "__code__", None)
    if code is None or fw not in _MODULES:
        return None
    names = _global_names(code)
    other = "tensorflow" if fw == "torch" else "torch"
    if names & _MODULES[other] - {"nn", "F"} and not names & _MODULES[fw]:
        return other
    return None


def _mismatch_text(exercise_id: str, other: str, fw: str) -> str:
    word = {"torch": "torch", "tensorflow": "tf"}[other]
    return (f"Your function is written with {_NAMES[other]} (it uses `{word}`), but this check grades it "
            f"as {_NAMES[fw]}, with {_NAMES[fw]} inputs: name the framework your code uses, "
            f'check("{exercise_id}", "{word}").')


def _grade(ex: Exercise, answer: Any, fw: str) -> Verdict:
    if not callable(answer):
        return Verdict(WRONG, f"Expected a function, got {type(answer).__name__}: "
                              f"run the exercise cell above first, then this one.", "not-callable")
    names = _param_names(answer)
    notes = []
    results = []                      # (case, expected outputs, learner outputs), all as NumPy
    for case in ex.cases:
        expected = ex.reference(*case, fw=fw)
        n_out = len(expected) if isinstance(expected, tuple) else 1
        expected = tuple(np.asarray(e) for e in _as_outputs(expected, n_out))
        args = ex.learner_args(case, fw)
        before = _snapshot(args, names)
        try:
            with _time_limit(ex.time_limit):
                got = answer(*args)
        except NotImplementedError:
            return Verdict(NOT_ATTEMPTED, "Not attempted yet: replace `raise NotImplementedError` "
                                          "with your code, run that cell, then run this check again.",
                           "not-attempted")
        except _TimeUp:
            return Verdict(WRONG, f"Not yet: your function did not finish in {ex.time_limit:g} s on a small "
                                  f"test case: is there an endless loop?", "timeout")
        except KeyboardInterrupt:
            raise
        except SystemExit:
            return Verdict(WRONG, "Your function called sys.exit() (or exit() / quit()), which would stop the "
                                  "notebook's kernel: end it with `return` and a value instead.", "exit")
        except Exception as e:
            # A wrapped framework error is matched on its cause, not on the wrapper's argument list.
            text = "{}: {}".format(*innermost_cause(e)) if is_wrapped(e) else _safe_str(e)
            for m in ex.mistakes:
                if m.raises and re.search(m.raises, text, re.IGNORECASE):
                    return Verdict(WRONG, f"Your code raised {_describe_exception(e)}. Hint: {m.hint_for(fw)}", m.name)
            hint = _text(ex.error_hint, fw) if _SHAPE_ERROR.search(text) \
                else "Read the message, fix that line and run both cells again."
            return Verdict(WRONG, f"Your code raised {_describe_exception(e)}. Hint: {hint}", "exception")
        except BaseException as e:    # GeneratorExit, a home-made BaseException, ...
            return Verdict(WRONG, f"Your code raised {_describe_exception(e)}. Hint: Read the message, fix that "
                                  f"line and run both cells again.", "exception")
        changed = _changed(before)
        if changed and ex.must_not_mutate:
            why = f" {_text(ex.mutation_hint, fw)}" if ex.mutation_hint else ""
            return Verdict(WRONG, "Not yet: " + _mutation_text(changed, fw) + why, "mutated-input")
        if changed and not notes:
            notes.append("   Note: " + _mutation_text(changed, fw))
        if got is None:
            return Verdict(WRONG, "Your function returned None: did you forget the `return` line?", "none", notes=notes)
        try:
            got_np = _read_outputs(ex, got, expected, fw)
        except Exception as e:        # an object that breaks when looked at (len, dtype, ... raise)
            try:
                kind = type(got).__name__
            except Exception:
                kind = "object"
            return Verdict(WRONG, f"Your function returned {_a(kind)} that the check cannot read (looking at it "
                                  f"raised {type(e).__name__}); return tensors or numbers.", "type", notes=notes)
        if isinstance(got_np, Verdict):
            got_np.notes = notes + got_np.notes
            return got_np
        if ex.compare_as is not None:             # what matters of both, e.g. the sum of two biases
            expected, got_np = ex.compare_as(expected, fw), ex.compare_as(got_np, fw)
        results.append((case, expected, got_np))
    verdict = _compare(ex, results, fw)
    verdict.notes = notes + verdict.notes
    return verdict


def _read_outputs(ex: Exercise, got: Any, expected: tuple, fw: str) -> tuple | Verdict:
    """The learner's outputs as NumPy arrays, or the Verdict that says why they cannot be compared."""
    n_out = len(expected)
    output_hint = _text(ex.output_hint, fw) if ex.output_hint else ""
    if n_out > 1 and not (isinstance(got, (tuple, list)) and len(got) == n_out):
        if output_hint:
            return Verdict(WRONG, f"Not yet: your function returned {_describe(got)}; {output_hint}", "arity")
        names_out = ", ".join(ex.output_names) or f"{n_out} values"
        return Verdict(WRONG, f"Return {n_out} things, in this order: ({names_out}); your function returned "
                              f"{_describe(got)}.", "arity")
    outs = _as_outputs(got, n_out)
    for g in outs:
        half = _precision(g)
        if half:
            return Verdict(WRONG, f"Not yet: your result is {half} (half precision), too coarse to compare with "
                                  f"the reference: return float32 ({_TO_FLOAT32[fw]}).", "half-precision")
    try:
        got_np = tuple(to_numpy(g) for g in outs)
    except NotAnArray as e:
        if output_hint:
            return Verdict(WRONG, f"Not yet: your function returned {_describe(got)}; {output_hint}", "type")
        if all(x.ndim == 0 for x in expected):
            return Verdict(WRONG, f"Your function returned {e}; return a number.", "type")
        stack = f" ({_STACK[fw]})" if isinstance(got, (list, tuple)) else ""
        return Verdict(WRONG, f"Your function returned {e}; {_ONE[fw]}{stack}.", "type")
    for i, (g, x) in enumerate(zip(got_np, expected)):
        if g.dtype.kind == "c" and x.dtype.kind != "c":
            return Verdict(WRONG, f"Not yet: {_label(ex, i, n_out)} has complex values (dtype {g.dtype}) where the "
                                  f"reference is real: take the absolute value (or the real part) where you meant "
                                  f"to.", "complex")
    return got_np


def _label(ex: Exercise, i: int, n: int) -> str:
    if len(ex.output_names) == n and n:
        return f"`{ex.output_names[i]}`"
    return "your result" if n == 1 else f"item {i + 1} of your result"


def _nonfinite(label: str, g: np.ndarray, x: np.ndarray, k: int) -> str | None:
    """The message for NaN or inf in ``g`` where the reference ``x`` is finite, or None."""
    g, x = g.astype(np.float64), x.astype(np.float64)
    for kind, bad, cause in [
        ("NaN", np.isnan(g) & ~np.isnan(x),
         "look for 0/0 (a sum or norm that is 0 in a denominator), inf - inf, exp() of a large number, "
         "or a log or square root of a negative number"),
        ("inf", np.isinf(g) & np.isfinite(x), "look for exp() of a large number or a division by zero")]:
        if not bad.any():
            continue
        if g.ndim == 0:
            return f"Not yet: {label} is {kind} on test case {k + 1}, where the reference is finite: {cause}."
        first = ", ".join(str(int(i)) for i in np.argwhere(bad)[0])
        return (f"Not yet: {label} contains {kind} in {int(bad.sum())} of {g.size} entries (the first at index "
                f"[{first}]) on test case {k + 1}, where the reference is finite: {cause}.")
    return None


def _compare(ex: Exercise, results: list, fw: str) -> Verdict:
    def matches(outs, ref):
        return all(_same(g, np.asarray(x), ex.atol, ex.rtol) for g, x in zip(outs, ref))

    failing = [k for k, (_, expected, got) in enumerate(results) if not matches(got, expected)]
    if not failing:
        return Verdict(CORRECT, f"Correct! `{ex.id}` matches the reference on all {len(ex.cases)} test cases.",
                       "correct")
    # A known mistake explains the answer when it reproduces it on every case where it applies.
    for m in ex.mistakes:
        if m.fn is None:
            continue
        applied = 0
        for case, expected, got in results:
            wrong = m.fn(*case, fw=fw)
            if wrong is None:
                continue
            if ex.compare_as is None:
                wrong = _as_outputs(wrong, len(expected))
            else:                                     # the mistake's outputs, seen as the answer's
                raw = wrong if isinstance(wrong, tuple) else (wrong,)
                wrong = ex.compare_as(tuple(np.asarray(w) for w in raw), fw)
            if not matches(got, wrong):
                break
            applied += 1
        else:
            if applied:
                return Verdict(WRONG, f"Not yet. Hint: {m.hint_for(fw)}", m.name)
    k = failing[0]
    case, expected, got = results[k]
    n = len(expected)
    for i, (g, x) in enumerate(zip(got, expected)):
        if g.shape != x.shape:
            label = f"{_label(ex, i, n)} "
            if x.ndim == 0 and g.ndim == 1:
                return Verdict(WRONG, f"Not yet: {label}is {g.size} numbers where one is expected: return one "
                                      f"number (not a tuple or list of them).", "shape")
            return Verdict(WRONG, f"Not yet: {label}has shape {_shape(g)} but should have shape "
                                  f"{_shape(x)}. Hint: {_text(ex.error_hint, fw)}", "shape")
    for kk in failing:                                # NaN / inf where the reference is finite
        for i, (g, x) in enumerate(zip(results[kk][2], results[kk][1])):
            if g.shape == x.shape:
                message = _nonfinite(_label(ex, i, n), g, x, kk)
                if message:
                    return Verdict(WRONG, message, "not-finite")
    # Some outputs right, others not: name the ones that differ.
    if n > 1 and len(ex.output_names) == n:
        right = [all(_same(r[2][i], r[1][i], ex.atol, ex.rtol) for r in results) for i in range(n)]
        if any(right) and not all(right):
            good = [f"`{ex.output_names[i]}`" for i in range(n) if right[i]]
            bad = [ex.output_names[i] for i in range(n) if not right[i]]
            j = right.index(False)
            kk = next(kk for kk, r in enumerate(results) if not _same(r[2][j], r[1][j], ex.atol, ex.rtol))
            g, x = results[kk][2][j], results[kk][1][j]
            diff = np.nanmax(np.abs(g.astype(np.float64) - x.astype(np.float64))) if g.size else 0.0
            where = where_it_differs(ex, results[kk][0], j, g, x)
            return Verdict(WRONG, f"Not yet: {_join(good)} {'is' if len(good) == 1 else 'are'} right but "
                                  f"{_join([f'`{b}`' for b in bad])} "
                                  f"{'differs' if len(bad) == 1 else 'differ'} from the reference (largest "
                                  f"difference {diff:.3g}{f' in `{bad[0]}`' if len(bad) > 1 else ''} on test "
                                  f"case {kk + 1}): look at the "
                                  f"line{'s' if len(bad) > 1 else ''} that compute{'s' if len(bad) == 1 else ''} "
                                  f"{_join(bad)}" + (f"; in `{bad[0]}`, {where}." if where else "."), "values",
                           details=[("located", f"`{bad[0]}`" + (f": {where}" if where else ""))])
    for i, (g, x) in enumerate(zip(got, expected)):
        if _same(g, x, ex.atol, ex.rtol):
            continue
        label = f"{_label(ex, i, n)} "
        if x.ndim == 0:
            inputs = f" (inputs {case})" if all(isinstance(a, (int, float, np.number)) for a in case) else ""
            where = _which_cases(ex, results, i)
            return Verdict(WRONG, f"Not yet: your answer {g.item():g} is off on test case {k + 1}"
                                  f"{inputs}" + (f"; {where}." if where else f". Hint: {ex.hint(0, fw)}"),
                           "values", details=[("located", where)] if where else [])
        diff = np.nanmax(np.abs(g.astype(np.float64) - x.astype(np.float64))) if g.size else 0.0
        where = where_it_differs(ex, case, i, g, x)
        if where:
            return Verdict(WRONG, f"Not yet: {label}has the right shape but differs from the reference on test "
                                  f"case {k + 1} (largest difference {diff:.3g}): {where}.", "values",
                           details=[("located", where)])
        return Verdict(WRONG, f"Not yet: {label}has the right shape but its values differ from "
                              f"the reference (largest difference {diff:.3g}) on test case {k + 1}. "
                              f"Hint: {ex.hint(0, fw)}", "values")
    return Verdict(WRONG, "Not yet: the values differ from the reference.", "values")


def _which_cases(ex: Exercise, results: list, i: int) -> str | None:
    """For a one-number output: which test cases it gets right and which wrong, when some are right."""
    right = [_same(r[2][i], r[1][i], ex.atol, ex.rtol) for r in results]
    if all(right) or not any(right):
        return None
    ok = [str(k + 1) for k, r in enumerate(right) if r]
    bad = [str(k + 1) for k, r in enumerate(right) if not r]
    return (f"it is right on test case{'s' if len(ok) > 1 else ''} {_join(ok)} but not on "
            f"{_join(bad)}: compare what differs between those cases")


TARGETED, LOCATED, GENERIC = "targeted", "located", "generic"
# Reasons that describe the answer's form (what was returned, which line raised): they say where.
_FORM_REASONS = {"shape", "arity", "type", "none", "exception", "not-callable", "half-precision", "complex",
                 "not-finite", "timeout", "exit"}


def hint_kind(verdict: Verdict) -> str:
    """How well a wrong verdict leads the learner: TARGETED (it names the mistake: a catalogued one or
    an input changed in place), LOCATED (it says where the answer goes wrong: which output, steps, rows,
    block or test cases, or the form of what was returned), or GENERIC ("the values differ" and the
    first progressive hint). Correct and not-attempted verdicts are "".
    """
    if verdict.status != WRONG:
        return ""
    if verdict.reason == "values":
        return LOCATED if any(d[0] == "located" for d in verdict.details if isinstance(d, tuple)) else GENERIC
    if verdict.reason in _FORM_REASONS:
        return LOCATED
    return TARGETED


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

