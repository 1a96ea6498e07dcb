"""The stock of lessons: extraction with sources, grouping into recurring lessons, key lessons, briefings, and the
links kept in the learning database checked after a rebuild (fake embedder, fixed fixture corpus)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from docx import Document as WordDocument

from assistant.cli import main
from assistant.errors import ConflictError, StorageError
from assistant.indexing.build import build_index
from assistant.indexing.store import read_index
from assistant.library import actions as act
from assistant.library import briefing as brief
from assistant.library import key_lessons as kl
from assistant.library import notes
from assistant.library.lessons import (
    Lesson,
    LessonError,
    LessonSource,
    LessonStock,
    extract_lessons,
    group_lessons,
    is_tally,
    lesson_key,
    theme_key_of,
)
from assistant.library.links import check_links
from assistant.library.schema import quote_hash
from assistant.library.storage import Store
from assistant.records import Case
from assistant.search.filters import Filters
from assistant.settings import Settings

from .conftest import SHIPPED_CORPUS

REFERENCE = re.compile(r"^(?:.+ (?:LSCB|Safeguarding Children Partnership)) \((?:\d{4}|n\.d\.)\) .+\.$")


@pytest.fixture
def stock(fake_index: Settings) -> LessonStock:
    return LessonStock(read_index(fake_index.index_dir), 0.575)


def _lesson(case_id: str, year: int, text: str, kind: str = "finding", themes: tuple[str, ...] = ()) -> Lesson:
    source = LessonSource(case_id, f"Area - {case_id}", "Area", year, "Key issues", text)
    return Lesson(lesson_key(case_id, text), kind, source, themes, ())


def test_every_lesson_is_a_verbatim_quote_of_a_lesson_section_keyed_by_case_and_words(fake_index: Settings) -> None:
    index = read_index(fake_index.index_dir)
    lessons = extract_lessons(index)
    cases = {r.case_id: r for r in index.records if isinstance(r, Case)}
    fields = {"Key issues": "key_issues", "Findings": "findings", "Learning": "learning"}
    fields["Recommendations"] = "recommendations"
    assert len(lessons) > 30
    assert {m.kind for m in lessons} == {"finding", "learning point", "recommendation"}
    for m in lessons:
        assert m.text in getattr(cases[m.source.case_id], fields[m.source.section])
        assert m.key == f"{m.source.case_id}#{quote_hash(m.text)}"
    assert len({m.key for m in lessons}) == len(lessons)
    blackpool = [m for m in lessons if m.source.case_id == "2015-03-blackpool-baby-q"]
    learning = next(m for m in blackpool if m.kind == "learning point")
    assert "midwife" in learning.roles and "health-visitor" in learning.roles
    assert "domestic-abuse" in learning.themes
    assert REFERENCE.match(learning.source.reference)
    assert learning.source.link.startswith("source=2015-03-blackpool-baby-q&section=learning&q=")


def test_keys_survive_a_rebuild(fake_index: Settings, fake_embedder: object) -> None:
    before = [m.key for m in extract_lessons(read_index(fake_index.index_dir))]
    build_index(fake_index, embedder=fake_embedder, progress=False, full=True)
    assert [m.key for m in extract_lessons(read_index(fake_index.index_dir))] == before


def test_a_tally_of_findings_is_not_a_lesson() -> None:
    assert is_tally("the review reached nine findings and made fifteen recommendations.")
    assert is_tally("eight findings and fourteen recommendations.")
    assert not is_tally("agencies accepted the findings")
    assert not is_tally("18 recommendations addressed to the LSCB, mostly about procedures")


def test_near_identical_lessons_of_different_reviews_recur_with_their_count_and_years() -> None:
    lessons = [
        _lesson("a", 2013, "no agency held the full picture"),
        _lesson("b", 2025, "no one had the full picture of the family"),
        _lesson("c", 2019, "agencies did not pool what they knew"),
        _lesson("d", 2015, "the baby slept in an adult bed"),
    ]
    vectors = np.array([[1, 0, 0], [0.95, 0.31, 0], [0.9, 0, 0.43], [0, 0, 1]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    groups = group_lessons(lessons, vectors, 0.8)
    assert [g.reviews for g in groups] == [3, 1]
    top = groups[0]
    assert top.recurs == "recurs in 3 reviews, 2013\u20132025" and top.years == (2013, 2025)
    assert top.key == lessons[0].key  # the earliest lesson names the group: a link to any member finds it
    assert top.case_ids == ("a", "c", "b")
    assert groups[1].recurs == "in 1 review, 2015"
    assert [g.reviews for g in group_lessons(lessons, vectors, 0.99)] == [1, 1, 1, 1]  # stricter: nothing recurs


def test_select_by_theme_role_and_words(stock: LessonStock) -> None:
    abuse = stock.select(theme="domestic abuse")
    assert abuse and all(any("domestic-abuse" in m.themes for m in g.lessons) for g in abuse)
    assert stock.select(theme="DV") == abuse  # a wording of the theme finds it too
    police = stock.select(role="police officer")
    assert police and all(any("police" in m.roles for m in g.lessons) for g in police)
    found = stock.select(words="written agreements")
    assert found and all(any("written agreement" in m.text for m in g.lessons) for g in found)
    assert all(g.reviews >= 2 for g in stock.select(recurring=True))
    reviews = [g.reviews for g in stock.groups]
    assert reviews == sorted(reviews, reverse=True)
    with pytest.raises(LessonError, match="unknown theme 'weather'"):
        theme_key_of("weather")
    with pytest.raises(LessonError, match="no lesson with key"):
        stock.group("nothing#0000")


def test_a_key_lesson_is_versioned_and_audited(store: Store) -> None:
    quote = kl.SourceQuote("2015-03-blackpool-baby-q", "Learning", "importance of midwives and health visitors")
    made = kl.add_key_lesson(store, "Plan together", "Midwives and HVs plan as one.", [quote], "Amy", tags=["hv"])
    assert made.version == 1 and made.sources[0].key == f"2015-03-blackpool-baby-q#{quote_hash(quote.quote)}"
    kl.update_key_lesson(store, made.id, "Bea", opened=1, tags=["hv", "midwives"])
    with pytest.raises(ConflictError, match="changed by Bea"):
        kl.update_key_lesson(store, made.id, "Amy", opened=1, text="stale")
    assert kl.get_key_lesson(store, made.id).tags == ("hv", "midwives")
    assert [e["actor"] for e in kl.key_lesson_history(store, made.id)] == ["Amy", "Bea"]
    with pytest.raises(StorageError, match="at least one source quote"):
        kl.add_key_lesson(store, "No source", "words", [], "Amy")
    with pytest.raises(StorageError, match="needs its title"):
        kl.add_key_lesson(store, " ", "words", [quote], "Amy")


def _items(markdown: str) -> list[str]:
    parts = markdown.split("## Questions to reflect on")[0]
    return [line for line in parts.splitlines() if line.startswith("- ")]


def test_a_briefing_carries_every_item_to_its_source(fake_index: Settings, stock: LessonStock) -> None:
    records = read_index(fake_index.index_dir).records
    group = stock.select(theme="neglect")[0]
    made = brief.group_briefing(stock, records, group)
    text = brief.briefing_markdown(made)
    for heading in ("What happened", "Why it matters", "What to do", "Questions to reflect on", "Sources"):
        assert f"## {heading}" in text
    items = _items(text)
    assert items and made.questions
    sources = text.split("## Sources")[1]
    for item in items:
        n = int(re.search(r"\[(\d+)\]$", item).group(1))
        assert made.sources[n - 1].quote.split()[0] in item
        assert f"{n}. {made.sources[n - 1].reference}" in sources
    doc = WordDocument(io.BytesIO(brief.briefing_docx(made)))
    paragraphs = [p.text for p in doc.paragraphs]
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert len(bullets) == len(items)
    for bullet in bullets:
        n = int(re.search(r"\[(\d+)\]$", bullet).group(1))
        assert any(p.startswith(f"[{n}] {made.sources[n - 1].reference}") for p in paragraphs)


def test_a_theme_briefing_keeps_to_its_theme(fake_index: Settings, stock: LessonStock) -> None:
    made = brief.theme_briefing(stock, read_index(fake_index.index_dir).records, "domestic-abuse")
    assert made.title == "7-minute briefing: domestic abuse"
    assert made.matters or made.to_do
    for item in (*made.matters, *made.to_do):
        assert re.search(r"domestic (?:abuse|violence)|MARAC|coercive", item.text, re.I)


def _drop_case(corpus: Path, heading: str) -> None:
    path = corpus / "case-reviews-2015.txt"
    text = path.read_text(encoding="utf-8")
    start = text.index(heading)
    end = re.compile(r"^\w+ 2015 - ", re.M).search(text, start + len(heading)).start()
    path.write_text(text[:start] + text[end:], encoding="utf-8")


def test_a_rebuild_without_a_review_says_which_links_no_longer_resolve(
    fake_index: Settings, fake_embedder: object, store: Store
) -> None:
    stock = LessonStock(read_index(fake_index.index_dir), 0.575)
    blackpool = next(m for m in stock.lessons if m.source.case_id == "2015-03-blackpool-baby-q")
    oldham = next(m for m in stock.lessons if m.source.case_id == "2015-01-oldham-child-d")
    act.add_action(store, "2015-03-blackpool-baby-q", blackpool.text, "Health", act.parse_date("2025-01-01"), "Amy",
                   lesson_key=blackpool.key)  # fmt: skip
    act.add_action(store, "2015-01-oldham-child-d", oldham.text, "Police", act.parse_date("2025-01-01"), "Amy")
    note = notes.add_note(store, notes.NoteDraft("Near miss", "A referral was not passed on."), "Amy")
    notes.link_note(store, note.id, blackpool.key, "Amy")
    quote = kl.SourceQuote(blackpool.source.case_id, blackpool.source.section, blackpool.text)
    kl.add_key_lesson(store, "Plan together", "Plan as one.", [quote], "Amy")
    assert check_links(store, stock).broken == ()

    _drop_case(fake_index.corpus_dir, "March 2015 - Blackpool - Baby Q")
    build_index(fake_index, embedder=fake_embedder, progress=False)
    result = check_links(store, LessonStock(read_index(fake_index.index_dir), 0.575))
    kinds = sorted((b.kind, b.target) for b in result.broken)
    assert kinds == [("action", ""), ("action", blackpool.key), ("key-lesson", blackpool.key), ("note", blackpool.key)]
    assert {b.case_id for b in result.broken} == {"2015-03-blackpool-baby-q"}
    assert all(b.reason == "its review is not in the index" for b in result.broken)
    assert result.checked == 5 and "4 of 5 links no longer resolve" in result.line


def test_the_lessons_command(
    fake_index: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("SCR_INDEX_DIR", str(fake_index.index_dir))
    monkeypatch.setenv("SCR_DATA_DIR", str(tmp_path / "data"))
    assert main(["lessons", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["count"] == len(data["groups"]) > 0
    for group in data["groups"]:
        assert group["reviews"] == len({m["source"]["case_id"] for m in group["lessons"]})
        assert group["years"][0] <= group["years"][1]
        assert all(m["source"]["reference"] and m["source"]["quote"] for m in group["lessons"])
    assert main(["lessons", "--recurring", "--json"]) == 0
    assert all(g["reviews"] >= 2 for g in json.loads(capsys.readouterr().out)["groups"])
    assert main(["lessons", "--theme", "neglect", "--role", "social-worker", "--json"]) == 0
    for group in json.loads(capsys.readouterr().out)["groups"]:
        assert any("neglect" in m["themes"] and "social-worker" in m["roles"] for m in group["lessons"])
    assert main(["lessons", "--theme", "weather"]) != 0
    assert capsys.readouterr().err.startswith("error: unknown theme 'weather'")
    out = tmp_path / "briefing.md"
    assert main(["lessons", "--briefing", "theme:neglect", "--out", str(out)]) == 0
    assert "## What to do" in out.read_text(encoding="utf-8")
    assert main(["lessons", "--briefing", "theme:neglect", "--out", str(tmp_path / "b.pdf")]) != 0
    assert "FILE.docx or FILE.md" in capsys.readouterr().err
    assert main(["links", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["broken"] == []


def test_a_verdict_on_whether_the_death_was_foreseeable_is_no_lesson() -> None:
    from assistant.library.lessons import is_verdict

    assert is_verdict("The review concluded that the death could not have been predicted on the evidence available.")
    assert is_verdict("nothing known to professionals could have led them to foresee the abduction")
    assert is_verdict("the injuries were not preventable")
    assert not is_verdict("Professionals should consider whether the injury could have been caused deliberately.")
    assert not is_verdict("GPs must share information about parents' mental health with health visitors.")


@pytest.mark.parametrize(
    ("question", "recurring"),
    [
        ("what recommendations come up again and again", True),
        ("which lessons keep coming up in these reviews", True),
        ("what are the most common recommendations for police", True),
        ("what are the most common lessons about neglect", False),  # a topic: its learning, not the whole stock
        ("how do we stop the same lessons coming up again and again instead of sticking", False),
        ("how many reviews mention neglect", False),
    ],
)
def test_which_lessons_recur_is_asked_of_the_whole_stock(question: str, recurring: bool) -> None:
    from assistant.answer.question import interpret
    from assistant.library.recurring import asks_recurring_lessons

    assert asks_recurring_lessons(question, interpret(question)) is recurring


@pytest.mark.model
def test_which_lessons_recur_answers_from_the_stock_most_reviews_first(real_index: Path) -> None:
    from assistant.api import Assistant

    settings = Settings(corpus_dir=SHIPPED_CORPUS, index_dir=real_index)
    assistant = Assistant.load(settings=settings)
    answer = assistant.ask("which lessons keep coming up again and again?")
    index = read_index(real_index)
    recurring = [g for g in LessonStock(index, settings.lesson_similarity).groups if g.reviews >= 2]
    assert recurring  # the shipped reviews share lessons
    assert answer.text.startswith("The lessons that recur most across")
    numbers = [int(m) for m in re.findall(r"recurs in (\d+) reviews", answer.text)]
    assert numbers and numbers == sorted(numbers, reverse=True) and numbers[0] == recurring[0].reviews
    units = {(u.case_id, u.text) for u in index.units}
    assert answer.citations and all((c.case_id, c.quote) in units for c in answer.citations)  # verbatim
    filtered = assistant.ask("which lessons keep coming up again and again?", filters=Filters(year_from=2015))
    assert not filtered.text.startswith("The lessons that recur")  # the stock is the whole collection's
