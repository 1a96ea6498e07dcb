"""The command line of the stock of lessons: ``lessons`` (with briefings) and ``links`` (wired in by cli_learning)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.errors import ScrError
from assistant.settings import Settings

COMMANDS = ("lessons", "links")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """The ``lessons`` and ``links`` commands."""
    lessons = sub.add_parser("lessons", help="the stock of lessons: findings, learning and recommendations, recurring")
    lessons.set_defaults(model=None)
    lessons.add_argument("--index", type=Path, help="index folder (default: $SCR_INDEX_DIR or ./index)")
    lessons.add_argument("--theme", help="only lessons on this theme (a taxonomy key or label, e.g. neglect)")
    lessons.add_argument("--role", help="only lessons for this role (e.g. health-visitor, police)")
    lessons.add_argument("--search", default="", help="only lessons holding these words")
    lessons.add_argument("--recurring", action="store_true", help="only lessons that recur in two or more reviews")
    lessons.add_argument("--json", action="store_true", help="print JSON")
    lessons.add_argument(
        "--briefing",
        metavar="KEY|theme:T|key-lesson:ID",
        help="write the 7-minute briefing of a lesson (its key), a theme or a key lesson to --out",
    )
    lessons.add_argument("--out", type=Path, help="FILE.docx or FILE.md for --briefing")
    links = sub.add_parser("links", help="which notes, actions and key lessons no longer resolve to a review")
    links.set_defaults(model=None)
    links.add_argument("--index", type=Path, help="index folder (default: $SCR_INDEX_DIR or ./index)")
    links.add_argument("--json", action="store_true", help="print JSON")


def stock_of(settings: Settings):  # noqa: ANN201 - a LessonStock (imported late: the numpy/scipy cost)
    """The lessons of the live index the settings name."""
    from assistant.indexing.store import read_index
    from assistant.library.lessons import LessonStock

    return LessonStock(read_index(settings.index_dir), settings.lesson_similarity)


def run_lessons(args: argparse.Namespace, settings: Settings) -> int:
    """List lessons (recurring first), or write a briefing."""
    stock = stock_of(settings)
    if args.briefing:
        return _briefing(args, settings, stock)
    if args.out:
        raise ScrError("--out is for --briefing")
    groups = stock.select(theme=args.theme, role=args.role, words=args.search, recurring=args.recurring)
    if args.json:
        data = {"similarity": settings.lesson_similarity, "count": len(groups), "groups": [g.to_dict() for g in groups]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for g in groups:
        print(f"{g.recurs}  [{g.key}]\n  {g.text}")
        for m in g.lessons:
            print(f"    - {m.source.reference} \u201c{m.text}\u201d")
    print(f"{len(groups)} lesson(s)" + (" recurring in two or more reviews" if args.recurring else ""))
    return 0


def _briefing(args: argparse.Namespace, settings: Settings, stock) -> int:  # noqa: ANN001 - a LessonStock
    from assistant.indexing.store import read_index
    from assistant.library import briefing as brief

    if args.out is None or args.out.suffix.lower() not in (".docx", ".md"):
        raise ScrError("a briefing is written with --out FILE.docx or FILE.md")
    records = read_index(settings.index_dir).records
    what = args.briefing
    if what.startswith("theme:"):
        made = brief.theme_briefing(stock, records, what.removeprefix("theme:"))
    elif what.startswith("key-lesson:"):
        made = brief.key_lesson_briefing(stock, records, _key_lesson(settings, what.removeprefix("key-lesson:")))
    else:
        made = brief.group_briefing(stock, records, stock.group(what))
    if args.out.suffix.lower() == ".docx":
        args.out.write_bytes(brief.briefing_docx(made))
    else:
        args.out.write_text(brief.briefing_markdown(made), encoding="utf-8")
    print(f"briefing '{made.title}' ({len(made.sources)} sources) written to {args.out}")
    return 0


def _key_lesson(settings: Settings, ident: str):  # noqa: ANN202 - a KeyLesson
    from assistant.library.key_lessons import get_key_lesson
    from assistant.library.storage import Store

    if not ident.isdigit():
        raise ScrError(f"key-lesson:ID takes the key lesson's number, got {ident!r}")
    store = Store.open(settings)
    try:
        return get_key_lesson(store, int(ident))
    finally:
        store.close()


def run_links(args: argparse.Namespace, settings: Settings) -> int:
    """Check every kept link against the live index; exit 1 when any no longer resolves."""
    from assistant.library.links import check_links
    from assistant.library.storage import Store

    stock = stock_of(settings)
    store = Store.open(settings)
    try:
        result = check_links(store, stock)
    finally:
        store.close()
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(result.line)
        for b in result.broken:
            print(f"  {b.kind} {b.id} ({b.title}): {b.case_id} {b.target} - {b.reason}")
    return 1 if result.broken else 0
