"""Fusion of two rankings into one: small pure functions, deterministic on ties."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from assistant.settings import FUSION_METHODS, Settings, either

K = TypeVar("K", bound=Hashable)


def rank(scores: Mapping[K, float]) -> list[K]:
    """Keys best first; ties broken by the key itself, so the order is deterministic."""
    return sorted(scores, key=lambda key: (-scores[key], key))


def rrf(rankings: Sequence[Sequence[K]], k: int = Settings.rrf_k) -> dict[K, float]:
    """Reciprocal rank fusion: each ranking adds 1 / (k + rank) for the keys it lists."""
    fused: dict[K, float] = {}
    for ranking in rankings:
        for position, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + position)
    return fused


def min_max(scores: Mapping[K, float]) -> dict[K, float]:
    """Scores scaled to [0, 1]; all equal scores scale to 1 (0 when there are none)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high == low:
        return dict.fromkeys(scores, 1.0 if high > 0 else 0.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def weighted(
    dense: Mapping[K, float], lexical: Mapping[K, float], dense_weight: float = Settings.dense_weight
) -> dict[K, float]:
    """Convex combination of min-max scaled scores; a key missing from one side scores 0 there."""
    d, lex = min_max(dense), min_max(lexical)
    return {key: dense_weight * d.get(key, 0.0) + (1.0 - dense_weight) * lex.get(key, 0.0) for key in set(d) | set(lex)}


def fuse(
    dense: Mapping[K, float],
    lexical: Mapping[K, float],
    method: str = Settings.fusion,
    dense_weight: float = Settings.dense_weight,
    k: int = Settings.rrf_k,
) -> list[tuple[K, float]]:
    """One ranking from dense and lexical scores, best first, as (key, fused score) pairs.

    ``rrf`` fuses the two rankings (a lexical score of 0 means "not matched" and is left out);
    ``weighted`` combines min-max scaled scores.
    """
    if method == "rrf":
        lexical_hits = {key: s for key, s in lexical.items() if s > 0}
        fused = rrf([rank(dense), rank(lexical_hits)], k=k)
    elif method == "weighted":
        fused = weighted(dense, lexical, dense_weight)
    else:
        raise ValueError(f"unknown fusion method {method!r} (use {either(FUSION_METHODS)})")
    return [(key, fused[key]) for key in rank(fused)]
