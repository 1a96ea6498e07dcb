"""Small frozen result types that flow through the pipeline, from parsed text to search hits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from assistant.reference import reference, source_link, source_params
from assistant.reference import slug as slug  # re-exported: ids and section slugs are made here

# Case sections in reading order: (field name, label shown to users).
CASE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("background", "Background"),
    ("key_issues", "Key issues"),
    ("findings", "Findings"),
    ("learning", "Learning"),
    ("recommendations", "Recommendations"),
    ("notes", "Notes"),
    ("model", "Model"),
    ("keywords", "Keywords"),
)


@dataclass(frozen=True)
class Section:
    """A titled stretch of a record's text, with the line it starts on."""

    name: str
    text: str
    line: int = 0
    pages: tuple[tuple[int, int], ...] = ()  # (offset in text, page) where each page begins; PDFs only


@dataclass(frozen=True)
class Case:
    """One case review from a digest: heading facts plus its labelled sections."""

    case_id: str
    year: int
    month: int  # 0 when the heading names no month
    area: str
    name: str
    summary: str = ""
    background: str = ""
    key_issues: str = ""
    learning: str = ""
    recommendations: str = ""
    findings: str = ""
    model: str = ""
    keywords: tuple[str, ...] = ()
    notes: str = ""
    source: str = ""
    line: int = 0
    kind: str = field(default="case", init=False)

    @property
    def title(self) -> str:
        """How users see the case named: area and child's pseudonym."""
        return f"{self.area} - {self.name}"

    def sections(self) -> tuple[Section, ...]:
        """The non-empty sections in reading order."""
        out = []
        for attr, label in CASE_SECTIONS:
            value = getattr(self, attr)
            text = "; ".join(value) if isinstance(value, tuple) else value
            if text:
                out.append(Section(label, text, self.line))
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        data = asdict(self)
        data["keywords"] = list(self.keywords)
        data["title"] = self.title
        return data


@dataclass(frozen=True)
class Document:
    """A non-digest text (a study, a report) split into sections by its headings."""

    case_id: str  # the document's id, in the same namespace as case ids
    title: str
    doc_sections: tuple[Section, ...] = ()
    year: int | None = None
    area: str = ""
    source: str = ""
    line: int = 1
    name: str = ""  # the child's pseudonym, for a case review's full report
    kind: str = "document"  # "report" for a case review's full report, else "document"

    def sections(self) -> tuple[Section, ...]:
        """The document's sections in reading order."""
        return self.doc_sections

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        data = asdict(self)
        data["doc_sections"] = [asdict(s) for s in self.doc_sections]
        return data


Record = Case | Document


def record_from_dict(data: dict[str, Any]) -> Record:
    """Inverse of ``to_dict`` for either record type."""
    data = dict(data)
    kind = data.pop("kind", "case")
    if kind == "case":
        data.pop("title", None)
        data["keywords"] = tuple(data.get("keywords", ()))
        return Case(**data)
    sections = data.get("doc_sections", ())
    data["doc_sections"] = tuple(Section(**{**s, "pages": tuple(map(tuple, s.get("pages", ())))}) for s in sections)
    return Document(**data, kind=kind)


@dataclass(frozen=True)
class Chunk:
    """A piece of one section of one record, as embedded and stored in the index."""

    chunk_id: int
    case_id: str
    title: str
    section: str
    text: str  # the passage itself, without header
    header: str  # "title — section" line prepended before embedding
    kind: str = "case"
    year: int | None = None
    area: str = ""
    source: str = ""
    line: int = 0
    keywords: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    harms: tuple[str, ...] = ()
    review_model: str = ""
    page: int | None = None  # the PDF page the chunk starts on
    digest: str = ""  # hash of the model's input text: an unchanged chunk keeps its vector

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        """Inverse of ``dataclasses.asdict`` (JSON lists back to tuples)."""
        data = dict(data)
        for name in ("keywords", "age_bands", "harms"):
            data[name] = tuple(data.get(name, ()))
        return cls(**data)

    @property
    def embed_text(self) -> str:
        """What the model reads: the header, then the passage."""
        return f"{self.header}\n{self.text}"


@dataclass(frozen=True)
class Passage:
    """A matching chunk inside a search hit."""

    chunk_id: int
    section: str
    text: str
    score: float
    page: int | None = None


@dataclass(frozen=True)
class Hit:
    """One case (or one section of a document) in a ranked search result."""

    case_id: str
    title: str
    kind: str
    score: float
    section: str
    passage: str
    passages: tuple[Passage, ...] = ()
    year: int | None = None
    area: str = ""
    dense_score: float = 0.0  # best chunk's cosine similarity (0 when not among dense candidates)
    lexical_score: float = 0.0  # best chunk's BM25 score (0 when no query word matched)
    page: int | None = None  # the PDF page of the best passage

    def to_dict(self) -> dict[str, Any]:
        """JSON form used by ``search --json``."""
        return {
            "case_id": self.case_id,
            "title": self.title,
            "kind": self.kind,
            "score": round(self.score, 4),
            "section": self.section,
            "passage": self.passage,
            "year": self.year,
            "area": self.area,
            "dense_score": round(self.dense_score, 4),
            "lexical_score": round(self.lexical_score, 4),
            "page": self.page,
        }


class QuoteAddress:
    """The reference and source-view address of a quote, for any record of one (a citation, a lesson's source): the
    class needs ``case_id``, ``title``, ``kind``, ``area``, ``year``, ``section``, ``page`` and ``quote``, and may
    have ``name`` (a child's name for the reference)."""

    case_id: str
    title: str
    kind: str
    area: str
    year: int | None
    section: str
    page: int | None
    quote: str

    @property
    def reference(self) -> str:
        """The passage named for slides and reports: 'Oldham LSCB (2015) Serious case review: Child D. Key issues.'"""
        name = getattr(self, "name", "")
        return reference(self.kind, self.title, self.area, self.year, self.section, self.page, name)

    @property
    def link(self) -> str:
        """The query string of the app's source view of this quote: 'source=ID&section=SLUG&page=N&q=TOKEN'."""
        return source_link(self.case_id, self.section, self.page, self.quote)

    @property
    def link_params(self) -> dict[str, str]:
        """The same address as query parameters (for the app's page links)."""
        return source_params(self.case_id, self.section, self.page, self.quote)


@dataclass(frozen=True)
class Citation(QuoteAddress):
    """A numbered quote: the verbatim sentence(s) of one section of one case or document."""

    n: int
    case_id: str
    title: str
    section: str
    quote: str
    kind: str = "case"
    year: int | None = None
    area: str = ""
    page: int | None = None  # the PDF page the quote is on

    def to_dict(self) -> dict[str, Any]:
        """JSON form used by ``ask --json``."""
        return {
            "n": self.n,
            "case_id": self.case_id,
            "title": self.title,
            "section": self.section,
            "quote": self.quote,
            "kind": self.kind,
            "year": self.year,
            "area": self.area,
            "page": self.page,
            "reference": self.reference,
            "link": self.link,
        }


class AnswerMode(StrEnum):
    """What kind of answer ``ask`` gave (the per-mode rules are in :mod:`assistant.answer.modes`)."""

    CASES = "cases"  # the cases that match, each once, with quoted evidence
    LEARNING = "learning"  # distinct learning points on a topic or for a role
    CASE_DETAIL = "case-detail"  # one case, section by section ("tell me more about the first one")
    COUNT = "count"  # how many reviews meet a criterion, each counted review listed
    OVERVIEW = "overview"  # a count broken down (by year, age, theme, area, review model)
    NONE = "none"  # nothing in the collection answers the question


@dataclass(frozen=True)
class Answer:
    """What ``ask`` returns: markdown with [n] markers, the citations they point to, the cases used."""

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    cases: tuple[str, ...] = ()
    no_answer: bool = False
    mode: AnswerMode = AnswerMode.CASES
    query: str = ""  # what was searched, after follow-up resolution
    notice: str = ""
    topic: str = ""  # the subject a "what about ...?" follow-up carries on with
    count: int | None = None  # a count or overview answer: how many reviews meet the criterion
    criterion: str = ""  # ... and what that criterion is
    breakdown: dict[str, int] | None = None  # ... and its breakdown (by year, age, theme), when asked for
    interpretation: Any = None  # how the question was read (assistant.answer.question.Interpretation)
    nearest: tuple[str, ...] = ()  # a "nothing found" answer: the closest cases, shown apart and labelled
    matching: tuple[str, ...] = ()  # a count: every case counted (``cases`` lists those shown)
    generated: bool = False  # rewritten by a local language model (a flag on the answer, not a mode)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", AnswerMode(self.mode))  # a mode given as its string is checked here

    @property
    def mode_label(self) -> str:
        """The mode as ``ask --json`` and the feedback file have always written it ("learning+generated")."""
        return f"{self.mode.value}+generated" if self.generated else self.mode.value

    def to_dict(self) -> dict[str, Any]:
        """JSON form used by ``ask --json``."""
        data: dict[str, Any] = {
            "question": self.question,
            "answer": self.text,
            "no_answer": self.no_answer,
            "mode": self.mode_label,
            "citations": [c.to_dict() for c in self.citations],
            "cases": list(self.cases),
            "notice": self.notice,
        }
        if self.interpretation is not None:
            data["interpretation"] = self.interpretation.to_dict()
        if self.count is not None:
            data.update(count=self.count, criterion=self.criterion, matching=list(self.matching or self.cases))
            if self.breakdown is not None:
                data["breakdown"] = dict(self.breakdown)
        if self.nearest:
            data["nearest"] = list(self.nearest)
        return data
