"""Parse corpus files into records: digests into ``Case`` records, other texts into ``Document``s."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ParseError
from assistant.ingest.bounded import run_bounded
from assistant.ingest.readers import (
    DEFAULT_MAX_MB,
    MAX_YEAR,
    MIN_YEAR,
    SUPPORTED_SUFFIXES,
    Extracted,
    decode_text,
    extract,
    read_regular,
)
from assistant.ingest.reports import infer_metadata, looks_like_review, with_pages
from assistant.records import Case, Document, Record, Section, slug
from assistant.settings import Settings

CORPUS_SUFFIXES = SUPPORTED_SUFFIXES
SIDECAR_MAX_MB = 1  # a NAME.meta.json holds five short fields
SKIP_NAMES = {"sources.md", "readme.md", "readme.txt", "sources.txt"}

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

# Every pattern here runs in linear time on any line: white space is matched possessively (``\s*+``)
# and a lazy area or name must end on a non-space character, so a run of spaces is scanned once,
# never once per starting point (a heading followed by 20 KB of spaces took 39 s before).
_DASH = r"(?:\s++[-–—]\s*+|[-–—]\s++)"  # a dash with white space on at least one side
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_EMPH = r"(?:\*{1,2}|_{1,2})?"
_HEADING_TEMPLATE = (
    r"^(?:#{1,6}\s++|[-*•]\s++|\d{1,3}[.)]\s++)?" + _EMPH + r"\s*+"
    r"(?:(?P<month>MONTH)\.?\s++)?(?P<year>(?:19|20)\d{2})\s*+" + _EMPH + r"\s*+[-–—]\s*+"
    r"(?P<area>\S(?:.*?\S)?)" + _DASH + r"(?P<name>\S(?:.*?\S)?)\s*+" + _EMPH + r"\s*+$"
)
HEADING_RE = re.compile(_HEADING_TEMPLATE.replace("MONTH", _MONTH_ALT), re.IGNORECASE)
# The same shape with any word for the month: to catch a misspelt month rather than lose a case.
_NEAR_HEADING_RE = re.compile(_HEADING_TEMPLATE.replace("MONTH", r"[A-Za-z]{3,}"))
MAX_AREA_WORDS, MAX_NAME_WORDS = 6, 10

# Labels of a digest entry, as the yearly lists word them, mapped to Case fields. Words such as
# "identified by the review include" may follow the label's own words before the colon.
_SUFFIX = r"(?:\s+(?:identified|by|in|the|this|review|themes?|points?|areas?|for|practice|include[sd]?|were|are))*"
_LABELS: tuple[tuple[str, str], ...] = (
    (r"findings\s+and\s+recommendations", "findings"),
    (r"key\s+issues?" + _SUFFIX, "key_issues"),
    (r"issues\s+identified" + _SUFFIX, "key_issues"),
    (r"background", "background"),
    (r"(?:key\s+)?learning" + _SUFFIX, "learning"),
    (r"lessons(?:\s+learn(?:ed|t))?" + _SUFFIX, "learning"),
    (r"(?:key\s+)?recommendations?" + _SUFFIX, "recommendations"),
    (r"(?:key\s+)?findings?" + _SUFFIX, "findings"),
    (r"(?:review\s+)?(?:model|methodology)", "model"),
    (r"key\s*words", "keywords"),
)
LABEL_RE = re.compile(
    r"(?<![\w*_])(?:(?:\*{1,2}|_{1,2})\s*+)?(?P<label>"  # starts at the label or its emphasis, not in spaces
    + "|".join(f"(?:{pattern})" for pattern, _ in _LABELS)
    + r")\s*+"
    + _EMPH
    + r"\s*+:\s*+"
    + _EMPH,
    re.IGNORECASE,
)
_LABEL_FIELDS = [(re.compile(f"^(?:{p})$", re.IGNORECASE), f) for p, f in _LABELS]
# Labels that are also ordinary words ("... the Learning Together Model: ...") count in the middle of
# a paragraph only when marked in bold or after the end of a sentence.
_WEAK_FIELDS = {"model"}

_FUNCTION_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "from",
    "in",
    "of",
    "on",
    "or",
    "the",
    "to",
    "with",
    "high",
    "low",
    "their",
    "his",
    "her",
}
_BULLET_RE = re.compile(r"^\s*(?:[-*•▪◦]|\d+[.)])\s+")
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s++(.*)")  # closing #s are stripped in _heading_text


@dataclass(frozen=True)
class _Paragraph:
    line: int  # 1-based line of its first text line
    text: str


def read_text(path: Path) -> str:
    """Read a text file (UTF-8, or Windows-1252 that reads as text), raising ParseError naming the
    line of any bad byte."""
    return decode_text(path, read_regular(path, SIDECAR_MAX_MB))[0]


def match_heading(line: str) -> re.Match[str] | None:
    """The case heading on ``line`` ("January 2015 - Oldham - Child D"), or None.

    A line ending like a sentence, or with an area or name too long to be one, is body text.
    """
    line = line.strip()
    match = HEADING_RE.match(line)
    if not match or line.rstrip("*_ ").endswith((".", ",", ";", ":")):
        return None
    if len(match["area"].split()) > MAX_AREA_WORDS or len(match["name"].split()) > MAX_NAME_WORDS:
        return None
    return match


def _misspelt_heading(line: str) -> str | None:
    """The month word of a line shaped like a case heading whose month is misspelt ("Janaury")."""
    near = _NEAR_HEADING_RE.match(line.strip())
    if near is None or not near["month"] or near["month"].lower() in MONTHS:  # a real month or none: not a typo
        return None
    if not match_heading(line) and difflib.get_close_matches(near["month"].lower(), MONTHS, cutoff=0.75):
        return near["month"]
    return None


def is_digest(text: str) -> bool:
    """True when the text holds case headings: two or more, or one followed by labelled paragraphs."""
    lines = text.split("\n")
    headings = [i for i, line in enumerate(lines) if match_heading(line) or _misspelt_heading(line)]
    if len(headings) >= 2:
        return True
    return bool(headings) and LABEL_RE.search("\n".join(lines[headings[0] + 1 :])) is not None


def parse_file(
    path: Path,
    source: str | None = None,
    max_mb: float = DEFAULT_MAX_MB,
    seconds: float = Settings.read_seconds,
    memory_mb: float = Settings.read_memory_mb,
) -> list[Record]:
    """Parse one file of any supported format: a digest gives its cases, any other text one document
    (a full report when it is a case review). A document's title, year, area and name come from a
    sidecar ``NAME.meta.json``, else front matter, else what its text and file properties show.
    The file is read in a child process within ``seconds`` and ``memory_mb`` (see ``bounded``)."""
    return run_bounded(_parse_file, (path, source, max_mb), path, seconds, memory_mb)


def _parse_file(path: Path, source: str | None, max_mb: float) -> list[Record]:
    extracted = extract(path, max_mb)
    source = source if source is not None else path.name
    if not extracted.text.strip():
        raise ParseError(path, 1, "the file has no text")
    if is_digest(extracted.text):
        return list(parse_digest(extracted.text, path, source))
    document = parse_document(extracted.text, path, source)
    return [finish_document(document, extracted, read_sidecar(path))]


def finish_document(document: Document, extracted: Extracted, sidecar: dict[str, Any]) -> Document:
    """A parsed document with its metadata settled and, for a PDF, its page marks."""
    fallback_title = document.title == _fallback_title(Path(document.source or document.case_id))
    title = document.title
    if fallback_title and extracted.meta.get("title"):
        title = extracted.meta["title"]
    found = infer_metadata(title, extracted.text)
    front = {k: v for k, v in extracted.meta.items() if k != "title" or extracted.format == "text"}
    meta = {"title": title, **found, **front, **sidecar}
    review = looks_like_review(meta["title"], meta.get("name", ""))
    kind = meta.pop("kind", None) or ("report" if review else "document")
    document = dataclasses.replace(document, **meta, kind=kind)
    return with_pages(document, extracted.text.split("\n"), extracted.pages)


def _fallback_title(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()


def read_sidecar(path: Path) -> dict[str, Any]:
    """The optional ``NAME.meta.json`` beside a file: title, year, area, name and kind overrides."""
    meta_path = path.with_name(path.stem + ".meta.json")
    if not meta_path.is_file():
        return {}
    try:
        data = json.loads(read_text(meta_path))
    except json.JSONDecodeError as exc:
        raise ParseError(meta_path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    allowed = {"title": str, "year": int, "area": str, "name": str, "kind": str}
    if not isinstance(data, dict):
        raise ParseError(meta_path, 1, "must hold a JSON object")
    for key, value in data.items():
        if key not in allowed or not isinstance(value, allowed[key]) or isinstance(value, bool):
            raise ParseError(meta_path, 1, f"unknown or mistyped field {key!r} (allowed: {', '.join(allowed)})")
    if "year" in data and not MIN_YEAR <= data["year"] <= MAX_YEAR:
        line = next((n for n, text in enumerate(read_text(meta_path).split("\n"), 1) if '"year"' in text), 1)
        raise ParseError(meta_path, line, f"year must be between {MIN_YEAR} and {MAX_YEAR}, got {data['year']}")
    if data.get("kind") not in (None, "report", "document"):
        raise ParseError(meta_path, 1, "kind must be 'report' (a case review) or 'document'")
    return data


def load_corpus(corpus_dir: Path) -> list[Record]:
    """Parse every text file under ``corpus_dir`` (sorted, recursive); case ids must be unique."""
    if not corpus_dir.is_dir():
        raise ParseError(corpus_dir, 0, "corpus folder not found")
    records: list[Record] = []
    seen: dict[str, Record] = {}
    for path in corpus_files(corpus_dir):
        for record in parse_file(path, str(path.relative_to(corpus_dir))):
            if record.case_id in seen:
                first = seen[record.case_id]
                raise ParseError(
                    path,
                    record.line,
                    f"duplicate case id {record.case_id} (first at {first.source}:{first.line})",
                )
            seen[record.case_id] = record
            records.append(record)
    if not records:
        raise ParseError(corpus_dir, 0, f"no review files ({', '.join(CORPUS_SUFFIXES)}) in the corpus folder")
    return records


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files of a corpus folder that are parsed, in a stable order: regular files (or symlinks to
    them) that resolve inside the folder; a link to a file elsewhere is not indexed."""
    root = corpus_dir.resolve()
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.suffix.lower() in CORPUS_SUFFIXES
        and p.name.lower() not in SKIP_NAMES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
        and p.is_file()
        and p.resolve().is_relative_to(root)
    )


# ---------------------------------------------------------------- digests


def parse_digest(text: str, path: Path, source: str) -> list[Case]:
    """Split a digest into cases at its heading lines and parse each entry."""
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        month = _misspelt_heading(line)
        if month:
            raise ParseError(path, number, f"case heading has an unknown month {month!r}")
    starts = [i for i, line in enumerate(lines) if match_heading(line)]
    cases = [
        _parse_case(lines, start, starts[n + 1] if n + 1 < len(starts) else len(lines), path, source)
        for n, start in enumerate(starts)
    ]
    # A final "x and y" keyword is two keywords only when "x" is a keyword of its own elsewhere in the list.
    known = {k.lower() for case in cases for k in case.keywords}
    return [
        dataclasses.replace(c, keywords=split_keywords(", ".join(c.keywords), known)) if c.keywords else c
        for c in cases
    ]


def _parse_case(lines: list[str], start: int, end: int, path: Path, source: str) -> Case:
    heading = match_heading(lines[start])
    assert heading is not None
    line_no = start + 1
    month = MONTHS[heading["month"].lower()] if heading["month"] else 0
    year, area, name = int(heading["year"]), _clean(heading["area"]), _clean(heading["name"])
    paragraphs = _merge_broken(_paragraphs(lines, start + 1, end))
    if not paragraphs:
        raise ParseError(path, line_no, f"case heading {lines[start].strip()!r} has no text under it")
    fields = _assign_sections(paragraphs)
    raw_keywords = fields.pop("keywords", "")
    keywords = tuple(k.strip() for k in re.split(r"[;,]", raw_keywords.strip().rstrip(".")) if k.strip())
    if ";" in raw_keywords:  # a semicolon list is never split at "and"
        keywords = tuple(k.strip() for k in raw_keywords.strip().rstrip(".").split(";") if k.strip())
    return Case(
        case_id=f"{year}-{month:02d}-{id_part(area)}-{id_part(name)}",
        year=year,
        month=month,
        area=area,
        name=name,
        keywords=keywords,
        source=source,
        line=line_no,
        **fields,
    )


def id_part(text: str) -> str:
    """``slug(text)``, or for text with no a-z or 0-9 in it (a name in another script) a short hash of
    it, so that such names still give distinct, non-empty case ids."""
    return slug(text) or "id-" + hashlib.sha256(text.strip().encode()).hexdigest()[:10]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip(" *")


def _paragraphs(lines: list[str], start: int, end: int) -> list[_Paragraph]:
    """Blank-line separated paragraphs, wrapped lines joined with one space."""
    out: list[_Paragraph] = []
    buf: list[str] = []
    first = 0
    for i in range(start, end):
        stripped = lines[i].strip()
        if stripped:
            if not buf:
                first = i + 1
            buf.append(stripped)
        elif buf:
            out.append(_Paragraph(first, " ".join(buf)))
            buf = []
    if buf:
        out.append(_Paragraph(first, " ".join(buf)))
    return out


def _starts_with_label(text: str) -> bool:
    match = LABEL_RE.match(text)
    return match is not None and match.start() == 0


def _merge_broken(paragraphs: list[_Paragraph]) -> list[_Paragraph]:
    """Re-join a sentence that a stray blank line broke in two."""
    out: list[_Paragraph] = []
    for para in paragraphs:
        if out and not _starts_with_label(para.text) and _continues(out[-1].text, para.text):
            out[-1] = _Paragraph(out[-1].line, f"{out[-1].text} {para.text}")
        else:
            out.append(para)
    return out


def _continues(previous: str, following: str) -> bool:
    if following[:1].islower():
        return True
    if previous[-1:] in ",;:(-–":
        return True
    last_word = re.sub(r"\W", "", previous.rsplit(" ", 1)[-1]).lower()
    return last_word in _FUNCTION_WORDS


def _label_counts(text: str, match: re.Match[str]) -> bool:
    """Whether a label found in the middle of a paragraph really starts a section there."""
    marked = match.group(0).lstrip()[:1] in "*_"
    after_sentence = re.search(r"[.;:!?)\]]\s*$", text[: match.start()]) is not None
    if _label_field(match["label"]) in _WEAK_FIELDS:
        return marked or after_sentence
    return marked or after_sentence or match["label"][0].isupper()


def _label_field(label: str) -> str:
    label = re.sub(r"\s+", " ", label.strip())
    for pattern, field_name in _LABEL_FIELDS:
        if pattern.match(label):
            return field_name
    raise AssertionError(label)  # LABEL_RE only matches known labels


def _split_labels(text: str) -> list[tuple[str | None, str]]:
    """(field or None, text) pieces of one paragraph, split at its labels."""
    pieces: list[tuple[str | None, str]] = []
    current: str | None = None
    pos = 0
    for match in LABEL_RE.finditer(text):
        if match.start() > 0 and not _label_counts(text, match):
            continue
        before = text[pos : match.start()].strip()
        if before or current is not None:
            pieces.append((current, before))
        current = _label_field(match["label"])
        pos = match.end()
    pieces.append((current, text[pos:].strip()))
    return pieces


def _assign_sections(paragraphs: list[_Paragraph]) -> dict[str, str]:
    """Map each paragraph (or labelled part of one) to a Case field."""
    parts: dict[str, list[str]] = {}
    last: str | None = None
    for para in paragraphs:
        for field_name, text in _split_labels(para.text):
            if field_name is None:
                # Unlabelled text: the summary before any label; after a label it
                # continues that section, unless the label was a one-line list.
                field_name = "summary" if last is None else last
                if field_name in ("keywords", "model"):
                    field_name = "notes"
            if text:
                parts.setdefault(field_name, []).append(text.replace("**", "").strip())
            last = field_name
    return {name: " ".join(texts) for name, texts in parts.items()}


def split_keywords(text: str, known: set[str] | None = None) -> tuple[str, ...]:
    """Keywords split at semicolons, else at commas; in a comma list a final "x and y" is two
    keywords when "x" is itself a keyword (of ``known``, or of this list)."""
    text = text.strip().rstrip(".").strip()
    if not text:
        return ()
    if ";" in text:
        return tuple(item.strip() for item in text.split(";") if item.strip())
    items = [item.strip() for item in text.split(",") if item.strip()]
    if items and items[-1].lower().startswith("and "):
        items[-1] = items[-1][4:].strip()
    known = {k.lower() for k in (known or set())} | {k.lower() for k in items[:-1]}
    if len(items) >= 2 and " and " in items[-1]:
        left, right = (part.strip() for part in items[-1].split(" and ", 1))
        if left.lower() in known:
            items[-1:] = [left, right]
    return tuple(items)


# ---------------------------------------------------------------- documents


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 12
        and len(text) <= 100
        and not _BULLET_RE.match(text)
        and " | " not in text  # a table row
        and text[-1] not in ".,;:"
        and (text[0].isupper() or text[0].isdigit())
    )


def parse_document(text: str, path: Path, source: str) -> Document:
    """A non-digest text as a Document whose sections come from its headings."""
    lines = text.split("\n")
    blocks = _paragraph_blocks(lines)
    if not blocks:
        raise ParseError(path, 1, "the file has no text")
    first_lines = [line_no for line_no, _ in blocks]
    title, intro, blocks = _title_block(blocks, path)
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = intro
    body_line = first_lines[1] if intro else (blocks[0][0] if blocks else 1)

    def flush() -> None:
        if body:
            name = " / ".join(h for _, h in stack[-2:]) or "Introduction"
            sections.append(Section(name, "\n".join(body), body_line))
            body.clear()

    for n, (line_no, block) in enumerate(blocks):
        level = _heading_level(block, blocks[n + 1][1] if n + 1 < len(blocks) else None, stack)
        if level:
            flush()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, _heading_text(block[0])))
            continue
        if not body:
            body_line = line_no
        body.extend(_items(block))
    flush()
    if not sections:
        raise ParseError(path, 1, "the document has headings but no text under them")
    return Document(
        case_id=id_part(path.stem),
        title=title,
        doc_sections=tuple(sections),
        source=source,
        line=1,
    )


def _title_block(blocks: list[tuple[int, list[str]]], path: Path) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """Title, introduction lines and remaining blocks: the leading run of one-line blocks
    is the title (its first line) and its description (the rest)."""
    run = 0
    while (
        run < len(blocks)
        and len(blocks[run][1]) == 1
        and not (run > 0 and _MD_HEADING_RE.match(blocks[run][1][0].strip()))  # a marked heading opens a section
        and (_looks_like_heading(blocks[run][1][0].strip()) or _MD_HEADING_RE.match(blocks[run][1][0].strip()))
    ):
        run += 1
    if run == 0:
        return _fallback_title(path), [], blocks
    if run == len(blocks):
        run = 1
    title = _heading_text(blocks[0][1][0])
    intro = [_heading_text(lines[0]) for _, lines in blocks[1:run]]
    return title, intro, blocks[run:]


def _paragraph_blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    blocks: list[tuple[int, list[str]]] = []
    buf: list[str] = []
    first = 0
    for i, line in enumerate(lines + [""]):
        if line.strip():
            heading = _MD_HEADING_RE.match(line.strip())
            if heading and buf:  # a markdown heading is a block of its own, even with no blank line before
                blocks.append((first, buf))
                buf = []
            if not buf:
                first = i + 1
            buf.append(line.rstrip())
            if heading:
                blocks.append((first, buf))
                buf = []
        elif buf:
            blocks.append((first, buf))
            buf = []
    return blocks


def _heading_text(line: str) -> str:
    md = _MD_HEADING_RE.match(line.strip())
    text = md.group(2).rstrip().rstrip("#").rstrip() if md else line.strip()
    return text.replace("**", "").strip()


def _heading_level(block: list[str], following: list[str] | None, stack: list[tuple[int, str]]) -> int:
    """0 for body text; else the heading's level (markdown #'s, or inferred from layout)."""
    if len(block) != 1:
        return 0
    md = _MD_HEADING_RE.match(block[0].strip())
    if md:
        return len(md.group(1))
    text = block[0].strip()
    if not _looks_like_heading(text):
        return 0
    next_is_heading = (
        following is not None
        and len(following) == 1
        and (_looks_like_heading(following[0].strip()) or bool(_MD_HEADING_RE.match(following[0].strip())))
    )
    if next_is_heading:
        return 1  # a heading straight over another heading opens a group
    return 2 if stack and stack[0][0] == 1 else 1  # under an open group, or a top-level heading


def _items(block: list[str]) -> list[str]:
    """A paragraph's lines as items: each bullet starts one, wrapped lines continue it."""
    items: list[str] = []
    for line in block:
        stripped = line.strip()
        if _BULLET_RE.match(stripped) or not items:
            items.append(re.sub(r"\s+", " ", stripped))
        else:
            items[-1] = f"{items[-1]} {stripped}"
    return items
