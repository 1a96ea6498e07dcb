"""Who made a change: attribution, not access control (anyone who can reach the app or the database can write)."""

from __future__ import annotations

import getpass
from collections.abc import Mapping

from assistant.settings import Settings, resolve

MAX_NAME = 200


def command_line_user(settings: Settings | None = None) -> str:
    """The name recorded for a change from the command line: SCR_USER, else the login name."""
    settings = resolve(settings)
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container, say)
        login = "unknown"
    return clean_name(settings.user or login) or "unknown"


def header_user(headers: Mapping[str, str], settings: Settings | None = None) -> str | None:
    """The name the organisation's sign-in proxy put in SCR_USER_HEADER, or None when that is off or absent."""
    settings = resolve(settings)
    if not settings.user_header:
        return None
    wanted = settings.user_header.lower()
    for key, value in headers.items():
        if key.lower() == wanted and clean_name(value):
            return clean_name(value)
    return None


def clean_name(name: str) -> str:
    """A name as stored: printable, on one line, spaces collapsed, at most 200 characters."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in str(name)).split())
    return text[:MAX_NAME]
