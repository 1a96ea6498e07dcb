"""The scale benchmark's synthetic corpus: digest files of cases recombined from the sentences of the
shipped cases, about as many chunks as asked once the real chunker splits them. Nothing is downloaded:
every sentence comes from the shipped digest."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.indexing.chunk import MONTH_NAMES, chunk_records
from assistant.ingest.parse import corpus_files, is_digest, parse_digest, read_text
from assistant.records import Case
from assistant.settings import Settings

SEED = 0
CASES_PER_FILE = 200
CALIBRATION_CASES = 300

# Fields of a digest entry in the order they are written, with their labels (the summary has none).
_FIELDS = (
    ("summary", ""),
    ("background", "Background"),
    ("key_issues", "Key issues"),
    ("findings", "Findings"),
    ("learning", "Learning"),
    ("recommendations", "Recommendations"),
    ("model", "Model"),
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(])")
_CLAUSE_END = re.compile(r"(?<=[;,])\s+")
_AGE = re.compile(r"\b\d{1,2}-(?P<unit>(?:year|month|week)s?-old)\b")
_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December) (?:19|20)\d\d\b"
)
MIX_SHARE = 0.7  # share of generated sentences that join clauses of two shipped sentences
_MONTHS = MONTH_NAMES[1:]  # January .. December
# English local areas, added to the shipped ones so that area facets and filters see many values.
_AREAS = (
    "Barnsley",
    "Bath and North East Somerset",
    "Birmingham",
    "Bolton",
    "Bradford",
    "Brighton and Hove",
    "Bristol",
    "Bromley",
    "Bury",
    "Calderdale",
    "Cambridgeshire",
    "Camden",
    "Cheshire East",
    "Cornwall",
    "Cumbria",
    "Derby",
    "Devon",
    "Doncaster",
    "Durham",
    "Ealing",
    "East Sussex",
    "Essex",
    "Gateshead",
    "Gloucestershire",
    "Hackney",
    "Hampshire",
    "Hull",
    "Kent",
    "Lancashire",
    "Leicester",
    "Lewisham",
    "Lincolnshire",
    "Manchester",
    "Medway",
    "Newcastle",
    "Newham",
    "Norfolk",
    "North Yorkshire",
    "Northumberland",
    "Peterborough",
    "Plymouth",
    "Portsmouth",
    "Reading",
    "Rochdale",
    "Rotherham",
    "Salford",
    "Sandwell",
    "Sheffield",
    "Shropshire",
    "Somerset",
    "Stockport",
    "Stoke-on-Trent",
    "Suffolk",
    "Sunderland",
    "Surrey",
    "Swindon",
    "Torbay",
    "Wakefield",
    "Warrington",
    "Wigan",
    "Wiltshire",
    "Wirral",
    "Wolverhampton",
    "Worcestershire",
    "York",
)


@dataclass(frozen=True)
class _Source:
    """What the generator draws from: the shipped cases and their sentences by field."""

    cases: tuple[Case, ...]
    sentences: dict[str, list[tuple[str, str]]]  # field -> (sentence, name of the case it came from)
    keywords: tuple[str, ...]
    areas: tuple[str, ...]


def _split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def load_source(corpus_dir: Path) -> _Source:
    """The cases of every digest in the shipped corpus, and pools of their sentences by field."""
    cases: list[Case] = []
    for path in corpus_files(corpus_dir):
        text = read_text(path)
        if is_digest(text):
            cases.extend(parse_digest(text, path, path.name))
    if not cases:
        raise ValueError(f"no digest cases in {corpus_dir} to recombine")
    sentences: dict[str, list[tuple[str, str]]] = {name: [] for name, _ in _FIELDS}
    for case in cases:
        for name, _ in _FIELDS:
            sentences[name].extend((s, case.name) for s in _split_sentences(getattr(case, name)))
    keywords = tuple(dict.fromkeys(k for c in cases for k in c.keywords))
    areas = tuple(dict.fromkeys([*(c.area for c in cases), *_AREAS]))
    return _Source(tuple(cases), sentences, keywords, areas)


def _rename(sentence: str, old: str, new: str) -> str:
    """The sentence with the child's name of its own case replaced by the synthetic case's."""
    if len(old) < 2 or old.lower().startswith(("a ", "the ")):
        return sentence
    return re.sub(rf"\b{re.escape(old)}\b", new, sentence)


def _sentence(pool: Sequence[tuple[str, str]], rng: random.Random, name: str) -> str:
    """A sentence of one field: most often the opening clauses of one shipped sentence joined to the
    closing clauses of another of the same field, with ages and dates varied; else one as it is."""
    text, old = rng.choice(pool)
    text = _rename(text, old, name)
    if rng.random() < MIX_SHARE:
        other, other_old = rng.choice(pool)
        head, tail = _CLAUSE_END.split(text), _CLAUSE_END.split(_rename(other, other_old, name))
        if len(head) + len(tail) > 2:
            cut, start = rng.randint(1, len(head)), rng.randint(0, len(tail) - 1)
            if cut < len(head) or start > 0:
                left, right = " ".join(head[:cut]).rstrip(" .;,"), " ".join(tail[start:])
                text = f"{left[:1].upper()}{left[1:]}; {right}"
    text = _AGE.sub(lambda m: f"{rng.randint(1, 17 if m['unit'].startswith('year') else 11)}-{m['unit']}", text)
    return _DATE.sub(lambda m: f"{rng.choice(_MONTHS)} {rng.randint(2005, 2024)}", text)


def _case_text(source: _Source, rng: random.Random, serial: int) -> str:
    """One synthetic digest entry: a shipped case's shape (which sections, and about how long each is)
    filled with sentences drawn from the same section of any shipped case."""
    template = rng.choice(source.cases)
    name = f"Child {chr(ord('A') + serial % 26)}{serial:04d}"
    heading = f"{rng.choice(_MONTHS)} {rng.randint(2010, 2025)} - {rng.choice(source.areas)} - {name}"
    paragraphs = [heading]
    for field_name, label in _FIELDS:
        target = len(getattr(template, field_name))
        pool = source.sentences[field_name]
        if not target or not pool:
            continue
        sentences = [_sentence(pool, rng, name)]
        while True:  # about as many characters as the template's section: the same length distribution
            following = _sentence(pool, rng, name)
            if sum(len(s) + 1 for s in sentences) + len(following) / 2 > target:
                break
            sentences.append(following)
        text = " ".join(sentences)
        paragraphs.append(f"{label}: {text}" if label else text)
    count = min(len(template.keywords), len(source.keywords))
    if count:
        paragraphs.append("Keywords: " + ", ".join(rng.sample(source.keywords, count)))
    return "\n\n".join(paragraphs)


def _digest(cases: Sequence[str], number: int, total: int) -> str:
    head = (
        f"Synthetic case reviews for the scale benchmark (file {number} of {total})\n\n"
        "Recombined from the sentences of the shipped case reviews; not real cases."
    )
    return "\n\n".join([head, *cases]) + "\n"


def _chunk_lengths(cases: list[Case], count_tokens: Callable[[str], int], settings: Settings) -> list[int]:
    return [count_tokens(c.embed_text) for c in chunk_records(cases, count_tokens, settings)]


def calibrate(
    source: _Source, count_tokens: Callable[[str], int], settings: Settings, seed: int = SEED, cases: int = 0
) -> dict[str, Any]:
    """Chunks per synthetic case, measured by the real parser and chunker on a sample."""
    cases = cases or CALIBRATION_CASES
    rng = random.Random(seed + 1)
    text = _digest([_case_text(source, rng, 90_000 + n) for n in range(cases)], 1, 1)
    parsed = parse_digest(text, Path("calibration.txt"), "calibration.txt")
    lengths = _chunk_lengths(parsed, count_tokens, settings)
    return {"cases": len(parsed), "chunks": len(lengths), "chunks_per_case": len(lengths) / len(parsed)}


def generate_corpus(
    out_dir: Path,
    target_chunks: int,
    count_tokens: Callable[[str], int],
    settings: Settings | None = None,
    source_dir: Path = Path("corpus"),
    seed: int = SEED,
    cases_per_file: int = CASES_PER_FILE,
) -> dict[str, Any]:
    """Write digest files of synthetic cases to ``out_dir`` (emptied first), about ``target_chunks``
    chunks in all once the real chunker splits them; returns what was generated."""
    settings = settings or Settings()
    source = load_source(source_dir)
    calibration = calibrate(source, count_tokens, settings, seed)
    cases = max(2, round(target_chunks / calibration["chunks_per_case"]))
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    rng = random.Random(seed)
    files = (cases + cases_per_file - 1) // cases_per_file
    for number in range(files):
        first = number * cases_per_file
        entries = [_case_text(source, rng, serial) for serial in range(first, min(cases, first + cases_per_file))]
        (out_dir / f"synthetic-{number + 1:04d}.txt").write_text(_digest(entries, number + 1, files), encoding="utf-8")
    return {
        "target_chunks": target_chunks,
        "cases": cases,
        "files": files,
        "cases_per_file": cases_per_file,
        "seed": seed,
        "source_cases": len(source.cases),
        "source_sentences": sum(len(pool) for pool in source.sentences.values()),
        "calibration": {k: round(v, 3) if isinstance(v, float) else v for k, v in calibration.items()},
        "expected_chunks": round(cases * calibration["chunks_per_case"]),
    }


def held_out_texts(
    count: int, count_tokens: Callable[[str], int], settings: Settings, source_dir: Path, seed: int = SEED
) -> list[str]:
    """Chunk texts of freshly generated cases that are not in the corpus (another seed), to use as queries."""
    source = load_source(source_dir)
    rng = random.Random(seed + 2)
    text = _digest([_case_text(source, rng, 95_000 + n) for n in range(count)], 1, 1)
    chunks = chunk_records(parse_digest(text, Path("held-out.txt"), "held-out.txt"), count_tokens, settings)
    return [c.embed_text for c in random.Random(seed + 3).sample(chunks, min(count, len(chunks)))]


def length_profile(lengths: Sequence[int]) -> dict[str, float]:
    """Percentiles of chunk lengths in word pieces (header included)."""
    values = np.asarray(lengths, dtype=np.float64)
    return {f"p{p}": round(float(np.percentile(values, p)), 1) for p in (10, 25, 50, 75, 90, 99)} | {
        "mean": round(float(values.mean()), 1)
    }
