"""``add`` is all or nothing from the user's view: a file appears in the corpus with the index that
holds it, a failed add is undone at once, a killed one by the next add or build, and loads running
beside adds always get an index (the last complete one, with a notice while an add is unfinished)."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import assistant.indexing.intake
from assistant.api import Assistant
from assistant.cli import main
from assistant.errors import ScrError
from assistant.indexing import journal
from assistant.indexing.build import build_index
from assistant.indexing.doctor import diagnose
from assistant.indexing.intake import add_files
from assistant.indexing.store import corpus_changes, live_build_dir, read_index
from assistant.settings import Settings

from .conftest import ROOT, HashEmbedder
from .test_index_safety import _load_while

BRIEF = "# Learning brief: Child Q\n\n## What happened\n\nThe {who} saw the bruise and told no one.\n"
NEW_ID = "brief"  # the case id of brief.md


def _brief(folder: Path, who: str = "school nurse", name: str = "brief.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(BRIEF.format(who=who))
    return path


def _agree(settings: Settings) -> bool:
    return corpus_changes(read_index(settings.index_dir).manifest) == ""


def _ids(settings: Settings) -> set[str]:
    return {r.case_id for r in read_index(settings.index_dir).records}


def test_a_disk_that_fills_during_add_leaves_the_corpus_as_it_was(
    fake_index: Settings, fake_embedder: HashEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _brief(tmp_path / "in", name="a.md"), _brief(tmp_path / "in", "health visitor", "b.md")
    real = assistant.indexing.intake._copy_in
    copies = []

    def fills_up(source: Path, target: Path) -> None:
        if copies:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        copies.append(target)
        real(source, target)

    monkeypatch.setattr(assistant.indexing.intake, "_copy_in", fills_up)
    before = sorted(p.name for p in fake_index.corpus_dir.iterdir())
    with pytest.raises(ScrError) as info:
        add_files([first, second], fake_index, embedder=fake_embedder, progress=False)
    assert str(info.value).startswith("nothing was added (a.md, b.md): No space left on device:")
    assert "b.md" in str(info.value) and "\n" not in str(info.value)
    assert sorted(p.name for p in fake_index.corpus_dir.iterdir()) == before  # a.md was copied, and is gone again
    assert _agree(fake_index) and not (fake_index.index_dir / journal.FOLDER).exists()


def test_a_failed_replace_puts_the_earlier_file_back(
    fake_index: Settings, fake_embedder: HashEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_files([_brief(tmp_path / "one")], fake_index, embedder=fake_embedder, progress=False)
    newer = _brief(tmp_path / "two", "youth worker")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("assistant.indexing.store.save_bm25", broken)
    with pytest.raises(ScrError, match=r"nothing was added \(brief.md\)"):
        add_files([newer], fake_index, embedder=fake_embedder, progress=False, replace=True)
    assert "school nurse" in (fake_index.corpus_dir / "brief.md").read_text()
    assert _agree(fake_index)


def test_the_cli_says_a_failed_add_in_one_line(
    fake_index: Settings,
    use_fake_embedder: HashEmbedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def full(source: Path, target: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(assistant.indexing.intake, "_copy_in", full)
    args = ["add", str(_brief(tmp_path / "in")), "--index", str(fake_index.index_dir)]
    assert main([*args, "--corpus", str(fake_index.corpus_dir)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing was added (brief.md)" in err and "Traceback" not in err
    assert not (fake_index.corpus_dir / "brief.md").exists()


def _killed_add(settings: Settings, corpus_file: Path) -> None:
    """What a killed add leaves: its journal and its file in the corpus, the index not yet rebuilt."""
    journal.begin(settings.index_dir, settings.corpus_dir, [(corpus_file, settings.corpus_dir / corpus_file.name)])
    assistant.indexing.intake._copy_in(corpus_file, settings.corpus_dir / corpus_file.name)


def test_a_killed_add_is_served_with_a_notice_and_undone_by_the_next_build(
    fake_index: Settings, fake_embedder: HashEmbedder, tmp_path: Path, use_fake_embedder: HashEmbedder
) -> None:
    _killed_add(fake_index, _brief(tmp_path / "in"))
    for strict in (True, False):  # the library and the app both serve the last complete index
        loaded = Assistant.load(settings=fake_index, embedder=fake_embedder, strict=strict)
        assert loaded.notice.startswith("Not yet in the index: brief.md (an add is under way or was interrupted)")
        assert NEW_ID not in {r.case_id for r in loaded.records()}
    problems = [f.message for f in diagnose(fake_index) if not f.ok]
    assert problems[0].startswith("an add of brief.md did not finish (or is under way): run `scr-assistant build")
    messages: list[str] = []
    build_index(fake_index, embedder=fake_embedder, progress=False, on_stage=messages.append)
    assert messages[0] == "undid an interrupted add of brief.md (it never reached the index): add it again"
    assert not (fake_index.corpus_dir / "brief.md").exists() and _agree(fake_index)
    assert Assistant.load(settings=fake_index, embedder=fake_embedder).notice == ""
    assert all(f.ok for f in diagnose(fake_index))


def test_an_add_killed_after_its_index_went_live_stands(
    fake_index: Settings, fake_embedder: HashEmbedder, tmp_path: Path
) -> None:
    _killed_add(fake_index, _brief(tmp_path / "in"))
    build_index(fake_index, embedder=fake_embedder, progress=False, locked=True)  # as the add's own build
    add_files([], fake_index, embedder=fake_embedder)  # the next add settles the journal
    assert (fake_index.corpus_dir / "brief.md").is_file() and NEW_ID in _ids(fake_index) and _agree(fake_index)
    assert not (fake_index.index_dir / journal.FOLDER).exists()


def test_a_killed_replace_is_undone_and_a_file_changed_since_is_left_alone(
    fake_index: Settings, fake_embedder: HashEmbedder, tmp_path: Path
) -> None:
    add_files([_brief(tmp_path / "one")], fake_index, embedder=fake_embedder, progress=False)
    _killed_add(fake_index, _brief(tmp_path / "two", "youth worker"))
    build_index(fake_index, embedder=fake_embedder, progress=False)
    assert "school nurse" in (fake_index.corpus_dir / "brief.md").read_text() and _agree(fake_index)

    _killed_add(fake_index, _brief(tmp_path / "three", "midwife", "other.md"))
    (fake_index.corpus_dir / "other.md").write_text(BRIEF.format(who="the user's own edit"))
    build_index(fake_index, embedder=fake_embedder, progress=False)
    assert "the user's own edit" in (fake_index.corpus_dir / "other.md").read_text()  # not the add's bytes
    assert _agree(fake_index)


ADD = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from tests.conftest import HashEmbedder
from assistant.indexing.intake import add_files
from assistant.settings import Settings
settings = Settings(corpus_dir=Path({corpus!r}), index_dir=Path({index!r}))
embedder = HashEmbedder()
print("ready", flush=True)
started = time.perf_counter()
add_files([Path({path!r})], settings, embedder=embedder, progress=False)
print(time.perf_counter() - started, flush=True)
"""


def _review(folder: Path) -> Path:
    """A review long enough that its add spends a while copying, parsing, embedding and writing."""
    folder.mkdir(parents=True, exist_ok=True)
    sections = "".join(
        f"## Finding {n}\n\n"
        + " ".join(f"Agency {n} did not share what it knew about the risk {m}." for m in range(60))
        + "\n\n"
        for n in range(60)
    )
    path = folder / "northshire-review.md"
    path.write_text(f"# Serious case review: Child K\n\nNorthshire Safeguarding Children Partnership\n\n{sections}")
    return path


def _start_add(settings: Settings, path: Path) -> subprocess.Popen[str]:
    code = ADD.format(root=str(ROOT), corpus=str(settings.corpus_dir), index=str(settings.index_dir), path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n", proc.stderr.read() if proc.stderr else ""
    return proc


def test_add_killed_at_twenty_random_moments_never_leaves_corpus_and_index_apart(
    fake_index: Settings, fake_embedder: HashEmbedder, tmp_path: Path
) -> None:
    review = _review(tmp_path / "in")
    target = fake_index.corpus_dir / review.name
    proc = _start_add(fake_index, review)  # once unkilled: how long an add takes here
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    duration = float(out.strip())
    added_id = next(r.case_id for r in read_index(fake_index.index_dir).records if r.source == review.name)
    rng = random.Random(18)
    moments = sorted(rng.uniform(0, duration * 2) for _ in range(20))  # about half before the swap
    outcomes = []
    for moment in moments:
        target.unlink(missing_ok=True)  # start each time from the corpus and index without the review
        build_index(fake_index, embedder=fake_embedder, progress=False)
        proc = _start_add(fake_index, review)
        time.sleep(moment)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        # right after the kill: the library serves the last complete index, with a notice if the
        # corpus holds what the index does not
        loaded = Assistant.load(settings=fake_index, embedder=fake_embedder)
        assert _agree(fake_index) or loaded.notice, f"killed at {moment:.3f} s"
        # and the next run (an add, here of nothing) leaves the two agreeing: the review in both or neither
        add_files([], fake_index, embedder=fake_embedder)
        build_index(fake_index, embedder=fake_embedder, progress=False)
        assert _agree(fake_index), f"killed at {moment:.3f} s"
        outcomes.append(target.exists())
        assert target.exists() == (added_id in _ids(fake_index)), f"killed at {moment:.3f} s"
    assert True in outcomes and False in outcomes, (
        duration,
        moments,
    )  # the kills landed both before and after the index went live


def test_loads_beside_adds_always_get_an_index(
    fake_index: Settings, fake_embedder: HashEmbedder, tmp_path: Path
) -> None:
    incoming = [_brief(tmp_path / "in", f"worker {n}", f"brief-{n}.md") for n in range(8)]
    for path in incoming:  # distinct names and case ids
        path.write_text(path.read_text().replace("Child Q", f"Child Q{path.stem[-1]}"))

    def adds() -> None:
        for path in incoming:
            report = add_files([path], fake_index, embedder=fake_embedder, progress=False)
            assert report.added == (path.name,), report.summary()

    loads, errors = _load_while(fake_index, adds, records=None)
    assert errors == [] and loads >= 8
    assert live_build_dir(fake_index.index_dir).is_dir() and _agree(fake_index)


def test_the_app_serves_an_index_older_than_the_corpus_with_a_notice(
    fake_index: Settings, fake_embedder: HashEmbedder, tmp_path: Path
) -> None:
    _brief(fake_index.corpus_dir)  # put there by hand, not by add: the CLI stays strict, the app serves
    with pytest.raises(ScrError, match=r"the corpus has changed since the build \(added: brief.md\)"):
        Assistant.load(settings=fake_index, embedder=fake_embedder)
    loaded = Assistant.load(settings=fake_index, embedder=fake_embedder, strict=False)
    assert loaded.notice.startswith("The corpus has changed since the index was built (added: brief.md)")
    assert loaded.search("neglect") and NEW_ID not in {r.case_id for r in loaded.records()}
