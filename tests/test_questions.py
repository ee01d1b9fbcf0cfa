"""The conceptual questions: each chapter shows exactly the options its check judges, and the hints of a question
never name its answer."""

import re
from pathlib import Path

import jupytext
import pytest

from gammanet.exercises import chapter5, chapter6, chapter7, registry
from gammanet.exercises.questions import Choice, Number

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = {
    f"{m.__name__[-1]}.{name[4:]}": q
    for m in (chapter5, chapter6, chapter7)
    for name, q in vars(m).items()
    if re.fullmatch(r"Q_\d+_\d+", name)
}


def chapter_markdown(chapter: int) -> str:
    path = next((ROOT / "notebooks").glob(f"{chapter:02d}_*.py"))
    return "\n".join(c.source for c in jupytext.read(path, fmt="py:percent").cells if c.cell_type == "markdown")


def test_every_question_is_registered():
    assert sorted(QUESTIONS) == ["5.4", "5.5", "5.6", "6.4", "6.5", "6.6", "7.5", "7.6", "7.7"]
    for id in QUESTIONS:
        assert registry.get(id).functions == (f"q_{id.replace('.', '_')}",)


@pytest.mark.parametrize("id", sorted(QUESTIONS))
def test_the_chapter_shows_the_options_the_check_judges(id):
    question, text = QUESTIONS[id], chapter_markdown(int(id.split(".")[0]))
    assert f":label: ex-{id.replace('.', '-')}" in text
    if isinstance(question, Choice):
        for letter, option in question.options.items():
            assert f"- ({letter}) {option}" in text, (id, letter)


@pytest.mark.parametrize("id", sorted(QUESTIONS))
def test_hints_never_name_the_answer(id):
    question = QUESTIONS[id]
    if isinstance(question, Choice):
        hints = [h for h in question.hints.values()]
        said = " ".join(h.nudge + " " + h.more for h in hints)
        assert f"({question.answer})" not in said and question.options[question.answer] not in said
    else:
        assert isinstance(question, Number)
        said = " ".join(h.nudge + " " + h.more for _, h in question.slips) + question.other.nudge
        assert f"{question.answer:g}" not in re.findall(r"[0-9.]+", said)


def test_a_bad_question_is_refused():
    with pytest.raises(ValueError, match="every other option needs a hint"):
        Choice("t", {"a": "x", "b": "y"}, "a", {})
