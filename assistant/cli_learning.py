"""The command line of what users keep: ``actions``, ``notes`` and ``db`` (wired into ``assistant.cli``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant import cli_lessons
from assistant.errors import IdentifyingDetailsError, StorageError
from assistant.settings import ACTION_STATUSES, Settings

EXIT_NOT_SAVED = 1
COMMANDS = ("actions", "notes", "db", *cli_lessons.COMMANDS)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """The ``actions``, ``notes`` and ``db`` commands with their sub-commands."""

    def leaf(parent: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=text)
        p.set_defaults(index=None, model=None)
        return p

    actions = sub.add_parser("actions", help="actions on recommendations, followed until their impact is evidenced")
    a_sub = actions.add_subparsers(dest="learning_command", required=True, metavar="ACTION")
    add = leaf(a_sub, "add", "record an action on a recommendation")
    add.add_argument("--source", required=True, help="the case id the recommendation comes from")
    add.add_argument("--recommendation", required=True, help="the recommendation's words, as quoted")
    add.add_argument("--owner", required=True, help="the agency that owns the action")
    add.add_argument("--due", required=True, help="due date, YYYY-MM-DD")
    add.add_argument("--lead", default="", help="the person who leads it")
    add.add_argument("--lesson", help="the recurring lesson it answers (its key)")
    add.add_argument("--json", action="store_true", help="print JSON")
    listing = leaf(a_sub, "list", "every action, with what needs attention")
    listing.add_argument("--overdue", action="store_true", help="only the overdue ones")
    listing.add_argument("--json", action="store_true", help="print JSON")
    upd = leaf(a_sub, "update", "change an action's status, evidence, owner, lead or dates")
    upd.add_argument("id", type=int)
    upd.add_argument("--status", choices=ACTION_STATUSES)
    upd.add_argument("--evidence", help="evidence that it was done, or of its impact")
    upd.add_argument("--owner")
    upd.add_argument("--lead")
    upd.add_argument("--due", help="YYYY-MM-DD")
    upd.add_argument("--review-date", help="YYYY-MM-DD")
    upd.add_argument("--version", type=int, help="the version you read: refused if someone changed it since")
    upd.add_argument("--json", action="store_true", help="print JSON")
    hist = leaf(a_sub, "history", "an action's audit trail: who changed what, when")
    hist.add_argument("id", type=int)
    report = leaf(a_sub, "report", "the board report: every action by status with its source")
    report.add_argument("--out", type=Path, required=True, help="FILE.docx or FILE.csv")

    notes = sub.add_parser("notes", help="learning notes from practice: episodes, audits, rapid reviews, near misses")
    n_sub = notes.add_subparsers(dest="learning_command", required=True, metavar="ACTION")
    nadd = leaf(n_sub, "add", "add a de-identified learning note (checked for identifying details first)")
    nadd.add_argument("--title", required=True)
    nadd.add_argument("--text", required=True, help="what happened: a file, or - for standard input")
    nadd.add_argument("--learned", default="", help="what was learned")
    nadd.add_argument("--setting", default="", help="where: a GP practice, a school, an emergency department...")
    nadd.add_argument("--when", help="month and year, YYYY-MM (or a year)")
    nadd.add_argument("--role", action="append", default=[], help="a role it concerns (repeatable)")
    nadd.add_argument("--theme", action="append", default=[], help="a theme (repeatable)")
    nadd.add_argument("--confirm-clean", action="store_true", help="save even though details were flagged")
    nadd.add_argument("--json", action="store_true", help="print JSON")
    nlist = leaf(n_sub, "list", "every learning note")
    nlist.add_argument("--json", action="store_true", help="print JSON")

    db = sub.add_parser("db", help="the learning database: backup, export, import")
    d_sub = db.add_subparsers(dest="learning_command", required=True, metavar="ACTION")
    backup = leaf(d_sub, "backup", "a consistent copy (SQLite: a database file; PostgreSQL: an export)")
    backup.add_argument("--out", type=Path, help="where (default: SCR_DATA_DIR/backups/learning-TIME.db)")
    export = leaf(d_sub, "export", "every record as JSON")
    export.add_argument("--out", type=Path, help="write to this file instead of printing")
    imp = leaf(d_sub, "import", "load an export into an empty database")
    imp.add_argument("file", type=Path)
    cli_lessons.add_parsers(sub)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one ``actions``, ``notes``, ``db``, ``lessons`` or ``links`` command."""
    from assistant.library.storage import Store

    if args.command in cli_lessons.COMMANDS:
        return {"lessons": cli_lessons.run_lessons, "links": cli_lessons.run_links}[args.command](args, settings)

    store = Store.open(settings)
    try:
        handler = {"actions": _actions, "notes": _notes, "db": _db}[args.command]
        return handler(args, settings, store)
    finally:
        store.close()


def _actions(args: argparse.Namespace, settings: Settings, store) -> int:
    from assistant.library import actions as act
    from assistant.library.board import board_csv, board_docx
    from assistant.library.people import command_line_user

    by = command_line_user(settings)
    now = act.today(settings)
    if args.learning_command == "add":
        due = act.parse_date(args.due, "due date")
        made = act.add_action(store, args.source, args.recommendation, args.owner, due, by, args.lead, args.lesson)
        print(json.dumps(made.to_dict(), indent=2) if args.json else f"action {made.id} added (due {made.due})")
    elif args.learning_command == "list":
        found = [a for a in act.list_actions(store) if not args.overdue or "overdue" in a.flags(now, 0)]
        if args.json:
            rows = [{**a.to_dict(), "flags": list(a.flags(now, settings.slipping_days))} for a in found]
            print(json.dumps({"today": now.isoformat(), "actions": rows}, indent=2, ensure_ascii=False))
        for a in [] if args.json else found:
            flags = ", ".join(a.flags(now, settings.slipping_days))
            print(
                f"{a.id:>4}  {a.due}  {a.status:<16} {a.owner}: {a.recommendation[:70]}  [{a.source_case}]"
                + (f"  <{flags}>" if flags else "")
            )
    elif args.learning_command == "update":
        fields = {
            "status": args.status,
            "evidence": args.evidence,
            "owner": args.owner,
            "lead": args.lead,
            "due": args.due,
            "review_date": args.review_date,
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        if not fields:
            raise StorageError("nothing to change: give --status, --evidence, --owner, --lead, --due or --review-date")
        done = act.update_action(store, args.id, by, opened=args.version, **fields)
        print(json.dumps(done.to_dict(), indent=2) if args.json else f"action {done.id} is now version {done.version}")
    elif args.learning_command == "history":
        for e in act.action_history(store, args.id):
            changed = {k: e["after"][k] for k in e["after"] if not e["before"] or e["before"].get(k) != e["after"][k]}
            shown = ", ".join(f"{k}={v}" for k, v in changed.items() if k not in ("updated_at", "updated_by"))
            print(f"{e['at']}  {e['actor']}  {e['op']}  {shown}")
    elif args.learning_command == "report":
        rows = act.list_actions(store)
        suffix = args.out.suffix.lower()
        if suffix == ".csv":
            args.out.write_text(board_csv(rows, now, settings.slipping_days), encoding="utf-8")
        elif suffix == ".docx":
            args.out.write_bytes(board_docx(rows, now, settings.slipping_days))
        else:
            raise StorageError(f"the report is written as .docx or .csv, not {args.out.name!r}")
        print(f"board report of {len(rows)} action(s) written to {args.out}")
    return 0


def _notes(args: argparse.Namespace, settings: Settings, store) -> int:
    from assistant.library import notes
    from assistant.library.people import command_line_user

    if args.learning_command == "list":
        found = notes.list_notes(store)
        if args.json:
            print(json.dumps({"notes": [n.to_dict() for n in found]}, indent=2, ensure_ascii=False))
        for n in [] if args.json else found:
            when = f"{n.month:02d}/{n.year}" if n.month and n.year else str(n.year or "")
            print(f"{n.id:>4}  {when:<8} {n.title}  ({notes.LABEL}; by {n.created_by})")
        return 0
    text = sys.stdin.read() if str(args.text) == "-" else Path(args.text).read_text(encoding="utf-8")
    year, month = _month_year(args.when)
    draft = notes.NoteDraft(
        title=args.title, happened=text.strip(), learned=args.learned, setting=args.setting, year=year, month=month,
        roles=tuple(args.role), themes=tuple(args.theme),
    )  # fmt: skip
    try:
        saved = notes.add_note(store, draft, command_line_user(settings), confirmed_clean=args.confirm_clean)
    except IdentifyingDetailsError as exc:
        print(
            "Not saved: the note may identify someone. Take out each of these, or check them and add --confirm-clean:",
            file=sys.stderr,
        )
        for f in exc.findings:
            print(f"  {f.what}: {f.text}", file=sys.stderr)
        return EXIT_NOT_SAVED
    print(json.dumps(saved.to_dict(), indent=2) if args.json else f"note {saved.id} saved ({notes.LABEL})")
    return 0


def _month_year(text: str | None) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    year, _, month = text.partition("-")
    try:
        return int(year), (int(month) if month else None)
    except ValueError:
        raise StorageError(f"--when must be YYYY-MM or YYYY, got {text!r}") from None


def _db(args: argparse.Namespace, settings: Settings, store) -> int:
    import time

    from assistant.library.storage import dump

    if args.learning_command == "backup":
        stamp = time.strftime("%Y%m%d-%H%M%S")
        out = args.out or settings.data_dir / "backups" / f"learning-{stamp}.{'db' if store.is_sqlite else 'json'}"
        print(f"backup written to {store.backup(out)}")
    elif args.learning_command == "export":
        text = dump(store.export())
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            print(f"export written to {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(text)
    elif args.learning_command == "import":
        try:
            data = json.loads(args.file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise StorageError(f"{args.file} is not a JSON export: {exc}") from None
        counts = store.import_(data)
        print("imported " + ", ".join(f"{n} {t}" for t, n in counts.items()))
    return 0
