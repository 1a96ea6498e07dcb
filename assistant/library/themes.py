"""Themes across the corpus: how often each keyword occurs, and in which cases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.records import Case, Record
from assistant.search.vocabulary import stems


@dataclass(frozen=True)
class Theme:
    """A keyword theme: its most used wording, and the cases that name it."""

    name: str
    count: int
    case_ids: tuple[str, ...]


def theme_counts(records: Sequence[Record]) -> list[Theme]:
    """Keyword themes, most frequent first; word forms are merged ("infant death" and "infant deaths")."""
    forms: dict[tuple[str, ...], Counter[str]] = {}
    cases: dict[tuple[str, ...], list[str]] = {}
    for record in records:
        if not isinstance(record, Case):
            continue
        for keyword in record.keywords:
            key = stems(keyword) or (keyword.lower(),)
            forms.setdefault(key, Counter())[keyword.lower()] += 1
            if record.case_id not in cases.setdefault(key, []):
                cases[key].append(record.case_id)
    themes = [Theme(forms[key].most_common(1)[0][0], len(case_ids), tuple(case_ids)) for key, case_ids in cases.items()]
    return sorted(themes, key=lambda t: (-t.count, t.name))
