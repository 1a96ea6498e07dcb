"""The learning database on both engines: SQLite in a temporary folder, and PostgreSQL at $TEST_POSTGRES_URL.

CI (.ci/run) starts Debian's PostgreSQL on loopback and sets TEST_POSTGRES_URL; without it the PostgreSQL
cases are skipped, and say so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.library.storage import Store

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def fresh_url(engine: str, tmp_path: Path) -> str:
    """An empty database of that engine: a new SQLite file, or PostgreSQL's public schema emptied."""
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'learning.db'}"
    if not POSTGRES_URL and os.environ.get("CI"):
        pytest.fail("CI must run the storage tests on PostgreSQL: .ci/run sets TEST_POSTGRES_URL")
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (CI sets it: .ci/run starts PostgreSQL)")
    from sqlalchemy import create_engine, text

    engine_ = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine_.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine_.dispose()
    return POSTGRES_URL


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty learning database, once per engine."""
    return fresh_url(request.param, tmp_path)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open, migrated, empty learning database, once per engine."""
    opened = Store.open(url=db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    yield opened
    opened.close()
