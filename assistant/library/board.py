"""The board report: every action by status, with what needs attention and the source it answers (Word, CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from assistant.library.actions import Action
from assistant.settings import ACTION_STATUSES

COLUMNS = (
    "id", "status", "attention", "recommendation", "source_case", "source_hash", "lesson", "owner", "lead", "due",
    "review_date", "evidence", "updated_by", "updated_at",
)  # fmt: skip
FLAG_WORDS = {
    "overdue": "overdue",
    "slipping": "due soon, still open",
    "no-impact-evidence": "done, impact not evidenced",
    "review-due": "review date passed",
}


def board_rows(actions: Sequence[Action], today: dt.date, slipping_days: int) -> list[dict[str, str]]:
    """One row per action, by status in ACTION_STATUSES order, then due date."""
    order = {s: n for n, s in enumerate(ACTION_STATUSES)}
    rows = []
    for a in sorted(actions, key=lambda a: (order.get(a.status, 99), a.due, a.id)):
        flags = a.flags(today, slipping_days)
        rows.append(
            {
                "id": str(a.id),
                "status": a.status,
                "attention": "; ".join(FLAG_WORDS[f] for f in flags),
                "recommendation": a.recommendation,
                "source_case": a.source_case,
                "source_hash": a.source_hash,
                "lesson": a.lesson_key or "",
                "owner": a.owner,
                "lead": a.lead,
                "due": a.due.isoformat(),
                "review_date": a.review_date.isoformat() if a.review_date else "",
                "evidence": a.evidence,
                "updated_by": a.updated_by,
                "updated_at": a.updated_at,
            }
        )
    return rows


def board_csv(actions: Sequence[Action], today: dt.date, slipping_days: int) -> str:
    """The board report as CSV, one action a row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in board_rows(actions, today, slipping_days):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def board_docx(actions: Sequence[Action], today: dt.date, slipping_days: int) -> bytes:
    """The board report as a Word document: a summary, then each status's actions with their sources."""
    from docx import Document as WordDocument

    rows = board_rows(actions, today, slipping_days)
    doc = WordDocument()
    doc.add_heading("Board report: actions on learning from reviews", level=0)
    counts = {s: sum(r["status"] == s for r in rows) for s in ACTION_STATUSES}
    overdue = sum("overdue" in r["attention"] for r in rows)
    doc.add_paragraph(
        f"As at {today.isoformat()}: {len(rows)} action(s); "
        + ", ".join(f"{n} {s.replace('-', ' ')}" for s, n in counts.items())
        + f"; {overdue} overdue."
    )
    for status in ACTION_STATUSES:
        mine = [r for r in rows if r["status"] == status]
        if not mine:
            continue
        doc.add_heading(status.replace("-", " ").capitalize(), level=1)
        for r in mine:
            doc.add_heading(f"Action {r['id']}: {r['recommendation'][:120]}", level=2)
            lines = [
                f"Owner: {r['owner']}" + (f" (lead: {r['lead']})" if r["lead"] else ""),
                f"Due: {r['due']}" + (f" · review: {r['review_date']}" if r["review_date"] else ""),
                f"Needs attention: {r['attention']}" if r["attention"] else "",
                f"Evidence: {r['evidence']}" if r["evidence"] else "Evidence: none recorded",
                f"Source: {r['source_case']} (quote {r['source_hash']})"
                + (f" · recurring lesson {r['lesson']}" if r["lesson"] else ""),
                f"Last changed by {r['updated_by']} at {r['updated_at']}",
            ]
            for line in filter(None, lines):
                doc.add_paragraph(line)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
