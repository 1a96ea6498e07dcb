"""Parse corpus files into records: digests into ``Case`` records, other texts into ``Document``s."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ParseError
from assistant.records import Case, Document, Record, Section, slug

CORPUS_SUFFIXES = (".txt", ".md")
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

_DASH = r"(?:\s+[-–—]\s*|\s*[-–—]\s+)"  # a dash with white space on at least one side
HEADING_RE = re.compile(
    r"^(?:#{1,6}\s+)?(?:\*\*)?\s*"
    r"(?:(?P<month>[A-Za-z]+)\.?\s+)?(?P<year>(?:19|20)\d{2})\s*[-–—]\s*"
    r"(?P<area>\S.*?)" + _DASH + r"(?P<name>\S.*?)\s*(?:\*\*)?\s*$"
)

# Labels of a digest entry, as the yearly lists word them, mapped to Case fields.
_LABELS: tuple[tuple[str, str], ...] = (
    (r"key\s+issues?(?:\s+identified)?(?:\s+include)?", "key_issues"),
    (r"issues\s+identified", "key_issues"),
    (r"background", "background"),
    (r"(?:key\s+)?learning(?:\s+(?:themes|points))?(?:\s+includes?)?", "learning"),
    (r"lessons(?:\s+learn(?:ed|t))?", "learning"),
    (r"(?:key\s+)?recommendations?(?:\s+includes?)?", "recommendations"),
    (r"(?:key\s+)?findings?(?:\s+includes?)?", "findings"),
    (r"(?:review\s+)?(?:model|methodology)", "model"),
    (r"key\s*words", "keywords"),
)
LABEL_RE = re.compile(
    r"(?<![\w*])(?:\*\*)?\s*(?P<label>"
    + "|".join(f"(?:{pattern})" for pattern, _ in _LABELS)
    + r")\s*(?:\*\*)?\s*:\s*(?:\*\*)?",
    re.IGNORECASE,
)
_LABEL_FIELDS = [(re.compile(f"^(?:{p})$", re.IGNORECASE), f) for p, f in _LABELS]

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
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class _Paragraph:
    line: int  # 1-based line of its first text line
    text: str


def read_text(path: Path) -> str:
    """Read a corpus file as UTF-8, raising ParseError naming the line of any bad byte."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(path, line, "not valid UTF-8 text (save the file as UTF-8)") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError(path, line, "holds a NUL byte: is it really a text file?")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_digest(text: str) -> bool:
    """True when the text holds at least one case heading line."""
    return any(HEADING_RE.match(line.strip()) for line in text.split("\n"))


def parse_file(path: Path, source: str | None = None) -> list[Record]:
    """Parse one file: a digest gives its cases, any other text one document.

    A document's title, year and area can be set by a sidecar ``NAME.meta.json``.
    """
    text = read_text(path)
    source = source if source is not None else path.name
    if not text.strip():
        raise ParseError(path, 1, "the file is empty")
    if is_digest(text):
        return list(parse_digest(text, path, source))
    document = parse_document(text, path, source)
    meta = read_sidecar(path)
    if meta:
        document = dataclasses.replace(document, **meta)
    return [document]


def read_sidecar(path: Path) -> dict[str, Any]:
    """The optional ``NAME.meta.json`` beside a file: title, year and area overrides."""
    meta_path = path.with_name(path.stem + ".meta.json")
    if not meta_path.is_file():
        return {}
    try:
        data = json.loads(read_text(meta_path))
    except json.JSONDecodeError as exc:
        raise ParseError(meta_path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    allowed = {"title": str, "year": int, "area": str}
    if not isinstance(data, dict):
        raise ParseError(meta_path, 1, "must hold a JSON object")
    for key, value in data.items():
        if key not in allowed or not isinstance(value, allowed[key]):
            raise ParseError(meta_path, 1, f"unknown or mistyped field {key!r} (allowed: title, year, area)")
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
        raise ParseError(corpus_dir, 0, "no .txt or .md review files in the corpus folder")
    return records


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files of a corpus folder that are parsed, in a stable order."""
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in CORPUS_SUFFIXES
        and p.name.lower() not in SKIP_NAMES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


# ---------------------------------------------------------------- digests


def parse_digest(text: str, path: Path, source: str) -> list[Case]:
    """Split a digest into cases at its heading lines and parse each entry."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if HEADING_RE.match(line.strip())]
    cases = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        cases.append(_parse_case(lines, start, end, path, source))
    return cases


def _parse_case(lines: list[str], start: int, end: int, path: Path, source: str) -> Case:
    heading = HEADING_RE.match(lines[start].strip())
    assert heading is not None
    line_no = start + 1
    month_word = heading["month"]
    month = 0
    if month_word:
        month = MONTHS.get(month_word.lower(), -1)
        if month < 0:
            raise ParseError(path, line_no, f"case heading has an unknown month {month_word!r}")
    year, area, name = int(heading["year"]), _clean(heading["area"]), _clean(heading["name"])
    paragraphs = _merge_broken(_paragraphs(lines, start + 1, end))
    if not paragraphs:
        raise ParseError(path, line_no, f"case heading {lines[start].strip()!r} has no text under it")
    fields = _assign_sections(paragraphs)
    keywords = split_keywords(fields.pop("keywords", ""))
    return Case(
        case_id=f"{year}-{month:02d}-{slug(area)}-{slug(name)}",
        year=year,
        month=month,
        area=area,
        name=name,
        keywords=keywords,
        source=source,
        line=line_no,
        **fields,
    )


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
        at_start = match.start() == 0
        if not at_start and not match["label"][0].isupper():
            continue  # a lower-case word with a colon mid-sentence is not a label
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


def split_keywords(text: str) -> tuple[str, ...]:
    """Keywords split at commas or semicolons; a final 'x and y' is two keywords."""
    text = text.strip().rstrip(".").strip()
    if not text:
        return ()
    items = [item.strip() for item in re.split(r"[;,]", text) if item.strip()]
    if len(items) >= 2 and " and " in items[-1]:
        items[-1:] = [part.strip() for part in items[-1].split(" and ", 1)]
    if items and items[-1].lower().startswith("and "):
        items[-1] = items[-1][4:].strip()
    return tuple(items)


# ---------------------------------------------------------------- documents


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 12
        and len(text) <= 100
        and not _BULLET_RE.match(text)
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
        case_id=slug(path.stem),
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
        and (_looks_like_heading(blocks[run][1][0].strip()) or _MD_HEADING_RE.match(blocks[run][1][0].strip()))
    ):
        run += 1
    if run == 0:
        return path.stem.replace("-", " ").replace("_", " ").strip().capitalize(), [], blocks
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
            if not buf:
                first = i + 1
            buf.append(line.rstrip())
            if _MD_HEADING_RE.match(line.strip()):  # a markdown heading is a block of its own
                blocks.append((first, buf))
                buf = []
        elif buf:
            blocks.append((first, buf))
            buf = []
    return blocks


def _heading_text(line: str) -> str:
    md = _MD_HEADING_RE.match(line.strip())
    text = md.group(2) if md else line.strip()
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
    return 2 if stack and stack[0][0] == 1 and _group_open(stack) else 1


def _group_open(stack: list[tuple[int, str]]) -> bool:
    return any(level == 1 for level, _ in stack) and len(stack) >= 1


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
