"""The ``scr-assistant`` command line: build, search, cases. Errors become one line and exit 2."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from assistant.errors import ScrError
from assistant.settings import Settings

EXIT_USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scr-assistant",
        description="Search and learn from serious case reviews, offline.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", type=Path, help="index folder (default: $SCR_INDEX_DIR or ./index)")
        p.add_argument("--model", help="local sentence-transformers model folder (default: bundled)")

    build = sub.add_parser("build", help="parse the corpus and build the search index")
    common(build)
    build.add_argument("--corpus", type=Path, help="corpus folder (default: $SCR_CORPUS_DIR or ./corpus)")

    search = sub.add_parser("search", help="find the cases that best match a query")
    common(search)
    search.add_argument("query", nargs="+", help="what to look for, in your own words")
    search.add_argument("--k", type=int, help="how many cases to show (default 5)")
    search.add_argument("--json", action="store_true", help="print JSON")

    cases = sub.add_parser("cases", help="list every case and document in the index")
    common(cases)
    cases.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(
            index_dir=args.index,
            model=args.model,
            corpus_dir=getattr(args, "corpus", None),
            k=getattr(args, "k", None),
        )
        return {"build": _build, "search": _search, "cases": _cases}[args.command](args, settings)
    except ScrError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.build import build_index

    print(f"building the index from {settings.corpus_dir} ...", file=sys.stderr)
    report = build_index(settings, on_stage=lambda m: print(m, file=sys.stderr))
    print(
        f"built {report.cases} cases and {report.documents} documents into {report.chunks} chunks "
        f"in {report.seconds:.1f} s -> {settings.index_dir}"
    )
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.api import Assistant

    query = " ".join(args.query)
    hits = Assistant.load(settings=settings).search(query, k=settings.k)
    if args.json:
        print(json.dumps({"query": query, "results": [h.to_dict() for h in hits]}, indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print("no matching cases")
    for n, hit in enumerate(hits, start=1):
        when = f", {hit.year}" if hit.year else ""
        print(f"{n}. {hit.title}{when}  [{hit.case_id}]  score {hit.score:.3f}")
        body = textwrap.fill(
            f"{hit.section}: {hit.passage}",
            width=96,
            initial_indent="   ",
            subsequent_indent="   ",
            max_lines=6,
            placeholder=" ...",
        )
        print(body)
    return 0


def _cases(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.api import Assistant
    from assistant.store import read_index

    # Listing needs no model: read the index only.
    records = (
        read_index(settings.index_dir).records if not settings.model else Assistant.load(settings=settings).records()
    )
    rows = [
        {
            "case_id": r.case_id,
            "title": r.title,
            "kind": r.kind,
            "year": r.year,
            "month": getattr(r, "month", None),
            "area": r.area,
            "keywords": list(getattr(r, "keywords", ())),
            "source": r.source,
            "line": r.line,
        }
        for r in records
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        print(f"{row['case_id']:<48} {row['year'] or '':<5} {row['title']}")
    print(f"{sum(r['kind'] == 'case' for r in rows)} cases, {sum(r['kind'] != 'case' for r in rows)} documents")
    return 0
