"""The ``scr-assistant`` command line: build, search, cases. Errors become one line and exit 2."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from assistant import cli_learning
from assistant.answer.roles import ROLES
from assistant.errors import ScrError
from assistant.ingest.facets import AGE_BANDS, HARM_TYPES, REVIEW_MODELS
from assistant.ingest.readers import format_names
from assistant.search.filters import Filters
from assistant.settings import RETRIEVERS, Settings, either

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
    build.add_argument("--full", action="store_true", help="embed every chunk again, not only new or changed ones")
    build.add_argument("--json", action="store_true", help="print the build summary as JSON")

    add = sub.add_parser("add", help=f"add review files ({format_names()}) to the corpus and index them")
    common(add)
    add.add_argument("paths", nargs="+", type=Path, help="files, or folders to add recursively")
    add.add_argument("--corpus", type=Path, help="corpus folder (default: $SCR_CORPUS_DIR or ./corpus)")
    add.add_argument("--json", action="store_true", help="print the summary as JSON")
    add.add_argument("--replace", action="store_true", help="replace corpus files of the same name (newer versions)")

    search = sub.add_parser("search", help="find the cases that best match a query")
    common(search)
    search.add_argument("query", nargs="+", help="what to look for, in your own words")
    search.add_argument("--k", type=int, help="how many cases to show (default 5)")
    search.add_argument("--json", action="store_true", help="print JSON")
    others = either(tuple(r for r in RETRIEVERS if r != Settings.retriever))
    search.add_argument("--retriever", choices=RETRIEVERS, help=f"{Settings.retriever} (default), {others}")
    _filter_args(search)

    ask = sub.add_parser("ask", help="ask a question; get cited learning from the reviews")
    common(ask)
    ask.add_argument("question", nargs="+", help="your question, in your own words")
    ask.add_argument("--role", help=f"profession lens: {', '.join(ROLES)}")
    ask.add_argument("--json", action="store_true", help="print JSON")
    _filter_args(ask)

    source = sub.add_parser("source", help="a cited passage in its section, or its PDF page as an image")
    common(source)
    source.add_argument("case_id", help="the case or document id (as ask --json's citations name it)")
    source.add_argument("--section", help="the section to show (default: the one holding --page, else the first)")
    source.add_argument("--page", type=int, help="a PDF report's page (1-based)")
    source.add_argument("--quote", default="", help="the quoted text to mark (as ask --json gives it)")
    source.add_argument("--png", type=Path, help="write the PDF page, the quote highlighted, to this PNG file")
    source.add_argument("--json", action="store_true", help="print JSON")

    chat = sub.add_parser("chat", help="a conversation in the terminal (follow-up questions use the history)")
    common(chat)
    chat.add_argument("--role", help=f"profession lens: {', '.join(ROLES)}")

    bench = sub.add_parser("bench", help="time search and ask on this machine (median and p95)")
    common(bench)
    bench.add_argument("--queries", type=Path, default=Path("eval/queries.jsonl"), help="questions to time")
    bench.add_argument("--repeat", type=int, default=3, help="timed passes over the questions")
    bench.add_argument("--json", action="store_true", help="print JSON")
    bench.add_argument("--chunks", type=int, default=0, help="also time a synthetic index of N chunks")
    bench.add_argument(
        "--encoders", action="store_true", help="instead, compare the torch, ONNX and ONNX int8 encoders"
    )
    bench.add_argument(
        "--source", action="store_true", help="instead, time rendering the pages of a generated 150-page PDF report"
    )
    bench.add_argument("--scale", type=int, default=0, help="instead, the scale benchmark on about N synthetic chunks")
    bench.add_argument("--scale-dir", type=Path, help="folder for the scale corpus and index (default: a temp folder)")
    bench.add_argument("--reuse", action="store_true", help="with --scale: reuse a build of the same synthetic corpus")

    doctor = sub.add_parser("doctor", help="check the index against its manifest and the corpus")
    common(doctor)

    ui = sub.add_parser("ui", help="start the browser app (Streamlit) on this machine")
    common(ui)
    ui.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    ui.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")

    feedback = sub.add_parser("feedback", help="trainers' thumbs up/down on answers, stored locally")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True, metavar="ACTION")
    export = feedback_sub.add_parser("export", help="turn helpful answers into evaluation queries (JSON lines)")
    export.add_argument("--data", type=Path, help="feedback folder (default: $SCR_DATA_DIR or ./data)")
    export.add_argument("--out", type=Path, help="write to this file instead of printing")
    export.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    export.add_argument("--model", help=argparse.SUPPRESS)

    evaluate = sub.add_parser("eval", help="measure retrieval quality on a gold query set")
    common(evaluate)
    evaluate.add_argument("--queries", type=Path, required=True, help="gold queries, JSON lines")
    evaluate.add_argument(
        "--corpus",
        dest="corpora",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="corpus folder(s) to evaluate on (built into an index of their own if needed)",
    )
    evaluate.add_argument(
        "--answers",
        action="store_true",
        help="also ask every question and score the answers (questions file with kinds, personas, counts)",
    )
    evaluate.add_argument(
        "--check", action="store_true", help="only check the questions file against the corpus (ids, kinds, sizes)"
    )
    evaluate.add_argument(
        "--panel", action="store_true", help="write each (unjudged) question's answer to --out, for a blind panel"
    )
    evaluate.add_argument("--split", choices=["dev", "holdout", "all"], default="all", help="which questions to use")
    evaluate.add_argument("--out", type=Path, help="with --answers: write every figure and per-question row as JSON")
    evaluate.add_argument("--retriever", choices=[*RETRIEVERS, "all"], default="all", help="default: all")
    evaluate.add_argument("--k", type=int, default=10, help="cut-off of nDCG and recall (default 10)")
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.add_argument("--report", type=Path, help="write a Markdown report and a PNG chart to this folder")
    evaluate.add_argument("--out-of-scope", type=Path, help="questions the corpus cannot answer: calibrate 'no answer'")
    evaluate.add_argument(
        "--encoders",
        action="store_true",
        help="instead, each encoder's hybrid nDCG@10 and speed, with the change against torch (as bench --encoders)",
    )

    cases = sub.add_parser("cases", help="list every case and document in the index")
    common(cases)
    cases.add_argument("--json", action="store_true", help="print JSON")
    cli_learning.add_parsers(sub)
    return parser


def _filter_args(parser: argparse.ArgumentParser) -> None:
    filters = parser.add_argument_group("filters")
    filters.add_argument("--year", help="a year (2015) or a range (2014-2016)")
    filters.add_argument("--area", help="local area, e.g. Oldham")
    filters.add_argument("--review-model", help=f"review model: {', '.join(REVIEW_MODELS)} or other")
    filters.add_argument("--keyword", help="a keyword of the case, e.g. neglect")
    filters.add_argument("--age-band", help=f"age of the child: {', '.join(AGE_BANDS)}")
    filters.add_argument("--harm", help=f"harm type: {', '.join(HARM_TYPES)}")


def _filters(args: argparse.Namespace) -> Filters:
    return Filters.from_strings(
        year=args.year,
        area=args.area,
        review_model=args.review_model,
        keyword=args.keyword,
        age_band=args.age_band,
        harm=args.harm,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(
            index_dir=args.index,
            model=args.model,
            corpus_dir=getattr(args, "corpus", None) or (getattr(args, "corpora", None) or [None])[0],
            k=getattr(args, "k", None) if args.command == "search" else None,
        )
        commands = {
            "build": _build,
            "add": _add,
            "search": _search,
            "cases": _cases,
            "eval": _eval,
            "ask": _ask,
            "chat": _chat,
            "source": _source,
            "bench": _bench,
            "ui": _ui,
            "feedback": _feedback,
            "doctor": _doctor,
            **{name: cli_learning.run for name in cli_learning.COMMANDS},
        }
        return commands[args.command](args, settings)
    except ScrError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as exc:  # a path that cannot be read or written: the user's to fix, like the rest
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.indexing.build import build_index

    report = build_index(settings, on_stage=lambda m: print(m, file=sys.stderr), full=args.full)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.summary())
    return 0


def _add(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when every file was added, 1 when some were refused (the others are still added)."""
    from assistant.indexing.intake import add_files

    report = add_files(args.paths, settings, on_stage=lambda m: print(m, file=sys.stderr), replace=args.replace)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        for refused in report.refused:
            print(f"refused {refused.reason}", file=sys.stderr)
        print(report.summary().split("\n", len(report.refused))[-1])
    return 1 if report.refused else 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.api import Assistant, cut_notice

    query = " ".join(args.query)
    if cut_notice(query):
        print(f"note: {cut_notice(query)}", file=sys.stderr)
    filters = _filters(args)
    hits = Assistant.load(settings=settings).search(query, k=settings.k, filters=filters, retriever=args.retriever)
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
    from assistant.indexing.store import read_index

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


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from assistant.api import Assistant
    from assistant.evaluation.evaluate import (
        ALL_RETRIEVERS,
        calibrate_no_answer,
        evaluate,
        index_matches_corpus,
        load_lines,
        load_queries,
        unknown_ids,
        write_report,
    )
    from assistant.indexing.build import build_index
    from assistant.indexing.embed import load_embedder

    if args.k < 1:
        raise ScrError("--k must be at least 1")
    if args.encoders:
        return _eval_encoders(args, settings)
    if args.answers or args.check or args.panel:
        return _eval_answers(args, settings)
    queries = load_queries(args.queries)
    embedder = load_embedder(settings)
    with tempfile.TemporaryDirectory(prefix="scr-eval-") as tmp:
        if args.corpora and len(args.corpora) > 1:
            settings = _combined_settings(args.corpora, settings)
            build_index(settings, embedder=embedder)
        elif args.corpora is not None and not index_matches_corpus(settings):
            print(f"building a temporary index of {settings.corpus_dir} ...", file=sys.stderr)
            settings = settings.replace(index_dir=Path(tmp) / "index")
            build_index(settings, embedder=embedder)
        assistant = Assistant.load(settings=settings, embedder=embedder)
        missing = unknown_ids(assistant, queries)
        if missing:
            print(f"note: {len(missing)} relevant ids are not in the index: {', '.join(missing)}", file=sys.stderr)
        retrievers = ALL_RETRIEVERS if args.retriever == "all" else (args.retriever,)
        result = evaluate(assistant, queries, retrievers, k=args.k)
        if args.out_of_scope:
            result["no_answer"] = calibrate_no_answer(assistant, queries, load_lines(args.out_of_scope))
    if args.report:
        for path in write_report(result, args.report, title=f"Retrieval evaluation: {args.queries.name}"):
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    if "no_answer" in result:
        print("no-answer calibration: " + json.dumps(result["no_answer"]))
    print(f"{result['queries']} queries")
    _print_retrieval(result)
    return 0


def _print_retrieval(result: dict) -> None:
    for name, values in result["retrievers"].items():
        metrics = "  ".join(f"{m} {v:.3f}" for m, v in values.items() if m != "by_kind")
        print(f"{name:<7} {metrics}")
        for kind, by_kind in values["by_kind"].items():
            print(f"    {kind:<11}" + "  ".join(f"{m} {v:.3f}" for m, v in by_kind.items()))


def _combined_settings(corpora: Sequence[Path], settings: Settings) -> Settings:
    """Settings for one corpus made of several folders, with its own reusable index (under the cache)."""
    from assistant.evaluation.quality import combined_corpus

    cache = Path.home() / ".cache" / "scr-assistant" / "eval-corpora"
    corpus = combined_corpus(corpora, cache)
    print(f"evaluating on {', '.join(map(str, corpora))} (copied to {corpus.parent})", file=sys.stderr)
    return settings.replace(corpus_dir=corpus, index_dir=corpus.parent / "index")


def _eval_answers(args: argparse.Namespace, settings: Settings) -> int:
    """Ask every question of a judged set and print what users meet (eval --answers), or only check the set."""
    from assistant.api import Assistant
    from assistant.evaluation.evaluate import GoldQuery, evaluate
    from assistant.evaluation.quality import (
        RETRIEVAL_KINDS,
        check_questions,
        load_questions,
        load_role_terms,
        panel_answers,
        score_answers,
    )
    from assistant.indexing.build import build_index
    from assistant.indexing.embed import load_embedder
    from assistant.ingest.parse import load_corpus

    questions = load_questions(args.queries, judged=not args.panel)
    corpora = args.corpora or [settings.corpus_dir]
    if args.check:
        known = [r.case_id for folder in corpora for r in load_corpus(folder)]
        problems = check_questions(questions, known, args.queries)
        for problem in problems:
            print(problem)
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(Counter(q.kind for q in questions).items()))
        print(f"{len(questions)} questions over {len(set(known))} cases ({kinds}): {len(problems)} problems")
        return 1 if problems else 0
    if args.split != "all":
        questions = [q for q in questions if q.split == args.split]
    embedder = load_embedder(settings)
    settings = _combined_settings(corpora, settings)
    build_index(settings, embedder=embedder)
    assistant = Assistant.load(settings=settings, embedder=embedder)
    if args.panel:
        rows = panel_answers(assistant, questions)
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        else:
            print(text, end="")
        return 0
    gold = [GoldQuery(q.qid, q.query, q.relevant, q.kind) for q in questions if q.kind in RETRIEVAL_KINDS]
    result: dict = {"retrieval": evaluate(assistant, gold, ("hybrid",), k=args.k) if gold else None}
    result["answers"] = score_answers(assistant, questions, load_role_terms(args.queries.parent / "role_terms.json"))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps({**result, "answers": {k: v for k, v in result["answers"].items() if k != "rows"}}, indent=2))
        return 0
    if result["retrieval"]:
        print(f"retrieval ({len(gold)} questions of kinds {', '.join(RETRIEVAL_KINDS)}):")
        _print_retrieval(result["retrieval"])
    answers = result["answers"]
    print(f"answers ({answers['overall']['questions']} questions):")
    for name, figures in [("overall", answers["overall"]), *answers["by_kind"].items(), *answers["by_split"].items()]:
        shown = "  ".join(f"{k} {v}" for k, v in figures.items() if v is not None and k != "questions")
        print(f"  {name:<9} n={figures['questions']:<4} {shown}")
    return 0


def _eval_encoders(args: argparse.Namespace, settings: Settings) -> int:
    """Every encoder on the same corpus and questions: nDCG@10 and speed, against torch."""
    from assistant.evaluation.bench import compare_encoders
    from assistant.indexing.embed import encoder_choice

    if args.corpora:
        settings = settings.replace(corpus_dir=args.corpora[0])
    result = compare_encoders(settings, args.queries, repeat=1)
    default = encoder_choice(settings)
    if args.json:
        print(json.dumps({"default": default, "encoders": result}, indent=2))
        return 0
    print(f"{'encoder':<18}{'nDCG@10':>9}{'change':>9}{'encode':>9}{'query':>8}")
    for name, row in result.items():
        label = f"{name} (default)" if name == default else name
        change = row.get("ndcg@10_change", 0.0)
        encode, query = row.get("encode_speedup", 1.0), row.get("query_speedup", 1.0)
        print(f"{label:<18}{row['ndcg@10']:>9.4f}{change:>+9.4f}{encode:>8.2f}x{query:>7.2f}x")
    print("change and speed-ups against torch, the reference implementation of the model")
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.api import Assistant

    question = " ".join(args.question)
    answer = Assistant.load(settings=settings).ask(question, filters=_filters(args), role=args.role)
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
    else:
        if answer.notice:
            print(f"note: {answer.notice}", file=sys.stderr)
        print(answer.text)
        _print_sources(answer)
    return 0


def _print_sources(answer) -> None:  # noqa: ANN001 - an Answer
    if answer.citations:
        print("\nSources:")
        for c in answer.citations:
            page = f", page {c.page}" if c.page else ""
            print(f"  [{c.n}] {c.title} ({c.case_id}), {c.section}{page}")


def _source(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.answer.source import source_view
    from assistant.api import Assistant
    from assistant.ingest.pages import render_page

    if args.page is not None and args.page < 1:
        raise ScrError("--page must be 1 or more")
    view = source_view(Assistant.load(settings=settings), args.case_id, args.section, args.page, args.quote)
    if args.quote and not view.highlights:
        print(f"note: the quote is not in {view.case_id} / {view.section}", file=sys.stderr)
    if args.png:
        if view.file is None:
            raise ScrError(f"{view.case_id} is not from a PDF file in the corpus: there is no page to render")
        image = render_page(view.file, args.page or view.page or 1, view.quote, settings.page_scale)
        args.png.write_bytes(image.png)
        print(f"wrote page {image.page} of {image.page_count} to {args.png} ({len(image.boxes)} highlight(s))")
        return 0
    if args.json:
        print(json.dumps(view.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(view.title)
    print(" · ".join(value for _, value in view.facts))
    where = f", page {view.page}" if view.page else ""
    print(f"\n{view.section}{where}\n")
    print(view.marked())
    around = [f"previous: {view.previous}" if view.previous else "", f"next: {view.next}" if view.next else ""]
    if any(around):
        print("\n" + "; ".join(a for a in around if a))
    print(f"\nReference: {view.reference}\nLink: /?{view.link}")
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.api import Assistant

    assistant = Assistant.load(settings=settings)
    history = []
    print(
        "Ask about the case reviews; follow-up questions use the conversation so far. "
        "Type 'new' to start again, or 'quit'."
    )
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            print()
            return 0
        if question.lower() in {"quit", "exit", "q"}:
            return 0
        if question.lower() in {"new", "reset"}:
            history = []
            print("(new conversation)")
            continue
        if not question:
            continue
        try:
            answer = assistant.ask(question, history=history, role=args.role)
        except ScrError as exc:
            print(f"error: {exc}")
            continue
        history.append(answer)
        print()
        if answer.notice:
            print(f"note: {answer.notice}")
        print(answer.text)
        _print_sources(answer)


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation.bench import run_bench

    if args.repeat < 1:
        raise ScrError("--repeat must be at least 1")
    if args.scale:
        import tempfile

        from assistant.evaluation.scale import run_scale, summary

        if args.scale < 100:
            raise ScrError("--scale must be at least 100")
        scale_dir = args.scale_dir or Path(tempfile.gettempdir()) / f"scr-scale-{args.scale}"
        result = run_scale(settings, args.scale, scale_dir, args.queries, repeat=args.repeat, reuse=args.reuse)
        print(json.dumps(result, indent=2) if args.json else summary(result))
        return 0

    if args.source:
        from assistant.evaluation.bench_pages import page_bench, page_summary

        result = page_bench(settings, repeat=args.repeat)
        print(json.dumps(result, indent=2) if args.json else page_summary(result))
        return 0
    if args.encoders:
        from assistant.evaluation.bench import compare_encoders

        result = compare_encoders(settings, args.queries, repeat=args.repeat)
        print(json.dumps(result, indent=2))
        return 0
    result = run_bench(settings, args.queries, repeat=args.repeat, chunks=args.chunks)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for name, figures in result.items():
        if isinstance(figures, dict):
            print(f"{name:<12} " + "  ".join(f"{k} {v}" for k, v in figures.items()))
        else:
            print(f"{name:<12} {figures}")
    return 0


def ui_app() -> Path:
    """The Streamlit app: shipped inside the package (assistant/ui/, from a wheel) or beside it (ui/, a checkout)."""
    here = Path(__file__).resolve().parent
    candidates = (here / "ui" / "app.py", here.parent / "ui" / "app.py")
    for app in candidates:
        if app.is_file():
            return app
    raise ScrError(f"the browser app is not at {candidates[0]} or {candidates[1]}: reinstall scr-assistant")


def _ui(args: argparse.Namespace, settings: Settings) -> int:
    import math
    import os
    import subprocess

    from assistant.indexing.store import read_index

    app = ui_app()
    # a checkout's root holds .streamlit/config.toml; an installed package has only the app's own folder
    home = app.parent.parent if app.parent.parent != Path(__file__).resolve().parent else app.parent
    read_index(settings.index_dir)  # a missing or damaged index is one clear line here, before the server starts
    env = {
        **os.environ,
        "SCR_INDEX_DIR": str(settings.index_dir.resolve()),
        "SCR_DATA_DIR": str(settings.data_dir.resolve()),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "HF_HUB_OFFLINE": "1",
        "ORT_DISABLE_TELEMETRY": "1",  # ONNX Runtime's telemetry looks up an outside host otherwise
    }
    if settings.model:
        env["SCR_MODEL"] = settings.model
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(args.port),
        "--server.address",
        args.host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",  # uploads on the library page: the same limit per file as `add`
        str(max(1, math.ceil(settings.max_file_mb))),
    ]
    print(f"SCR learning assistant: open http://{args.host}:{args.port} in your browser (Ctrl+C stops it)", flush=True)
    if os.name == "posix":
        # become the server, so that a signal that stops this command (Ctrl+C, a service manager's or a
        # test's terminate) stops the server too instead of leaving it running on its own
        os.chdir(home)
        os.execve(sys.executable, command, env)
    try:
        return subprocess.call(command, env=env, cwd=home)
    except KeyboardInterrupt:
        return 0


def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.library.feedback import export_queries, read_feedback

    data_dir = args.data or settings.data_dir
    rows, damaged = read_feedback(data_dir)
    for problem in damaged:  # each damaged line is its own error; the other judgments are still exported
        print(f"{'note' if problem.unfinished else 'error'}: {problem}; that line is left out", file=sys.stderr)
    queries, skipped = export_queries(rows)
    text = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {len(queries)} queries to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    print(
        f"{len(queries)} helpful answers exported; {skipped} judgments left out (unhelpful, or citing no case)",
        file=sys.stderr,
    )
    return 1 if any(not p.unfinished for p in damaged) else 0


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.indexing.doctor import diagnose

    findings = diagnose(settings)
    for finding in findings:
        print(f"{'ok     ' if finding.ok else 'PROBLEM'} {finding.message}")
    return 0 if all(f.ok for f in findings) else 1
