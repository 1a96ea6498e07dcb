"""Count, overview and trend answers from the whole collection: a stated criterion, never top-k retrieval.

A case counts for a theme when the theme's wording (``taxonomy.json``) appears in its keywords, summary or
key issues; facets (age band, harm, review model, year, area) come from the case's own text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from assistant.answer.conversation import AGE_WORDS
from assistant.answer.present import escape_markdown
from assistant.answer.question import LONDON_BOROUGHS, Interpretation
from assistant.indexing.chunk import MONTH_NAMES
from assistant.ingest.facets import HARM_TYPES, REVIEW_MODELS, derive_facets
from assistant.records import Answer, AnswerMode, Case, Citation, Record
from assistant.search.vocabulary import expansions, matched_terms, stems

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.json")
COUNTED_FIELDS = (
    ("summary", "Summary"),
    ("background", "Background"),
    ("key_issues", "Key issues"),
    ("keywords", "Keywords"),
)
WHERE_COUNTED = "summary, background, key issues or keywords"
# a word or term asked about literally ("how many mention cafcass"): anywhere in the review's text
EVERY_FIELD = (
    *COUNTED_FIELDS,
    ("findings", "Findings"),
    ("learning", "Learning"),
    ("recommendations", "Recommendations"),
)
WHERE_MENTIONED = "text (summary, background, key issues, findings, learning, recommendations or keywords)"
TOP_THEMES = 5
TOP_AREAS = 10
ROW_THEMES = 3  # the main themes shown for each row of a breakdown, when asked
AGE_PHRASES = {
    "infant": "a baby under 1",
    "1-4": "a child aged 1 to 4",
    "5-11": "a child aged 5 to 11",
    "12-17": "a teenager",
}
AGE_RANGES = {
    "infant": "a baby under 1",
    "1-4": "a child aged 1 to 4",
    "5-11": "a child aged 5 to 11",
    "12-17": "a child aged 12 to 17",
}
AGE_ROWS = {"infant": "under 1", "1-4": "1-4", "5-11": "5-11", "12-17": "12-17"}
_DEATH_WORDS = re.compile(r"\b(?:died|dies|death|deaths|dead|fatal\w*|killed|fatalit\w*)\b", re.I)
_INJURY_WORDS = re.compile(r"\b(?:serious(?:ly)? (?:injur\w*|harm\w*)|injured|injuries)\b", re.I)
_TOPIC_STOP = frozenset(stems("the and with about were was had has have who that which their them they when where"))
_AGE_NOUNS = re.compile(r"\b(?:teen\w*|child(?:ren)?|kids?|bab(?:y|ies)|infants?|young (?:people|person))\b", re.I)
_NATIONAL_AREA = re.compile(
    r"^(?:national\b|england$|wales$|scotland$|northern ireland$|uk$|united kingdom$|england and wales$)", re.I
)
# how a child died, for "how did the babies die": each row and the taxonomy themes that name it in the summary or
# background (a review naming two is counted in both rows)
CAUSES = {
    "while sharing a bed or sleeping unsafely": ("unsafe-sleep",),
    "sudden unexpected or unexplained death (SIDS, SUDI)": ("sudi",),
    "injuries inflicted, assault or homicide": ("homicide", "physical-abuse", "head-injury", "fractures"),
    "drowning": ("drowning",),
    "suicide": ("suicide-self-harm",),
    "stabbing, knife crime or youth violence": ("youth-violence",),
}
SEX_ROWS = ("boys", "girls", "sex not stated")
_SEX_WORDS = re.compile(
    r"\b(?:(boys?|sons?|males?|young m[ae]n|lads?)|girls?|daughters?|females?|young wom[ae]n)\b"
    r"(?! (?:partners?|carers?|friends?|adults?|relatives?|lodgers?|visitors?))",  # "her male partner": not the child
    re.I,
)
SCOPE_ROWS = ("local case reviews", "national reviews and reports")
NO_CAUSE = "how the child died is not named in the summary, background or keywords"
_GENERIC = frozenset(stems("child children kid kids young people person family families parent parents baby babies"))


@dataclass(frozen=True)
class TaxonomyTheme:
    """One normalised theme: a key, how answers name it, the wording that names it in text (its own and any
    narrower theme's it includes), the wording that asks for it, and the qualifiers a question can add to it."""

    key: str
    label: str
    pattern: re.Pattern[str]
    asked: re.Pattern[str]
    qualified_by: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()  # the narrower themes it counts too (drug misuse, alcohol misuse)
    within: str = ""  # the broader theme that includes this one, if any
    head: re.Pattern[str] | None = None  # its first wording, the theme itself ("domestic abuse", not "MARAC")


@dataclass(frozen=True)
class Qualifier:
    """Whose a theme is or what was done ("parents on drugs", "boyfriend hurt the child"): how a question says
    so, and how a sentence naming the theme must say so too."""

    label: str
    suffix: str
    asked: re.Pattern[str]
    sentence: re.Pattern[str]


def _alternatives(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?<![\\w])(?:{p})" for p in patterns), re.I)


@cache
def load_taxonomy(path: Path = TAXONOMY_FILE) -> tuple[TaxonomyTheme, ...]:
    """The reviewed theme taxonomy."""
    data = json.loads(path.read_text(encoding="utf-8"))["themes"]

    def wording(key: str) -> list[str]:
        spec = data[key]
        return [*spec["patterns"], *(p for inner in spec.get("includes", ()) for p in wording(inner))]

    within = {inner: key for key, spec in data.items() for inner in spec.get("includes", ())}
    return tuple(
        TaxonomyTheme(
            key,
            spec["label"],
            _alternatives(wording(key)),
            _alternatives(spec["patterns"]),
            tuple(spec.get("qualified_by", ())),
            tuple(spec.get("includes", ())),
            within.get(key, ""),
            _alternatives(spec["patterns"][:1]),
        )
        for key, spec in data.items()
    )


@cache
def load_qualifiers(path: Path = TAXONOMY_FILE) -> dict[str, Qualifier]:
    """The taxonomy's qualifiers (``"adult"``: a parent, carer or other adult in the home; ``"harm-done"``)."""
    data = json.loads(path.read_text(encoding="utf-8")).get("_qualifiers", {})
    return {
        key: Qualifier(spec["label"], spec["suffix"], _alternatives(spec["asked"]), _alternatives(spec["sentence"]))
        for key, spec in data.items()
    }


def themes_named(text: str, collapse: bool = True) -> list[TaxonomyTheme]:
    """The taxonomy themes a question's topic asks for: a narrower theme asked for is not also its broader one
    ("drinking": alcohol misuse), and every narrower theme of one broader theme asked for is the broader one
    ("drugs or drinking": substance misuse, which also counts "substance misuse")."""
    named = [t for t in load_taxonomy() if t.asked.search(text)]
    if not collapse:  # "which is more common, drugs or alcohol": the narrower themes are what is compared
        return named
    keys = {t.key for t in named}
    whole = {t.key for t in load_taxonomy() if len(t.includes) > 1 and set(t.includes) <= keys}
    wider = [t for t in load_taxonomy() if t.key in whole and t.key not in keys]
    kept = [t for t in named if t.within not in whole]
    return sorted([*kept, *wider], key=lambda t: _theme_order()[t.key])


@cache
def _theme_order() -> dict[str, int]:
    return {t.key: i for i, t in enumerate(load_taxonomy())}


def themes_in(text: str) -> list[TaxonomyTheme]:
    """The taxonomy themes a text names, counting a narrower theme's wording for the broader theme too."""
    return [t for t in load_taxonomy() if t.pattern.search(text)]


@dataclass(frozen=True)
class Match:
    """Where a case names what is counted: the section and the verbatim stretch."""

    section: str
    quote: str


@dataclass(frozen=True)
class Tally:
    """A count with its criterion, every case counted, and the breakdown asked for."""

    count: int
    total: int
    criterion: str
    matching: tuple[str, ...]
    evidence: dict[str, Match]
    breakdown: dict[str, int] | None = None
    breakdown_of: str | None = None  # "year", "age", "theme" or "model"
    per_year_total: dict[str, int] | None = None
    topic_label: str = ""
    whole: bool = False  # counted every local review (no topic, no facet)
    national: bool = False  # the national reviews and reports were counted, not the local ones
    national_matching: tuple[str, ...] = ()  # national reviews about the place asked for, listed apart
    row_themes: dict[str, list[tuple[str, int]]] | None = None  # each breakdown row's main themes, when asked


def _field_text(case: Case, name: str) -> str:
    value = getattr(case, name)
    return "; ".join(value) if isinstance(value, tuple) else value


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or keyword) of ``text`` holding ``start:end``, verbatim."""
    found = ((text.rfind(sep, 0, start + 1), sep) for sep in (". ", "; ", "\n"))
    left = max((i + len(sep) for i, sep in found if i != -1), default=0)
    right_candidates = [i for i in (text.find(sep, max(end - 1, left)) for sep in (". ", "; ", "\n")) if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left:right].strip().rstrip(".")


def find_in_case(case: Case, pattern: TextPattern, fields: Sequence[tuple[str, str]] = COUNTED_FIELDS) -> Match | None:
    """The first place in the counted fields (or ``fields``) where ``pattern`` names the theme."""
    for name, label in fields:
        text = _field_text(case, name)
        match = pattern.search(text)
        if match:
            return Match(label, _sentence_around(text, match.start(), match.end()))
    return None


@dataclass(frozen=True)
class _Span:
    begin: int
    finish: int

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish


@dataclass(frozen=True)
class WordsPattern:
    """A topic outside the taxonomy: every content word's stem in one sentence, or a reviewed synonym."""

    word_stems: tuple[str, ...]
    synonyms: re.Pattern[str] | None

    def search(self, text: str) -> _Span | None:
        """The first sentence of ``text`` that holds every stem (or a synonym), like ``re.search``."""
        if self.synonyms is not None:
            match = self.synonyms.search(text)
            if match:
                return _Span(match.start(), match.end())
        for sentence in re.finditer(r"[^.;\n]+", text):
            sentence_stems = set(stems(sentence.group(0)))
            if all(s in sentence_stems for s in self.word_stems):
                return _Span(sentence.start(), sentence.end())
        return None


@dataclass(frozen=True)
class SentencePattern:
    """A theme named in the same sentence as its qualifier (a parent's drinking, not a teenager's)."""

    theme: re.Pattern[str]
    who: re.Pattern[str]

    def search(self, text: str) -> _Span | None:
        """The first sentence of ``text`` naming both, like ``re.search``."""
        for sentence in re.finditer(r"[^.;\n]+", text):
            found = self.theme.search(sentence.group(0))
            if found and self.who.search(sentence.group(0)):
                return _Span(sentence.start() + found.start(), sentence.start() + found.end())
        return None


TextPattern = re.Pattern[str] | WordsPattern | SentencePattern  # what a case's counted fields are searched with


def _qualified_themes(topic: str, themes: list[TaxonomyTheme]) -> tuple[list[TaxonomyTheme], Qualifier | None]:
    """The themes a topic asks for once the words of a qualifier are read as qualifying them ("parents on drugs":
    substance misuse by a parent or carer, not the fathers theme too), when every theme left takes that qualifier."""
    for key, qualifier in load_qualifiers().items():
        if not any(key in t.qualified_by for t in themes) or not qualifier.asked.search(topic):
            continue
        rest = themes_named(qualifier.asked.sub(" ", topic))
        if rest and all(key in t.qualified_by for t in rest):
            return rest, qualifier
    return themes, None


def _words_pattern(topic: str) -> WordsPattern | None:
    word_stems = tuple(s for s in stems(topic) if s not in _GENERIC and len(s) > 2)
    word_stems = tuple(s for s in word_stems if s not in _TOPIC_STOP)
    if not word_stems:
        return None
    synonyms = [re.escape(t) for t in expansions(topic)]
    return WordsPattern(word_stems, re.compile("|".join(rf"\b{t}\b" for t in synonyms), re.I) if synonyms else None)


def _one_group(topic: str) -> tuple[str, ...] | None:
    """The reviewed synonym group a topic is wholly made of ("CAF common assessment framework"), when no taxonomy
    theme is itself one of the group's terms ("domestic violence": the domestic abuse theme, which merges more
    wordings, counts instead); a group naming one narrower thing a theme also counts ("MARAC" within domestic abuse,
    "home education" within attendance) is counted as itself."""
    groups = matched_terms(topic)
    if len(groups) != 1:
        return None
    group = groups[0][0]
    covered = set(stems(" ".join(group)))
    rest = [s for s in stems(topic) if s not in covered and s not in _TOPIC_STOP and len(s) > 2]
    if rest or any(t.head is not None and t.head.fullmatch(term) for t in load_taxonomy() for term in group):
        return None
    return group


def _strip_facet_words(topic: str) -> str:
    for pattern, _ in AGE_WORDS:
        topic = pattern.sub(" ", topic)
    topic = _AGE_NOUNS.sub(" ", topic)
    return " ".join(topic.split())


def _facet_filter(interp: Interpretation, case: Case) -> bool:
    facets = derive_facets(case)
    if interp.age_bands and not set(interp.age_bands) & set(facets.age_bands):
        return False
    if interp.year_from is not None and case.year < interp.year_from:
        return False
    if interp.year_to is not None and case.year > interp.year_to:
        return False
    if interp.areas and case.area.lower() not in {a.lower() for a in interp.areas}:
        return False
    if interp.place and not names_place(case, interp.place):
        return False
    return not (interp.review_model and facets.review_model != interp.review_model)


def _criterion_for_facets(interp: Interpretation) -> list[str]:
    parts = []
    if interp.exact_age and interp.age_bands:  # the facets hold bands, not exact ages: say so
        band = interp.age_bands[0]
        parts.append(f"are about {AGE_RANGES[band]} (the reviews' age bands; {interp.exact_age} falls in it)")
    elif interp.age_bands:
        parts.append("are about " + " or ".join(AGE_PHRASES[b] for b in interp.age_bands))
    if interp.review_model:
        parts.append(f"used the {REVIEW_MODELS[interp.review_model][0]} model")
    if interp.areas:
        anonymous = "name no local area (their Area is \u201cAnonymous\u201d)"
        parts.append(anonymous if interp.areas_text.lower() == "anonymous" else f"are from {interp.areas_text}")
    if interp.place:
        parts.append(
            "are from a London borough or name London in their area, title or keywords"
            if interp.place == "London"
            else f"have {interp.place} in their area, title or keywords"
        )
    if interp.year_from is not None or interp.year_to is not None:
        low, high = interp.year_from, interp.year_to
        parts.append(
            f"were published in {low}"
            if low == high
            else f"were published {low}\u2013{high}"
            if low and high
            else f"were published in {low} or later"
            if low
            else f"were published in {high} or earlier"
        )
    return parts


def names_place(case: Case, place: str) -> bool:
    """True when the review's area, title or keywords name ``place`` ("Mid and West Wales"; keyword "Wales"); for
    London, also when its area is a London borough ("Croydon", "City and Hackney")."""
    names = [place, *(LONDON_BOROUGHS if place == "London" else ())]
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])", re.I)
    return any(pattern.search(text) for text in (case.area, case.title, *case.keywords))


def is_national(case: Case) -> bool:
    """True for a national review or report (many children, not one case): not counted with local reviews."""
    return _NATIONAL_AREA.match(case.area.strip()) is not None


def tally(records: Sequence[Record], interp: Interpretation) -> Tally:
    """Count the local case reviews that meet the question's criterion, with the breakdown it asks for."""
    every = [r for r in records if isinstance(r, Case)]
    cases = every if interp.both_scopes else [c for c in every if is_national(c) == interp.national]
    national = 0 if interp.national or interp.both_scopes else len(every) - len(cases)
    base = [c for c in cases if _facet_filter(interp, c)]
    topic = _strip_facet_words(interp.topic) if interp.age_bands else interp.topic
    group = _one_group(topic) if topic else None
    themes = themes_named(topic, collapse=not interp.compare) if topic and group is None else []
    if interp.compare and len(themes) > 1:  # "which comes up most: X, Y or Z": each theme named is a row
        return _compare(cases, base, themes, topic, interp, national)
    if interp.compare:  # fewer than two of the things compared are themes: a count, not a table of other themes
        interp = replace(interp, breakdown=None)
    themes, qualifier = _qualified_themes(topic, themes) if themes else (themes, None)
    harm = "death" if topic and _DEATH_WORDS.search(topic) else "serious-injury" if _INJURY_WORDS.search(topic) else ""
    harm = "death" if interp.breakdown == "cause" else harm  # "how did the babies die": the deaths, by cause
    evidence: dict[str, Match] = {}
    facet_parts = _criterion_for_facets(interp)
    if themes:
        pattern = re.compile("|".join(t.pattern.pattern for t in themes), re.I)
        label = " or ".join(t.label for t in themes)
        criterion = f"name {label} in their {WHERE_COUNTED}"
        if qualifier is not None:  # "parents on drugs": the sentence naming it names an adult in the home too
            pattern = SentencePattern(pattern, qualifier.sentence)
            label += f" {qualifier.suffix}"
            criterion += f", in a sentence that also names {qualifier.label}"
        if harm:  # "children who died from neglect": the theme and the harm
            outcome = "died" if harm == "death" else "was seriously injured"
            criterion += f" and say in their summary that the child {outcome}"
            base = [c for c in base if harm in derive_facets(c).harms]
    elif harm:
        pattern = None
        label = {"death": "the child died", "serious-injury": "the child was seriously injured"}[harm]
        criterion = f"say in their summary that {label}"
    elif group is not None:  # "the CAF (common assessment framework)": that term and its reviewed synonyms
        pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(t)}(?![\w-])" for t in group), re.I)
        label = group[0]
        named = " or ".join(f"\u201c{t}\u201d" for t in group)
        criterion = f"mention {named} anywhere in their {WHERE_MENTIONED}"
    else:
        pattern = _words_pattern(topic) if topic else None
        label = topic
        criterion = f"mention \u201c{topic}\u201d anywhere in their {WHERE_MENTIONED}" if pattern else ""
    literal = not themes and not harm and pattern is not None  # words asked about: wherever the review says them
    fields = EVERY_FIELD if literal else COUNTED_FIELDS
    # words the counter cannot read (another script): count nothing rather than everything
    unreadable = not stems(topic) and bool(re.search(r"[^\W\d_]", topic))
    uncountable = bool(topic) and pattern is None and not harm and unreadable
    matching = [] if uncountable else _matching(base, pattern, harm if not themes else "", evidence, fields)
    national_matching: list[str] = []
    if interp.place and not interp.national and not uncountable:  # national reviews about the place, apart
        about = [c for c in every if is_national(c) and _facet_filter(interp, c)]
        national_matching = _matching(about, pattern, harm if not themes else "", evidence, fields)
    criterion = " and ".join([p for p in [criterion, *facet_parts] if p]) or "are in the collection"
    if interp.national:
        criterion += " (national reviews and reports only: local case reviews are not counted)"
    elif national:
        criterion += f" (local case reviews only: the {national} national reviews and reports are not counted)"
    by_id = {c.case_id: c for c in cases}
    # a year's total is every review of that year in scope: the ages asked about are what is counted, not the scope
    scope = [c for c in cases if _facet_filter(replace(interp, age_bands=(), exact_age=""), c)]
    breakdown, per_year_total = _breakdown(interp.breakdown, [by_id[i] for i in matching], scope, themes)
    breakdown_of = interp.breakdown
    if interp.both_scopes and breakdown is None:  # "split local vs national": the two kinds are the rows
        local = sum(1 for i in matching if not is_national(by_id[i]))
        breakdown, breakdown_of = {SCOPE_ROWS[0]: local, SCOPE_ROWS[1]: len(matching) - local}, "scope"
    row_themes = _row_themes(interp.breakdown, [by_id[i] for i in matching], themes) if interp.row_themes else None
    return Tally(
        count=len(matching),
        total=len(cases),
        criterion=criterion,
        matching=tuple(matching),
        evidence=evidence,
        breakdown=breakdown,
        breakdown_of=breakdown_of,
        per_year_total=per_year_total,
        topic_label=label,
        whole=pattern is None and not harm and not facet_parts and not uncountable,
        national=interp.national,
        national_matching=tuple(national_matching),
        row_themes=row_themes,
    )


def _compare(
    cases: Sequence[Case],
    base: Sequence[Case],
    themes: Sequence[TaxonomyTheme],
    topic: str,
    interp: Interpretation,
    national: int,
) -> Tally:
    """The themes a question names, counted each over the same reviews and ranked, most first; every review naming
    one of them is listed. A theme the question qualifies ("parents' drinking") counts only where it is."""
    evidence: dict[str, Match] = {}
    rows: dict[str, int] = {}
    matched: set[str] = set()
    for theme in themes:
        pattern: TextPattern = theme.pattern
        label = theme.label
        for key, qualifier in load_qualifiers().items():
            if key in theme.qualified_by and qualifier.asked.search(topic):
                pattern, label = SentencePattern(theme.pattern, qualifier.sentence), f"{label} {qualifier.suffix}"
                break
        found = _matching(base, pattern, "", evidence)
        rows[label] = len(found)
        matched.update(found)
    order = {label: i for i, label in enumerate(rows)}
    breakdown = dict(sorted(rows.items(), key=lambda kv: (-kv[1], order[kv[0]])))
    matching = tuple(c.case_id for c in base if c.case_id in matched)
    named = "; ".join(breakdown)
    criterion = " and ".join(
        [f"name at least one of these in their {WHERE_COUNTED}: {named}", *_criterion_for_facets(interp)]
    )
    if interp.national:
        criterion += " (national reviews and reports only: local case reviews are not counted)"
    elif national:
        criterion += f" (local case reviews only: the {national} national reviews and reports are not counted)"
    return Tally(
        count=len(matching),
        total=len(cases),
        criterion=criterion,
        matching=matching,
        evidence=evidence,
        breakdown=breakdown,
        breakdown_of="compare",
        topic_label=named,
        national=interp.national,
    )


def _matching(
    cases: Sequence[Case],
    pattern: TextPattern | None,
    harm: str,
    evidence: dict[str, Match],
    fields: Sequence[tuple[str, str]] = COUNTED_FIELDS,
) -> list[str]:
    """The ids of ``cases`` that show the harm or name the pattern; where each does goes into ``evidence``."""
    matching: list[str] = []
    for case in cases:
        if harm:
            if harm in derive_facets(case).harms:
                matching.append(case.case_id)
                evidence[case.case_id] = Match("Summary", case.summary.strip().rstrip("."))
            continue
        if pattern is None:
            matching.append(case.case_id)
            continue
        found = find_in_case(case, pattern, fields)
        if found:
            matching.append(case.case_id)
            evidence[case.case_id] = found
    return matching


def _breakdown(
    kind: str | None, matched: Sequence[Case], base: Sequence[Case], themes: Sequence[TaxonomyTheme]
) -> tuple[dict[str, int] | None, dict[str, int] | None]:
    if kind == "year":
        counts = Counter(str(c.year) for c in matched)
        totals = Counter(str(c.year) for c in base)
        years = sorted(totals)
        return {y: counts.get(y, 0) for y in years}, {y: totals[y] for y in years}
    if kind == "age":
        counts: Counter[str] = Counter()
        for case in matched:
            bands = derive_facets(case).age_bands or ("age not stated",)
            counts.update(AGE_ROWS.get(b, b) for b in bands)
        order = [*AGE_ROWS.values(), "age not stated"]
        return {band: counts[band] for band in order if counts[band]}, None
    if kind == "sex":
        counts = Counter(_sex(case) for case in matched)
        return {row: counts[row] for row in SEX_ROWS if counts[row]}, None
    if kind == "cause":  # a review can name several causes, so the rows can add up to more than the count
        counts = Counter(row for case in matched for row in _causes(case))
        rows = sorted((label for label in CAUSES if counts[label]), key=lambda label: -counts[label])
        return {label: counts[label] for label in [*rows, NO_CAUSE] if counts[label]}, None
    if kind == "harm":  # a review can show several harms, so the rows can add up to more than the count
        counts = Counter()
        for case in matched:
            counts.update(HARM_TYPES[h] for h in derive_facets(case).harms or ())
        unstated = sum(1 for case in matched if not derive_facets(case).harms)
        rows = {label: counts[label] for label in HARM_TYPES.values() if counts[label]}
        return ({**rows, "harm not stated": unstated} if unstated else rows), None
    if kind == "area":
        counts = Counter(c.area for c in matched if c.area and c.area.lower() != "anonymous")
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_AREAS]), None
    if kind == "model":
        counts = Counter(
            REVIEW_MODELS[m][0] if m in REVIEW_MODELS else ("other model" if m else "model not stated")
            for m in (derive_facets(c).review_model for c in matched)
        )
        return dict(counts.most_common()), None
    if kind == "theme":
        others = _other_themes(themes)
        counts = Counter()
        for case in matched:
            counts.update(theme.label for theme in others if find_in_case(case, theme.pattern))
        return dict(counts.most_common(TOP_THEMES)), None
    return None, None


def _other_themes(themes: Sequence[TaxonomyTheme]) -> list[TaxonomyTheme]:
    """The themes a breakdown by theme lists: not those counted (nor the broader theme holding one of them), and
    no narrower theme beside the broader one that already counts it (alcohol misuse is in substance misuse)."""
    defining = {t.key for t in themes} | {t.within for t in themes if t.within}
    return [t for t in load_taxonomy() if t.key not in defining and not t.within]


def _sex(case: Case) -> str:
    """The child's sex as the review's summary (or else its background) first names it ("a 7-year-old boy")."""
    for text in (case.summary, case.background):
        found = _SEX_WORDS.search(text)
        if found:
            return SEX_ROWS[0] if found[1] else SEX_ROWS[1]
    return SEX_ROWS[2]


def _causes(case: Case) -> list[str]:
    """How the child died: the :data:`CAUSES` rows the review's summary names, or when it names none, those its
    background or keywords name."""
    by_key = {t.key: t for t in load_taxonomy()}
    for text in (case.summary, "\n".join([case.background, *case.keywords])):
        named = [label for label, keys in CAUSES.items() if any(by_key[k].pattern.search(text) for k in keys)]
        if named:
            return named
    return [NO_CAUSE]


def _rows_of(kind: str | None, case: Case) -> list[str]:
    """The breakdown rows ``case`` falls in (as :func:`_breakdown` names them)."""
    if kind == "cause":
        return _causes(case)
    if kind == "sex":
        return [_sex(case)]
    facets = derive_facets(case)
    if kind == "year":
        return [str(case.year)]
    if kind == "age":
        return [AGE_ROWS.get(b, b) for b in facets.age_bands] or ["age not stated"]
    if kind == "harm":
        return [HARM_TYPES[h] for h in facets.harms or ()] or ["harm not stated"]
    if kind == "area":
        return [case.area] if case.area and case.area.lower() != "anonymous" else []
    if kind == "model":
        model = facets.review_model
        return [REVIEW_MODELS[model][0] if model in REVIEW_MODELS else ("other model" if model else "model not stated")]
    return []


def _row_themes(
    kind: str | None, matched: Sequence[Case], themes: Sequence[TaxonomyTheme]
) -> dict[str, list[tuple[str, int]]]:
    """Each row's most common taxonomy themes (the theme counted, if any, left out), with how many reviews name them."""
    others = _other_themes(themes)
    counts: dict[str, Counter[str]] = {}
    for case in matched:
        named = [t.label for t in others if find_in_case(case, t.pattern)]
        for row in _rows_of(kind, case):
            counts.setdefault(row, Counter()).update(named)
    return {row: c.most_common(ROW_THEMES) for row, c in counts.items()}


# ---------------------------------------------------------------- composing the answer


def _trend_sentence(t: Tally, split_year: int | None) -> str:
    if not t.breakdown or not t.per_year_total:
        return ""
    years = sorted(int(y) for y in t.per_year_total)
    if len(years) < 2:
        return ""
    if all(t.breakdown[str(y)] == t.per_year_total[str(y)] for y in years):
        return ""  # every review of every year counted (the years were the whole criterion): no share to compare
    # the last five years against the ones before ("since 2015" is the scope, so its split would leave no earlier years)
    split = split_year if split_year is not None and split_year > years[0] else years[-1] - 5
    early = [y for y in years if y < split]
    late = [y for y in years if y >= split]
    if not early or not late:
        return ""

    def share(group: list[int]) -> tuple[int, int]:
        return sum(t.breakdown[str(y)] for y in group), sum(t.per_year_total[str(y)] for y in group)

    (a, n), (b, m) = share(early), share(late)
    pa, pb = (100 * a / n if n else 0.0), (100 * b / m if m else 0.0)
    trend = "a larger" if pb > pa + 5 else "a smaller" if pb < pa - 5 else "about the same"
    return (
        f"Published {late[0]}\u2013{late[-1]}: {b} of {m} reviews ({pb:.0f}%); published {early[0]}\u2013{early[-1]}: "
        f"{a} of {n} ({pa:.0f}%). That is {trend} share in the later years. The collection holds different numbers "
        "of reviews each year, so compare shares rather than counts, and read it as this collection, not the country."
    )


BREAKDOWN_HEADS = {
    "year": "Year",
    "age": "Age of the child",
    "theme": "Theme",
    "model": "Review model",
    "area": "Area",
    "harm": "Type of harm",
    "cause": "How the child died",
    "compare": "Theme (each counted over the same reviews)",
    "scope": "Kind of review",
    "sex": "Sex of the child",
}  # how a breakdown's rows are headed, in the table and the app's chart


def _table(t: Tally) -> list[str]:
    if not t.breakdown:
        return []
    head = BREAKDOWN_HEADS[t.breakdown_of or ""]
    if t.breakdown_of == "year" and t.per_year_total:
        lines = [f"| {head} | Reviews counted | Reviews that year |", "|---|---:|---:|"]
        lines += [f"| {k} | {v} | {t.per_year_total[k]} |" for k, v in t.breakdown.items()]
        return lines
    lines = [f"| {head} | Reviews |", "|---|---:|"]
    return lines + [f"| {escape_markdown(k)} | {v} |" for k, v in t.breakdown.items()]


def compose_count(question: str, interp: Interpretation, t: Tally, records: dict[str, Record], query: str) -> Answer:
    """A count or overview answer: the number first with its criterion, the breakdown, every case counted."""
    word = "case review" if t.total == 1 else "case reviews"
    word = f"local {word}" if "national reviews and reports are not counted" in t.criterion else word
    word = "case reviews and national reports" if t.breakdown_of == "scope" else word
    if t.national:
        word = "national review or report" if t.total == 1 else "national reviews and reports"
    verb = "meets" if t.count == 1 else "meet"
    head = f"**{t.count} of the {t.total} {word}** in this collection {verb} the criterion: they {t.criterion}."
    if t.count == 0:
        head = f"**None of the {t.total} {word}** in this collection {t.criterion.replace('name ', 'names ', 1)}."
    if t.whole:
        apart = " (the national reviews and reports are counted apart, not here)" if "national" in t.criterion else ""
        head = f"This collection holds **{t.total} local case reviews**{apart}. Counted across all of them:"
        if t.national:
            head = f"This collection holds **{t.total} {word}**. Counted across all of them:"
    if t.total == 0:  # never a count over nothing: say which criterion left no reviews
        left_none = " and ".join(_criterion_for_facets(interp)) or "are here"
        head = (
            f"**No {word}** in this collection {left_none}, so there is nothing to count."
            if left_none != "are here"
            else f"This collection holds no {word}, so there is nothing to count."
        )
    if t.breakdown_of == "compare" and t.breakdown and t.total:
        ranked = ", then ".join(f"**{escape_markdown(label)} ({n})**" for label, n in t.breakdown.items())
        head = (
            f"Ranked by how many of the {t.total} {word} in this collection name each in their {WHERE_COUNTED}: "
            f"{ranked}. {t.count} of them name at least one (criterion: they {t.criterion})."
        )
    lines = [head]
    table = _table(t)
    if table:
        lines += ["", *table]
    if t.row_themes and t.breakdown:
        each = {"year": "year", "age": "age group", "area": "area", "model": "review model", "harm": "type of harm"}
        each["cause"] = "cause of death"
        each["sex"] = "group"
        row_name = each.get(t.breakdown_of or "", "group")
        lines += ["", f"The main themes in each {row_name} (how many of its reviews name each):", ""]
        for row, reviews in t.breakdown.items():
            if not reviews:
                continue  # a year with no review counted has no themes to show
            named = t.row_themes.get(row) or []
            themes = "; ".join(f"{escape_markdown(label)} ({n})" for label, n in named) or "no taxonomy theme named"
            lines.append(f"- **{escape_markdown(row)}**: {themes}")
    if t.breakdown_of == "harm" and t.breakdown:
        lines += ["", "A review can show more than one harm, so the rows can add up to more than the reviews counted."]
    if t.breakdown_of == "compare" and t.breakdown:
        lines += [
            "",
            "A review can name more than one of these, so the rows can add up to more than the reviews counted.",
        ]
    if t.breakdown_of == "cause" and t.breakdown:
        lines += [
            "",
            "How each child died is read from the review's summary (or, where it says nothing of it, the background "
            "and keywords); a review naming more than one cause is in each of those rows, so the rows can add up to "
            "more than the reviews counted.",
        ]
    trend = _trend_sentence(t, interp.year_from) if t.breakdown_of == "year" and not t.whole else ""  # 100% of all
    if trend:
        lines += ["", trend]
    citations: list[Citation] = []
    listed = () if t.whole and t.breakdown else t.matching  # the whole collection: the table is the answer
    if listed:
        lines += ["", "Every review counted:" if t.count > 1 else "The review counted:", ""]
    for i, case_id in enumerate(listed, start=1):
        record = records[case_id]
        assert isinstance(record, Case)
        when = f"{MONTH_NAMES[record.month]} {record.year}".strip()
        line = f"{i}. **{escape_markdown(record.title)}** ({when})"
        match = t.evidence.get(case_id)
        if match:
            n = len(citations) + 1
            citations.append(
                Citation(n, case_id, record.title, match.section, match.quote, record.kind, record.year, record.area)
            )
            line += f" — \u201c{escape_markdown(match.quote)}\u201d [{n}]"
        lines.append(line)
    if t.national_matching:
        lines += ["", "National reviews and reports about the same place (not in the count above):", ""]
        lines += [f"- **{escape_markdown(records[i].title)}** ({records[i].year})" for i in t.national_matching]
    lines += ["", "How this was counted: " + _method(t)]
    return Answer(
        question,
        "\n".join(lines),
        tuple(citations),
        listed,
        mode=AnswerMode.COUNT if interp.mode == "count" else AnswerMode.OVERVIEW,
        query=query,
        count=t.count,
        criterion=t.criterion,
        breakdown=t.breakdown,
        interpretation=replace(  # the breakdown counted ("compare", "scope"); compared themes are the topic shown
            interp,
            breakdown=t.breakdown_of or interp.breakdown,
            topic=", ".join(t.breakdown or ()) if t.breakdown_of == "compare" else interp.topic,
        ),
        matching=t.matching,
    )


def _method(t: Tally) -> str:
    if "name " in t.criterion:
        return (
            f"a review counts when its {WHERE_COUNTED} use the wording listed for the theme in the reviewed "
            "taxonomy (assistant/answer/taxonomy.json); ages, harms and review models come from each review's own "
            "text. "
            "Documents that are not case reviews are not counted."
        )
    return "ages, harms and review models come from each review's own text; documents are not counted."
