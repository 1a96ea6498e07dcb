"""Check an index against its manifest and the corpus, and say how to fix what is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import ScrError, build_command
from assistant.indexing import journal
from assistant.indexing.embed import model_name
from assistant.indexing.store import corpus_changes, read_index
from assistant.settings import Settings, resolve


@dataclass(frozen=True)
class Finding:
    """One check: whether it passed, and what it found."""

    ok: bool
    message: str


def diagnose(settings: Settings | None = None) -> list[Finding]:
    """Every check on the index in ``settings.index_dir``; an empty problem list means it is sound."""
    settings = resolve(settings)
    fix = build_command(settings.index_dir)
    try:
        index = read_index(settings.index_dir)  # pointer, manifest, checksums, counts, dimension, files
    except ScrError as exc:
        return [Finding(False, str(exc))]
    manifest = index.manifest
    findings = [
        Finding(
            True,
            f"files match their checksums: {manifest['chunk_count']} chunks of "
            f"{manifest['record_count']} cases and documents, {manifest['dimension']} dimensions",
        )
    ]
    try:
        wanted = model_name(settings)
    except ScrError as exc:
        findings.append(Finding(False, str(exc)))
    else:
        if manifest.get("model") == wanted:
            findings.append(Finding(True, f"built with the configured model ({wanted})"))
        else:
            findings.append(
                Finding(
                    False,
                    f"built with model {manifest.get('model')!r}, but the configured model is {wanted!r}: run `{fix}`",
                )
            )
    unfinished = journal.pending(settings.index_dir)
    if unfinished:
        findings.append(
            Finding(
                False,
                f"an add of {', '.join(unfinished)} did not finish (or is under way): "
                f"run `{fix}` to undo it, then add the files again",
            )
        )
    changes = corpus_changes(manifest)
    if changes:
        findings.append(
            Finding(
                False,
                f"the corpus in {manifest.get('corpus_dir')} has changed since the build ({changes}): run `{fix}`",
            )
        )
    else:
        findings.append(Finding(True, f"the corpus is as it was at the build ({manifest.get('built_at', '?')})"))
    return findings
