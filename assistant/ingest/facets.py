"""Facets derived from a case's own text at build time: the child's age band, the harm, the review model."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.records import Case, Record

AGE_BANDS: dict[str, str] = {
    "infant": "infant (under 1)",
    "1-4": "1 to 4 years",
    "5-11": "5 to 11 years",
    "12-17": "12 to 17 years",
}
HARM_TYPES: dict[str, str] = {
    "death": "death",
    "serious-injury": "serious injury",
    "sexual-abuse": "sexual abuse or exploitation",
    "neglect": "neglect",
    "suicide-self-harm": "suicide or self-harm",
}
REVIEW_MODELS: dict[str, tuple[str, re.Pattern[str]]] = {
    "silp": (
        "Significant Incident Learning Process (SILP)",
        re.compile(r"\bSILP\b|significant incident learning", re.I),
    ),
    "scie-learning-together": ("SCIE Learning Together", re.compile(r"\bSCIE\b|learning together", re.I)),
    "partnership-learning-review": ("Partnership Learning Review", re.compile(r"partnership learning review", re.I)),
    "systems": ("systems approach", re.compile(r"\bsystems?\b", re.I)),
}

_AGE_RE = re.compile(r"\b(\d{1,2})[\s-](year|month|week|day)s?[\s-]old\b", re.I)
_AGED_RE = re.compile(r"\baged\s+(\d{1,2})(?:\s*(?:-|–|to|and)\s*(\d{1,2}))?(?:\s+(day|week|month|year)s?)?\b", re.I)
_WORD_BANDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(infants?|baby|babies|new-?born|neonat\w*)\b", re.I), "infant"),
    (re.compile(r"\b(toddlers?|pre-?school\w*)\b", re.I), "1-4"),
    (
        re.compile(r"\b(adolescents?|teenage\w*|teens?|young (?:person|people|offenders?)|secondary school)\b", re.I),
        "12-17",
    ),
    (re.compile(r"\bprimary school (?:age|pupil|child)\w*", re.I), "5-11"),
)
_DEATH_RE = re.compile(r"\b(deaths?|died|dies|killed|killing|drown\w*|murder\w*|manslaughter|fatal\w*)\b", re.I)
_SUICIDE_RE = re.compile(
    r"\b(suicid\w*|self[- ]harm\w*|took (?:his|her|their) own life|hanging|ligature|overdose)\b", re.I
)
_ATTEMPT_RE = re.compile(r"\battempted suicide\b", re.I)
_INJURY_RE = re.compile(r"\b(injur\w*|fractur\w*|burns?|GBH|grievous bodily harm|physical harm)\b", re.I)
_SEXUAL_RE = re.compile(r"\b(sexual(?:ly)? (?:abuse\w*|exploit\w*|assault\w*)|groom\w*|CSE|CSA|rape\w*)\b", re.I)
_NEGLECT_RE = re.compile(r"\bneglect\w*\b", re.I)


@dataclass(frozen=True)
class Facets:
    """Derived facets of one record; empty for documents."""

    age_bands: tuple[str, ...] = ()
    harms: tuple[str, ...] = ()
    review_model: str = ""


def age_band(amount: int, unit: str) -> str | None:
    """The band of a child aged ``amount`` ``unit``s (None for adults)."""
    unit = unit.lower()
    months = {"day": amount / 30, "week": amount / 4.345, "month": amount, "year": amount * 12}[unit]
    years = months / 12
    if months < 12:
        return "infant"
    if years < 5:
        return "1-4"
    if years < 12:
        return "5-11"
    if years < 18:
        return "12-17"
    return None


def derive_age_bands(case: Case) -> tuple[str, ...]:
    """Age bands of the child or children the case is about, from its summary and keywords.

    Explicit ages ("7-week-old", "aged 12-16") win; otherwise words such as "infant" or
    "adolescent" in the summary or keywords decide; an unknown age gives no band.
    """
    bands: list[str] = []
    for match in _AGE_RE.finditer(case.summary):
        band = age_band(int(match[1]), match[2])
        if band and band not in bands:
            bands.append(band)
    for match in _AGED_RE.finditer(case.summary):  # "aged 6 months", "aged 12-16", "aged 3 and 9"
        for amount in (match[1], match[2]):
            band = age_band(int(amount), match[3] or "year") if amount else None
            if band and band not in bands:
                bands.append(band)
    if bands:
        return tuple(sorted(bands, key=list(AGE_BANDS).index))
    text = f"{case.summary} {'; '.join(case.keywords)}"
    found = {band for pattern, band in _WORD_BANDS if pattern.search(text)}
    return tuple(band for band in AGE_BANDS if band in found)


def derive_harms(case: Case) -> tuple[str, ...]:
    """Harm types from what happened (summary) and what the review named (key issues, keywords...)."""
    summary = case.summary
    named = " ".join([summary, case.key_issues, case.findings, case.learning, "; ".join(case.keywords)])
    harms = set()
    attempted_only = bool(_ATTEMPT_RE.search(summary)) and not _DEATH_RE.search(_ATTEMPT_RE.sub("", summary))
    died = bool(_DEATH_RE.search(summary)) or (bool(_SUICIDE_RE.search(summary)) and not attempted_only)
    if died:
        harms.add("death")
    elif _INJURY_RE.search(summary):
        harms.add("serious-injury")
    if _SEXUAL_RE.search(named):
        harms.add("sexual-abuse")
    if _NEGLECT_RE.search(named):
        harms.add("neglect")
    if _SUICIDE_RE.search(summary) or _SUICIDE_RE.search("; ".join(case.keywords)):
        harms.add("suicide-self-harm")
    return tuple(h for h in HARM_TYPES if h in harms)


def derive_review_model(case: Case) -> str:
    """The review model family named in the case's Model section ('' when none is named)."""
    for key, (_, pattern) in REVIEW_MODELS.items():
        if pattern.search(case.model):
            return key
    return "other" if case.model else ""


def derive_facets(record: Record) -> Facets:
    """All derived facets of a record."""
    if not isinstance(record, Case):
        return Facets()
    return Facets(derive_age_bands(record), derive_harms(record), derive_review_model(record))
