"""Follow-up questions: resolve "the second case", "that review", "what about X" against history."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.records import Answer

ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "last": -1,
    "final": -1,
}
_ORDINAL_RE = re.compile(
    r"\b(?:the\s+)?(" + "|".join(ORDINALS) + r")\s+(?:case|review|one|example|report)\b"
    r"|\b(?:case|review|number|no\.?)\s*#?(\d)\b",
    re.I,
)
_THAT_RE = re.compile(
    r"\b(?:that|this|the same|the above|previous)\s+(?:case|review|one|child|family|report|baby)\b", re.I
)
# A short question whose subject is a pronoun: "what did they recommend?", "what did it find?".
_PRONOUN_RE = re.compile(
    r"\b(?:it|they|them|their|its|there|the review)\b.*\b(?:recommend\w*|learn\w*|find\w*|found|happen\w*|background"
    r"|issues?)\b"
    r"|\b(?:recommend\w*|learn\w*|find\w*|found|happen\w*)\b.*\b(?:it|they|them)\b",
    re.I,
)
MAX_PRONOUN_WORDS = 7
# "which one had ...", "were any of those ...", "just the ones where ...": narrow the last answer's cases.
_NARROW_RE = re.compile(
    r"\b(?:which (?:one|ones|of (?:them|those|these|the cases|the reviews))|any of (?:them|those|these|the cases)"
    r"|of (?:those|them)\b(?! (?:reviews|cases))|just the ones|only the ones|the ones (?:where|that|with|in which)"
    r"|(?:were|are|was|is|did|do|does|have|had|has) any (?:of )?(?:them|those|these|one)\b(?! (?:reviews|cases))"
    r"|^\s*(?:and )?any (?:where|that|in which|with|when)\b)",
    re.I,
)
# "what did that one say about the local authority's powers?": a topic asked of one review, not all of it
_SAY_ABOUT_RE = re.compile(
    r"\b(?:say|said|says|mention\w*|recommend\w*|find|found|learn\w*|suggest\w*|conclude\w*)\b.*?"
    r"\b(?:about|on|for|regarding|around|concerning)\s+(?!(?:it|that|this|them|the (?:case|review|child))\b)\w+",
    re.I,
)
_BECAUSE_RE = re.compile(
    r"\b(?:because of|after|as a result of|following|since) (?:it|that|this|the review|that review|this case)\b", re.I
)
_IT_SAY_RE = re.compile(
    r"\b(?:did|does|do) (?:it|that|this|they|the review) (?:actually |ever |even |really )?"
    r"(?:say|said|mention|talk|speak|cover|find|look at|consider|involve|ask|hear|think|feel|believe|conclude"
    r"|suggest|recommend|judge|decide|accept|agree|blame|criticise|criticize|praise)\b"
    # "did the government actually accept it", "was it acted on": what happened to the review itself
    r"|^(?!.*\bhow (?:many|often)\b)\s*(?:and |so )?(?:did|does|has|have|had) (?:it|they|the (?:government|council|"
    r"department|minister|secretary of state|partnership|lscb|board))(?: \w+){0,2}? (?:accept|implement|act on|adopt"
    r"|respond to|follow up|take up|publish)(?:ed)? (?:it|them|that|this|its|their|the (?:review|report|"
    r"recommendations?))\b(?! (?:of|from|on|about) (?!it\b|that\b|this\b))"
    r"|\b(?:was|were) (?:it|they|that|this|its recommendations|the recommendations) (?:ever |actually |really )?"
    r"(?:accepted|implemented|acted on|adopted|followed up|published)\b",
    re.I,
)
# After an answer about one review, a short question about the people in it: "was mum charged as well or just the
# partner?", "how old was he?", "what happened to the baby's father?" (it asks about that review)
_ABOUT_THEM_RE = re.compile(
    r"^\s*(?:and |so |ok,? )?(?!\w+ there\b)(?!.*\b(?:reviews|cases|a|any|another|other|more) (?:reviews?|cases?)\b)"
    r"(?!.*\b(?:reviews|cases|common|often|usually|generally|typically|most"
    r"|a (?:mum|mother|dad|father|parent|baby|child))\b)"
    r"(?:was|were|did|had|has|is|are|how old|how did|what did|what happened to|who|why (?:was|were|did))\b"
    r".*\b(?:mum|mother|dad|father|partner|boyfriend|stepfather|step-dad|parents?|he|she|him|her|his"
    r"|the (?:baby|child|boy|girl|family|siblings?|carer|grandparents?))\b",
    re.I,
)
MAX_ABOUT_THEM_WORDS = 12
# After an answer about one review, a question for a figure in it: "how many cases did it look at?", "and how many
# of those children were on plans?" (not "how many other reviews ...", a count of the collection)
FIGURES_RE = re.compile(
    r"\bhow (?:many|much)\b|\bwhat (?:proportion|percentage|share|fraction|number)\b|\bnumber of\b|\bper ?cent", re.I
)
_ANAPHOR_RE = re.compile(
    r"\b(?:it|its|they|them|those|these|he|she|his|her|him|that (?:report|review|study)|the (?:report|review|study"
    r"|panel))\b",
    re.I,
)
_COLLECTION_RE = re.compile(
    r"\b(?:other|another|similar|like (?:it|this|that|him|her|them)|in (?:the|this|your) collection|altogether"
    r"|in total)\b",
    re.I,
)


def asks_figure_in(question: str) -> bool:
    """True for a question asking a figure of a review already named ("how many cases did it look at?")."""
    return bool(FIGURES_RE.search(question)) and not _COLLECTION_RE.search(question)


# A question that starts by asking for cases or learning has a subject of its own: it is a new question.
_NEW_QUESTION_RE = re.compile(
    r"^\s*(?:(?:are|is)\s+there|show\s+me|find|give\s+me|list|any)\b"
    r"|^\s*(?:cases?|examples?|reviews?|lessons?)\b",
    re.I,
)
_MORE_RE = re.compile(r"^\s*(?:what|how)\s+about\s+(?P<rest>.+)|^\s*and\s+(?:for\s+|with\s+)?(?P<rest2>.+)", re.I)
_FRAMING_RE = re.compile(
    r"^\s*(?:(?:are there|show me|find|give me|list)\s+(?:any\s+)?)?"
    r"(?:cases?|examples?|reviews?)\s+(?:involving|about|of|on|with|where|in which|that involve)\s+",
    re.I,
)

SECTION_WORDS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"recommend", re.I), ("Recommendations",)),
    (re.compile(r"\blearn|lesson", re.I), ("Learning", "Findings")),
    (re.compile(r"\bfind", re.I), ("Findings", "Key issues")),
    (re.compile(r"\bissues?\b|went wrong|problems?", re.I), ("Key issues", "Findings")),
    (re.compile(r"happen|background|history|family", re.I), ("Summary", "Background")),
    (re.compile(r"\bmodel\b|method", re.I), ("Model",)),
)


AGE_ORDER = ("infant", "1-4", "5-11", "12-17")
AGE_WORDS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(r"\b(?:under|below|less than)[- ](?:1|one|a year|12 months)(?: years?(?: old)?)?\b", re.I),
        ("infant",),
    ),
    (
        re.compile(
            r"\b(?:under|below|less than)[- ](?:2|two|3|three|4|four|5|five|fives)(?:s| years?(?: old)?)?\b", re.I
        ),
        ("infant", "1-4"),
    ),
    (
        re.compile(r"\b(?:under|below|less than)[- ](?:1[0-2]|6|7|8|9|six|seven|eight|nine|ten|eleven|twelve)\b", re.I),
        ("infant", "1-4", "5-11"),
    ),
    (
        re.compile(r"\b(?:over|older than|aged over)[- ](?:1[1-7]|eleven|twelve|thirteen)\b|\bsecondary school", re.I),
        ("12-17",),
    ),
    (re.compile(r"\b(?:older (?:children|child|kids|siblings)|school[- ]age)", re.I), ("5-11", "12-17")),
    (re.compile(r"\b(?:teen\w*|adolescen\w*|young (?:people|person)|older teens?)\b", re.I), ("12-17",)),
    (re.compile(r"\b(?:bab(?:y|ies)|infants?|new-?borns?)\b", re.I), ("infant",)),
    (
        re.compile(r"\b(?:younger (?:children|child|kids)|toddlers?|under[- ]fives?|pre-?school\w*)", re.I),
        ("infant", "1-4"),
    ),
    (re.compile(r"\bprimary[- ]school\b", re.I), ("5-11",)),
)


def age_bands_named(text: str) -> tuple[str, ...]:
    """The age bands a question or a follow-up such as "what about older children?" narrows to; every age it
    names counts ("babies or toddlers": under 1 and 1 to 4), in the bands' order."""
    if _ANY_CHILD_RE.search(text):  # "a baby or child", "babies or children": any age, so no narrowing
        return ()
    named = {band for pattern, bands in AGE_WORDS if pattern.search(text) for band in bands}
    return tuple(band for band in AGE_ORDER if band in named)


_ANY_CHILD_RE = re.compile(
    r"\b(?:bab(?:y|ies)|infants?|toddlers?|teen(?:ager)?s?|young people)\s+(?:or|and|/)\s+(?:an?y? )?(?:older )?"
    r"(?:child|children|kids?)\b(?!\s+(?:aged|under|over))"
    r"|\b(?:child|children|kids?)\s+(?:or|and|/)\s+(?:an? )?(?:bab(?:y|ies)|infants?)\b",
    re.I,
)


@dataclass(frozen=True)
class Resolved:
    """A question made to stand on its own."""

    query: str
    mode: str | None = None  # "case-detail": about one case already cited; "out-of-range": no such case
    case_id: str | None = None
    sections: tuple[str, ...] = ()  # sections asked for, for a case-detail question
    follows: bool = False  # True when the history was used
    age_bands: tuple[str, ...] = ()  # a follow-up's narrowing to some ages
    subject: str = ""  # the topic carried over from earlier in the conversation
    within: tuple[str, ...] = ()  # a "which of those ..." follow-up: the earlier cases it narrows


def topic(question: str) -> str:
    """A question without its case-finding framing ("cases involving X" -> "X")."""
    return _FRAMING_RE.sub("", question).strip(" ?.!") or question.strip(" ?.!")


def asked_sections(question: str) -> tuple[str, ...]:
    """The case sections a question asks about (empty: the whole case)."""
    for pattern, sections in SECTION_WORDS:
        if pattern.search(question):
            return sections
    return ()


def resolve(question: str, history: Sequence[Answer] | None) -> Resolved:
    """Resolve a follow-up against the last answer that cited cases; a new question stays as it is."""
    previous = next((a for a in reversed(history or ()) if a.cases), None)
    if previous is None:
        return Resolved(question)
    one = previous.cases[:1]
    if len(previous.cases) == 1 and asks_figure_in(question) and _ANAPHOR_RE.search(question):
        return Resolved(question, "narrow", None, (), True, within=one)  # "how many cases did it look at?"
    if _NARROW_RE.search(question):
        return Resolved(question, "narrow", None, (), True, age_bands_named(question), within=previous.cases)
    if _NEW_QUESTION_RE.search(question):
        return Resolved(question)
    match = _ORDINAL_RE.search(question)
    if match:
        index = ORDINALS[match[1].lower()] if match[1] else int(match[2]) - 1
        cases = previous.cases
        if -len(cases) <= index < len(cases):
            if _SAY_ABOUT_RE.search(question):  # "what did the second one say about schools?": that review on it
                return Resolved(question, "narrow", None, (), True, within=(cases[index],))
            return Resolved(question, "case-detail", cases[index], asked_sections(question), True)
        return Resolved(question, "out-of-range", None, (), True)
    short = len(question.split()) <= MAX_PRONOUN_WORDS
    if _THAT_RE.search(question) and _SAY_ABOUT_RE.search(question):  # "what did that one say about X?"
        return Resolved(question, "narrow", None, (), True, within=previous.cases[:1])
    if _THAT_RE.search(question) or (short and _PRONOUN_RE.search(question)):
        return Resolved(question, "case-detail", previous.cases[0], asked_sections(question), True)
    about_them = len(previous.cases) == 1 and len(question.split()) <= MAX_ABOUT_THEM_WORDS
    if about_them and _ABOUT_THEM_RE.search(question):  # "was mum charged as well?": about the one review shown
        return Resolved(question, "narrow", None, (), True, within=previous.cases[:1])
    if _IT_SAY_RE.search(question):  # "did it say anything about ...", "what did it say school staff should do"
        return Resolved(question, "narrow", None, (), True, within=previous.cases[:1])
    if _BECAUSE_RE.search(question):  # "what did cafcass change because of it?": the case last answered about
        return Resolved(question, "narrow", None, (), True, within=previous.cases[:1])
    more = _MORE_RE.match(question)
    if more:
        rest = (more["rest"] or more["rest2"] or "").strip(" ?.!")
        subject = previous.topic or topic(previous.query or previous.question)
        return Resolved(f"{rest} {subject}".strip(), None, None, (), True, age_bands_named(rest), subject)
    return Resolved(question)
