"""Benchmark of the source view's page renderer on a generated 150-page PDF report (``bench --source``)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.errors import ScrError
from assistant.ingest.pages import PageCache, page_count, render_page
from assistant.settings import Settings

PAGES = 150
_SENTENCES = (
    "The health visitor recorded that the family had moved out of the area and closed the case.",
    "Records did not follow the family when they moved between local authority areas.",
    "Missed hospital appointments were treated as the parent's choice rather than as a sign of neglect.",
    "No strategy discussion was held and the history held by the previous authority was not checked.",
    "Professionals did not ask what the missed appointments meant for the child's daily life.",
    "The referral was closed with advice because the family were not known to the receiving team.",
)


def quote_on(page: int) -> str:
    """The sentence the benchmark quotes from ``page`` (each page opens with it)."""
    return f"Paragraph {page}.1: " + _SENTENCES[page % len(_SENTENCES)]


def make_long_report(path: Path, pages: int = PAGES) -> Path:
    """Write a text PDF of ``pages`` A4 pages of review-like prose with fpdf2 (a test dependency)."""
    try:
        from fpdf import FPDF
    except ImportError:
        raise ScrError("bench --source needs fpdf2 to make its PDF: pip install fpdf2") from None
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 15, 20)
    for page in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, f"Section {page}. Practice episode {page}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10.5)
        for paragraph in range(1, 8):
            words = " ".join(_SENTENCES[(page + paragraph + k) % len(_SENTENCES)] for k in range(4))
            text = quote_on(page) if paragraph == 1 else f"Paragraph {page}.{paragraph}: {words}"
            pdf.multi_cell(0, 5.2, text + (" " + words if paragraph == 1 else ""), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.set_y(-15)
        pdf.cell(0, 8, f"Page {page} of {pages}", align="C")
    pdf.output(str(path))
    return path


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def page_bench(settings: Settings, repeat: int = 1, pages: int = PAGES) -> dict[str, Any]:
    """Render every page of a generated report with its quote highlighted: cold (no cache) p50 and p95 in
    milliseconds, a cached page's time, PNG sizes, and what the cache of ``settings.page_cache_mb`` holds."""
    with tempfile.TemporaryDirectory() as folder:
        path = make_long_report(Path(folder) / "long-report.pdf", pages)
        count = page_count(path)
        cold, sizes, highlighted = [], [], 0
        for _ in range(repeat):
            for page in range(1, count + 1):
                start = time.perf_counter()
                image = render_page(path, page, quote_on(page), settings.page_scale)
                cold.append((time.perf_counter() - start) * 1000)
                sizes.append(len(image.png))
                highlighted += bool(image.boxes)
        cache = PageCache(int(settings.page_cache_mb * 1024 * 1024))
        for page in range(1, count + 1):
            render_page(path, page, quote_on(page), settings.page_scale, cache)
        warm = []
        for page in range(count, 0, -1):
            start = time.perf_counter()
            render_page(path, page, quote_on(page), settings.page_scale, cache)
            warm.append((time.perf_counter() - start) * 1000)
        return {
            "pages": count,
            "file_mb": round(path.stat().st_size / 1e6, 2),
            "scale": settings.page_scale,
            "renders": len(cold),
            "highlighted_pages": highlighted,
            "cold_ms_p50": round(statistics.median(cold), 1),
            "cold_ms_p95": round(_percentile(cold, 0.95), 1),
            "cold_ms_max": round(max(cold), 1),
            "cached_ms_p50": round(statistics.median(warm), 3),
            "png_kb_mean": round(statistics.mean(sizes) / 1024, 1),
            "cache_cap_mb": settings.page_cache_mb,
            "cache_held_mb": round(cache.size / 1024 / 1024, 2),
            "cache_pages": len(cache),
        }


def page_summary(result: dict[str, Any]) -> str:
    """The benchmark's figures as a few lines."""
    return "\n".join(
        [
            f"{result['pages']}-page PDF ({result['file_mb']} MB), scale {result['scale']}: "
            f"{result['renders']} renders, {result['highlighted_pages']} with the quote highlighted",
            f"render with highlight (no cache): p50 {result['cold_ms_p50']} ms, p95 {result['cold_ms_p95']} ms, "
            f"max {result['cold_ms_max']} ms",
            f"from the cache: p50 {result['cached_ms_p50']} ms; PNG {result['png_kb_mean']} KB a page on average",
            f"cache cap {result['cache_cap_mb']} MB: holds {result['cache_pages']} pages, "
            f"{result['cache_held_mb']} MB after rendering all",
        ]
    )
