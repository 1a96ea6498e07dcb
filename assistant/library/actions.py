"""Actions on recommendations, followed until their impact is evidenced: overdue, slipping, done without evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from assistant.errors import StorageError
from assistant.library import changes
from assistant.library.schema import actions, quote_hash
from assistant.library.storage import Store
from assistant.settings import ACTION_STATUSES, Settings, resolve

KIND = "action"
OPEN = ("not-started", "in-progress")
EDITABLE = ("owner", "lead", "due", "status", "evidence", "review_date", "lesson_key", "recommendation")


@dataclass(frozen=True)
class Action:
    """One action a partnership took on a recommendation, with its source and its last change."""

    id: int
    source_case: str
    source_hash: str
    recommendation: str
    lesson_key: str | None
    owner: str
    lead: str
    due: dt.date
    status: str
    evidence: str
    review_date: dt.date | None
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str
    version: int

    def flags(self, today: dt.date, slipping_days: int) -> tuple[str, ...]:
        """What needs attention: 'overdue', 'slipping' (due soon, still open), 'no-impact-evidence' (done only)."""
        found = []
        if self.status in OPEN and self.due < today:
            found.append("overdue")
        elif self.status in OPEN and (self.due - today).days <= slipping_days:
            found.append("slipping")
        if self.status == "done":
            found.append("no-impact-evidence")
        if self.review_date is not None and self.review_date < today and self.status != "impact-evidenced":
            found.append("review-due")
        return tuple(found)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        row = asdict(self)
        row["due"] = self.due.isoformat()
        row["review_date"] = self.review_date.isoformat() if self.review_date else None
        return row


def add_action(
    store: Store,
    source_case: str,
    recommendation: str,
    owner: str,
    due: dt.date,
    by: str,
    lead: str = "",
    lesson_key: str | None = None,
    status: str = "not-started",
) -> Action:
    """Record a new action on a recommendation (keyed by its case and a hash of its words)."""
    values = _checked(
        {
            "source_case": source_case.strip(),
            "source_hash": quote_hash(recommendation),
            "recommendation": recommendation.strip(),
            "lesson_key": lesson_key,
            "owner": owner.strip(),
            "lead": lead.strip(),
            "due": due,
            "status": status,
            "evidence": "",
            "review_date": None,
        }
    )
    with store.write() as conn:
        ident = changes.create(conn, actions, KIND, values, by)
        return Action(**changes.current(conn, actions, KIND, ident))


def update_action(store: Store, ident: int, by: str, opened: int | None = None, **fields: Any) -> Action:
    """Change an action; ``opened`` is the version the person saw, and a later change by anyone is a conflict."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise StorageError(f"an action has no field {', '.join(sorted(unknown))}; fields: {', '.join(EDITABLE)}")
    if "recommendation" in fields:
        fields["source_hash"] = quote_hash(fields["recommendation"])
    values = _checked({k: v for k, v in fields.items() if v is not None})
    with store.write() as conn:
        return Action(**changes.change(conn, actions, KIND, ident, values, by, opened))


def get_action(store: Store, ident: int) -> Action:
    """One action by its id."""
    with store.read() as conn:
        return Action(**changes.current(conn, actions, KIND, ident))


def list_actions(store: Store) -> list[Action]:
    """Every action, soonest due first."""
    with store.read() as conn:
        rows = conn.execute(select(actions).order_by(actions.c.due, actions.c.id)).mappings()
        return [Action(**row) for row in rows]


def action_history(store: Store, ident: int) -> list[dict[str, Any]]:
    """An action's audit trail: who changed what, when, before and after."""
    with store.read() as conn:
        changes.current(conn, actions, KIND, ident)
        return changes.history(conn, KIND, ident)


def parse_date(text: str, what: str = "date") -> dt.date:
    """A YYYY-MM-DD date, or StorageError naming what it was for."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise StorageError(f"the {what} must be written YYYY-MM-DD, got {text!r}") from None


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` if each is allowed, else StorageError saying which is not."""
    if "status" in values and values["status"] not in ACTION_STATUSES:
        raise StorageError(f"status must be one of {', '.join(ACTION_STATUSES)}, got {values['status']!r}")
    for key in ("source_case", "recommendation", "owner"):
        if key in values and not str(values[key]).strip():
            raise StorageError(f"an action needs its {key.replace('_', ' ')}")
    for key in ("due", "review_date"):
        if isinstance(values.get(key), str):
            values[key] = parse_date(values[key], key.replace("_", " "))
    return values


def today(settings: Settings | None = None) -> dt.date:
    """The date due dates are measured against: SCR_TODAY when set (tests, demos), else the system clock."""
    settings = resolve(settings)
    return dt.date.fromisoformat(settings.today) if settings.today else dt.date.today()


def needing_attention(store: Store, settings: Settings | None = None) -> dict[str, list[Action]]:
    """Open actions that are overdue or slipping, and those done without evidence of impact."""
    settings = resolve(settings)
    now = today(settings)
    found: dict[str, list[Action]] = {"overdue": [], "slipping": [], "no-impact-evidence": []}
    for action in list_actions(store):
        for flag in action.flags(now, settings.slipping_days):
            found.setdefault(flag, []).append(action)
    return found
