"""A PDF page rendered on this machine (PDFium, through pypdfium2) with a quote's text boxes highlighted,
kept in a cache bounded in bytes."""

from __future__ import annotations

import io
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import SourceError

HIGHLIGHT = (255, 200, 0, 110)  # translucent yellow over the quoted words
OUTLINE = (230, 120, 0, 255)
# The most pixels a rendered page may have, whatever its media box says: an A4 page at the largest page_scale
# (4.0, 8.0 million pixels, about 250 ms with its PNG) fits; a larger page is drawn at a smaller scale, so a
# crafted 40,000-point page cannot ask PDFium for a 10 GB bitmap.
MAX_PIXELS = 9_000_000
MIN_MATCH = 40  # letters and digits of a quote's start (or end) that must match on a page it runs onto or from
_PDFIUM = threading.Lock()  # PDFium is not thread-safe: one call into it at a time, whatever the session


@dataclass(frozen=True)
class PageImage:
    """One rendered page as PNG, with where the quote is on it."""

    png: bytes
    page: int
    page_count: int
    width: int
    height: int
    boxes: tuple[tuple[int, int, int, int], ...] = ()  # the highlights, (left, top, right, bottom) in pixels
    scale: float = 1.0  # pixels per PDF point


class PageCache:
    """A least-recently-used cache of rendered pages that holds at most ``max_bytes`` of PNG."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, PageImage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Bytes of PNG held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple) -> PageImage | None:
        """The page stored under ``key``, marked as just used; None when absent."""
        with self._lock:
            image = self._items.get(key)
            if image is not None:
                self._items.move_to_end(key)
            return image

    def put(self, key: tuple, image: PageImage) -> None:
        """Store ``image``, dropping the least recently used pages until the total fits (a page larger
        than the whole cache is not kept)."""
        if len(image.png) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes -= len(old.png) if old else 0
            self._items[key] = image
            self._bytes += len(image.png)
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped.png)


_caches: dict[int, PageCache] = {}


def shared_cache(max_mb: float) -> PageCache:
    """The process's page cache of ``max_mb`` MB (one per size), shared by every session."""
    max_bytes = int(max_mb * 1024 * 1024)
    with _PDFIUM:
        return _caches.setdefault(max_bytes, PageCache(max_bytes))


def page_count(path: Path) -> int:
    """How many pages the PDF at ``path`` has."""
    import pypdfium2 as pdfium

    with _PDFIUM:
        pdf = _open(pdfium, path)
        try:
            return len(pdf)
        finally:
            pdf.close()


def render_page(
    path: Path, page: int, quote: str = "", scale: float = 1.5, cache: PageCache | None = None
) -> PageImage:
    """Page ``page`` (1-based) of the PDF at ``path`` as PNG at ``scale`` pixels per point, with the text
    boxes of ``quote`` (or of its part on this page) highlighted; SourceError when it cannot be rendered."""
    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size, page, quote, scale)
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit
    image = _render(Path(path), page, quote, scale)
    if cache is not None:
        cache.put(key, image)
    return image


def _open(pdfium, path: Path):  # noqa: ANN001, ANN202 - the pypdfium2 module and its PdfDocument
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise SourceError(f"{path.name}: PDFium cannot open it ({exc})") from None


def _render(path: Path, page: int, quote: str, scale: float) -> PageImage:
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    with _PDFIUM:
        pdf = _open(pdfium, path)
        try:
            count = len(pdf)
            if not 1 <= page <= count:
                raise SourceError(f"{path.name} has pages 1 to {count}, not {page}")
            pdf_page = pdf[page - 1]
            left, _, _, top = pdf_page.get_bbox()
            scale = fit_scale(*pdf_page.get_size(), scale)
            rects = quote_rects(pdf_page.get_textpage(), quote) if quote else []
            picture = pdf_page.render(scale=scale).to_pil().convert("RGBA")
        except pdfium.PdfiumError as exc:
            raise SourceError(f"{path.name}: PDFium cannot render page {page} ({exc})") from None
        finally:
            pdf.close()
    boxes = tuple(
        (
            int((x0 - left) * scale) - 1,
            int((top - y1) * scale) - 1,
            int((x1 - left) * scale) + 1,
            int((top - y0) * scale) + 1,
        )
        for x0, y0, x1, y1 in rects
    )
    if boxes:
        overlay = Image.new("RGBA", picture.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for box in boxes:
            draw.rectangle(box, fill=HIGHLIGHT, outline=OUTLINE, width=1)
        picture = Image.alpha_composite(picture, overlay)
    out = io.BytesIO()
    picture.convert("RGB").save(out, format="PNG", compress_level=3)
    return PageImage(out.getvalue(), page, count, picture.width, picture.height, boxes, scale)


def fit_scale(width: float, height: float, scale: float, max_pixels: int = MAX_PIXELS) -> float:
    """``scale``, or the largest smaller one at which a ``width`` by ``height`` point page (its sides
    rounded up to whole pixels, as PDFium draws it) has at most ``max_pixels`` pixels."""
    width, height = max(width, 1e-3), max(height, 1e-3)

    def pixels(at: float) -> int:
        return math.ceil(width * at) * math.ceil(height * at)

    if pixels(scale) > max_pixels:
        scale = min(scale, (max_pixels / (width * height)) ** 0.5, max_pixels / max(width, height))
        while pixels(scale) > max_pixels:  # each side rounded up: a step or two more
            scale *= 0.99
    return scale


def quote_rects(textpage, quote: str) -> list[tuple[float, float, float, float]]:  # noqa: ANN001 - PdfTextPage
    """The (left, bottom, right, top) boxes, in PDF points, of the page's text that matches ``quote``
    letter for letter (spacing, line breaks and punctuation aside): the whole quote, else the part of it
    that starts or ends on this page."""
    text = textpage.get_text_range()
    letters, where = [], []
    for i, char in enumerate(text):
        if char.isalnum():
            letters.append(char.lower())
            where.append(i)
    page_letters = "".join(letters)
    wanted = "".join(c.lower() for c in quote if c.isalnum())
    if not wanted or not page_letters:
        return []
    span = _locate(page_letters, wanted)
    if span is None:
        return []
    first, last = where[span[0]], where[span[1] - 1]
    count = textpage.count_rects(first, last - first + 1)
    return [textpage.get_rect(i) for i in range(count)]


def _locate(page: str, wanted: str) -> tuple[int, int] | None:
    """Where ``wanted`` (or its head at the page's end, or its tail at the page's start) is in ``page``."""
    at = page.find(wanted)
    if at >= 0:
        return at, at + len(wanted)
    if len(wanted) <= MIN_MATCH:
        return None
    head = page.find(wanted[:MIN_MATCH])
    if head >= 0:
        end = head
        while end < len(page) and end - head < len(wanted) and page[end] == wanted[end - head]:
            end += 1
        return head, end
    tail = page.find(wanted[-MIN_MATCH:])
    if tail >= 0:
        end = tail + MIN_MATCH
        start = end
        while start > 0 and end - start < len(wanted) and page[start - 1] == wanted[len(wanted) - (end - start) - 1]:
            start -= 1
        return start, end
    return None
