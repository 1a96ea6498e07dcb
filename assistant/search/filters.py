"""Search filters: year range, area, review model, keyword and the derived facets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields

from assistant.errors import FilterError
from assistant.ingest.facets import AGE_BANDS, HARM_TYPES, REVIEW_MODELS
from assistant.records import Chunk
from assistant.search.vocabulary import stems


@dataclass(frozen=True)
class Filters:
    """What a search is restricted to; ``None`` means no restriction."""

    year_from: int | None = None
    year_to: int | None = None
    area: str | None = None
    review_model: str | None = None
    keyword: str | None = None
    age_band: str | None = None
    harm: str | None = None

    @classmethod
    def from_strings(
        cls,
        year: str | None = None,
        area: str | None = None,
        review_model: str | None = None,
        keyword: str | None = None,
        age_band: str | None = None,
        harm: str | None = None,
    ) -> Filters:
        """Filters from user input: ``year`` is ``2015`` or a range ``2014-2016``."""
        year_from = year_to = None
        if year:
            match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", year)
            if not match:
                raise FilterError(f"year must be a year such as 2015 or a range such as 2014-2016, not {year!r}")
            year_from, year_to = int(match[1]), int(match[2] or match[1])
            if year_from > year_to:
                year_from, year_to = year_to, year_from
        return cls(year_from, year_to, area, review_model, keyword, age_band, harm)

    @property
    def active(self) -> bool:
        """True when any restriction is set."""
        return any(getattr(self, f.name) is not None for f in fields(self))

    def scope(self) -> str:
        """What the filters restrict to, as words ("from Croydon, published 2015"); empty when none are set."""
        parts = [f"from {self.area}"] if self.area else []
        if self.year_from is not None:
            to = self.year_to if self.year_to is not None else self.year_from
            parts.append(
                f"published {self.year_from}" if to == self.year_from else f"published {self.year_from}\u2013{to}"
            )
        if self.age_band:
            bands = [AGE_BANDS.get(b, b) for b in sorted(_bands(self.age_band))]
            parts.append("about a child aged " + " or ".join(bands))
        if self.harm:
            parts.append(f"about {HARM_TYPES.get(_norm(self.harm), self.harm)}")
        if self.review_model:
            model = REVIEW_MODELS.get(_norm(self.review_model))
            parts.append(f"using the {model[0] if model else self.review_model} model")
        if self.keyword:
            parts.append(f"with the keyword \u201c{self.keyword}\u201d")
        return ", ".join(parts)

    @property
    def cases_only(self) -> bool:
        """Filters other than year describe cases, so documents drop out."""
        return any(v is not None for v in (self.area, self.review_model, self.keyword, self.age_band, self.harm))


# Everyday words for the bands and harm types, accepted as filter values.
ALIASES = {
    "baby": "infant",
    "babies": "infant",
    "infants": "infant",
    "under-1": "infant",
    "0": "infant",
    "toddler": "1-4",
    "toddlers": "1-4",
    "pre-school": "1-4",
    "preschool": "1-4",
    "under-5": "1-4",
    "primary": "5-11",
    "primary-school": "5-11",
    "teenager": "12-17",
    "teenagers": "12-17",
    "adolescent": "12-17",
    "adolescents": "12-17",
    "teen": "12-17",
    "injury": "serious-injury",
    "injuries": "serious-injury",
    "sexual-exploitation": "sexual-abuse",
    "cse": "sexual-abuse",
    "csa": "sexual-abuse",
    "abuse": "sexual-abuse",
    "suicide": "suicide-self-harm",
    "self-harm": "suicide-self-harm",
    "deaths": "death",
}


def _norm(text: str) -> str:
    key = re.sub(r"[\s_–]+", "-", text.strip().lower())
    return ALIASES.get(key, key)


def _bands(value: str) -> set[str]:
    """Age bands named by a filter value; several may be given with commas ("5-11,12-17")."""
    return {_norm(part) for part in value.split(",") if part.strip()}


def _keyword_matches(value: str, keywords: Sequence[str]) -> bool:
    wanted = stems(value)
    n = len(wanted)
    for keyword in keywords:
        have = stems(keyword)
        if n and any(have[i : i + n] == wanted for i in range(len(have) - n + 1)):
            return True
    return False


def validate(filters: Filters, chunks: Sequence[Chunk]) -> None:
    """Raise FilterError for a value that no case in the index could match."""
    cases = [c for c in chunks if c.kind == "case"]
    checks = [
        ("age band", filters.age_band, sorted(AGE_BANDS), lambda v: all(b in AGE_BANDS for b in _bands(v))),
        ("harm type", filters.harm, sorted(HARM_TYPES), lambda v: _norm(v) in HARM_TYPES),
        (
            "review model",
            filters.review_model,
            sorted(REVIEW_MODELS) + ["other"],
            lambda v: _norm(v) in REVIEW_MODELS or _norm(v) == "other",
        ),
        (
            "area",
            filters.area,
            sorted({c.area for c in cases}),
            lambda v: any(c.area.lower() == v.strip().lower() for c in cases),
        ),
        (
            "keyword",
            filters.keyword,
            sorted({k.lower() for c in cases for k in c.keywords}),
            lambda v: any(_keyword_matches(v, c.keywords) for c in cases),
        ),
    ]
    for name, value, valid, ok in checks:
        if value is not None and not value.strip():
            raise FilterError(f"the {name} filter is empty; valid values: {', '.join(valid)}")
        if value is not None and not ok(value):
            raise FilterError(f"unknown {name} {value!r}; valid values: {', '.join(valid)}")
    if filters.year_from is not None:
        years = sorted({c.year for c in chunks if c.year is not None})
        if not any(filters.year_from <= y <= (filters.year_to or y) for y in years):
            wanted = (
                str(filters.year_from)
                if filters.year_from == filters.year_to
                else (f"{filters.year_from}-{filters.year_to}")
            )
            raise FilterError(f"no case from {wanted} in the index; years held: {', '.join(map(str, years))}")


def allows(filters: Filters, chunk: Chunk) -> bool:
    """True when ``chunk`` passes every filter."""
    if filters.cases_only and chunk.kind != "case":
        return False
    if filters.year_from is not None:
        if chunk.year is None or not filters.year_from <= chunk.year <= (filters.year_to or chunk.year):
            return False
    if filters.area is not None and chunk.area.lower() != filters.area.strip().lower():
        return False
    if filters.review_model is not None and chunk.review_model != _norm(filters.review_model):
        return False
    if filters.age_band is not None and not _bands(filters.age_band) & set(chunk.age_bands):
        return False
    if filters.harm is not None and _norm(filters.harm) not in chunk.harms:
        return False
    return filters.keyword is None or _keyword_matches(filters.keyword, chunk.keywords)
