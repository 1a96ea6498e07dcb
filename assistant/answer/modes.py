"""The answer modes, one spec each: which questions get it, where its candidates come from, what composes it, and
whether a follow-up after it keeps it. Adding a mode means one ``AnswerMode`` member and one spec here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer.compose import Context, compose_cases, compose_learning
from assistant.records import Answer, AnswerMode

# The question kinds :func:`assistant.answer.question.interpret` reads, and the answer each one gets.
_BY_QUESTION = {
    "find": AnswerMode.CASES,
    "count": AnswerMode.COUNT,
    "overview": AnswerMode.OVERVIEW,
    "case-detail": AnswerMode.CASE_DETAIL,
}


@dataclass(frozen=True)
class ModeSpec:
    """One answer mode's rules."""

    mode: AnswerMode
    candidates: str  # where its cases come from: "search" (the best hits), "collection" (every record), "case", ""
    compose: Callable[[Context], Answer] | None  # the composer over a search's hits (None: composed elsewhere)
    kept_by_follow_up: bool  # "what about ...?" after this answer gets the same kind of answer


SPECS: dict[AnswerMode, ModeSpec] = {
    AnswerMode.CASES: ModeSpec(AnswerMode.CASES, "search", compose_cases, True),
    AnswerMode.LEARNING: ModeSpec(AnswerMode.LEARNING, "search", compose_learning, True),
    AnswerMode.CASE_DETAIL: ModeSpec(AnswerMode.CASE_DETAIL, "case", None, False),
    AnswerMode.COUNT: ModeSpec(AnswerMode.COUNT, "collection", None, False),
    AnswerMode.OVERVIEW: ModeSpec(AnswerMode.OVERVIEW, "collection", None, False),
    AnswerMode.NONE: ModeSpec(AnswerMode.NONE, "", None, False),
}


def mode_for(question_kind: str) -> AnswerMode:
    """The answer a question of this kind gets (role, theme and everyday questions get learning)."""
    return _BY_QUESTION.get(question_kind, AnswerMode.LEARNING)


def searched_mode(question_kind: str, previous: Answer | None, follows: bool) -> AnswerMode:
    """The mode of an answer composed from a search: a follow-up keeps the mode of the answer it follows
    (generated or not: generation is a flag, not a mode), otherwise the question's kind decides."""
    if follows and previous is not None and SPECS[previous.mode].kept_by_follow_up:
        return previous.mode
    mode = mode_for(question_kind)
    return mode if SPECS[mode].candidates == "search" else AnswerMode.LEARNING  # a count asked as a follow-up
