"""Generators of small, realistic test files for "bring your own reviews" ingestion.

Each ``make_xxx(folder)`` writes one file into ``folder`` and returns its path (``make_wrong_extension``
writes two and returns both). The content is fictional but reads like real UK safeguarding review text.
Output is deterministic: the same bytes on every run with the same library versions (fixed creation
dates, fixed zip timestamps, fixed PDF file ids and seeded pseudo-random bytes).

Good files: a 4-page PDF overview report, a Word review, a full HTML page, a yearly digest in the
format of ``corpus/case-reviews-2015.txt`` and a markdown learning brief with front matter.
Bad inputs: an empty file, a scanned (image-only) PDF, an encrypted PDF, a truncated PDF, files with
the wrong extension, a cp1252 text, binary junk and a very large text.

The exact sentences that tests can search for are module constants (``PDF_FINDING`` etc.).
"""

from __future__ import annotations

import io
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

# ---------------------------------------------------------------- exact strings tests can look for

PDF_NAME = "northshire-child-r.pdf"
PDF_TITLE = "Serious Case Review: Child R"
PDF_PUBLISHER = "Northshire Safeguarding Children Partnership"
PDF_PUBLISHED = "Published: March 2019"
PDF_HEADER = "Northshire SCR Child R \u2013 Overview Report"  # en dash, written as WinAnsi (cp1252) 0x96
PDF_FOOTER = "OFFICIAL \u2013 Page {page} of {pages}"
PDF_PAGES = 4
PDF_SECTIONS = ("1. Introduction", "2. Background", "3. Key practice episodes", "4. Findings", "5. Recommendations")
# The 1-based page each numbered section heading starts on.
PDF_SECTION_PAGES = {
    "1. Introduction": 1,
    "2. Background": 1,
    "3. Key practice episodes": 2,
    "4. Findings": 3,
    "5. Recommendations": 4,
}
PDF_FINDING = "Records did not follow the family when they moved between local authority areas."
PDF_RECOMMENDATION = "The partnership should issue guidance to health visitors on the dangers of button batteries."

DOCX_NAME = "eastborough-learning-review.docx"
DOCX_TITLE = "Local Child Safeguarding Practice Review: Sam"
DOCX_FINDING = "Return home interviews were not completed after Sam's missing episodes."
DOCX_RECOMMENDATION = "Schools should share attendance concerns with the exploitation hub within one working day."

HTML_NAME = "westshire-baby-t.html"
HTML_TITLE = "Serious Case Review: Baby T - Westshire"
HTML_SCRIPT_MARKER = "SCRIPTMARKER123"
HTML_INJECTED = "INJECTED"
HTML_FINDING = "The paediatrician's concerns about fabricated or induced illness were not shared with the GP."

DIGEST_NAME = "case-reviews-2019.txt"
DIGEST_HEADINGS = (
    "October 2019 - Marshdale - Baby N",
    "June 2019 - Hillcaster - Siblings P and Q",
    "February 2019 - Riverford - Child M",
)

BRIEF_NAME = "learning-brief-hoarding.md"
CP1252_NAME = "windows-brief.txt"
CP1252_SENTENCE = "The family owed \u00a3300 in rent \u2013 the \u2018eviction notice\u2019 arrived\u2026"

_FIXED_DATE = datetime(2019, 3, 1, 9, 0, 0, tzinfo=UTC)


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- 1. PDF overview report

_PDF_BODY: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "1. Introduction",
        (
            "This serious case review was commissioned by the Northshire Safeguarding Children Partnership "
            "after Child R, a 14-month-old boy, suffered life-changing injuries when he swallowed a button "
            "battery from the remote control of the family television. The battery lodged in his oesophagus "
            "and was not found for four days, by which time it had caused a serious internal burn.",
            "The review looked at the involvement of agencies with Child R and his family from the antenatal "
            "period to his admission to hospital. It was carried out by an independent lead reviewer working "
            "with a panel of senior managers from health, children's social care, the police and education. "
            "Child R's mother contributed to the review and her views are reflected throughout the report.",
        ),
    ),
    (
        "2. Background",
        (
            "Child R lived with his mother and two older half-siblings. The family moved three times in the "
            "year before the incident, twice between Northshire and the neighbouring local authority area of "
            "Eastvale, because of rent arrears and the breakdown of the relationship between Child R's mother "
            "and her partner. Each move meant registering with a new GP practice and a new health visiting team.",
            "Child R had been referred to the paediatric outpatient clinic at eight months because of concerns "
            "about his weight. Three hospital appointments were missed. The letters about them were sent to an "
            "old address, and no professional followed up the missed appointments with the family.",
        ),
    ),
    (
        "3. Key practice episodes",
        (
            "Episode one: the first move to Eastvale. When the family moved, the Northshire health visitor "
            "recorded that Child R had transferred out of the area. The health visiting records were not sent "
            "to the receiving team for eleven weeks, and the new health visitor did not know about the concerns "
            "about his weight or about domestic abuse reported by the police in the previous year.",
            "Episode two: the missed hospital appointments. The hospital discharged Child R back to the care of "
            "his GP after the third missed appointment, in line with its policy on children who were not brought "
            "to appointments. The discharge letter went to the previous GP practice, which had already removed "
            "the family from its list, and it was filed without any action being taken.",
            "Episode three: the referral to children's social care. A police notification of a domestic incident "
            "at the family's new address was screened by Eastvale children's social care. Because the family "
            "were not known in Eastvale, the referral was closed with advice. No strategy discussion was held and "
            "the history held in Northshire was not checked.",
            "Episode four: the incident. Child R became unwell with vomiting and refused food for several days. "
            "His mother took him to the GP, who diagnosed a viral illness. Two days later he was taken to the "
            "emergency department, where an X-ray showed the button battery. Child R needed emergency surgery "
            "and a long stay in a specialist children's hospital.",
        ),
    ),
    (
        "4. Findings",
        (
            "Finding one: information sharing across borders. "
            + PDF_FINDING
            + " Each agency relied on the family to tell the new services about their history, and nobody had "
            "the whole picture of the family's needs at any one time. The multi-agency safeguarding hub in each "
            "area could only see its own records.",
            "Finding two: children who were not brought to appointments. Missed health appointments were treated "
            "as the parent's choice rather than as a possible sign of neglect. Professionals did not ask what the "
            "missed appointments meant for Child R's daily life, or whether his mother needed practical help to "
            "attend them.",
            "Finding three: awareness of button battery injuries. None of the professionals who visited the home "
            "had been told about the risk that button batteries pose to babies and toddlers. Home safety advice "
            "given by the health visiting service covered stair gates and hot drinks but not batteries, magnets "
            "or blind cords.",
        ),
    ),
    (
        "5. Recommendations",
        (
            "Recommendation one: the partnership should agree with the Eastvale partnership a protocol for the "
            "transfer of health visiting and school nursing records within five working days of a family moving "
            "between the two areas, and should audit compliance with the protocol after six months.",
            "Recommendation two: the hospital trust should review its policy on children who were not brought to "
            "appointments, so that the GP and health visitor are told before a child is discharged and the "
            "reasons for non-attendance are explored with the parent.",
            "Recommendation three: "
            + PDF_RECOMMENDATION
            + " The guidance should be included in the home safety assessment used at the new birth visit and at "
            "the one-year development review.",
            "Recommendation four: children's social care in both areas should check records held by the previous "
            "local authority when screening a referral about a family that has recently moved, and should hold a "
            "strategy discussion whenever the combined history suggests a child may be suffering significant harm.",
        ),
    ),
)


def _build_pdf_report() -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class Report(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "I", 9)
            self.cell(0, 6, PDF_HEADER, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(4)

        def footer(self) -> None:
            self.set_y(-18)
            self.set_font("Helvetica", "", 9)
            self.cell(0, 5, PDF_FOOTER.format(page=self.page_no(), pages="{nb}"), align="C")
            self.set_y(-12)
            self.cell(0, 5, str(self.page_no()), align="R")

        def file_id(self) -> str:  # a fixed /ID, so the bytes (and the encrypted copy) are stable
            return "<6E6F727468736869726543686C6452><6E6F727468736869726543686C6452>"

    pdf = Report(format="A4")
    pdf.core_fonts_encoding = "windows-1252"  # WinAnsi: lets the core font write the en dash
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_title(PDF_TITLE)
    pdf.set_author(PDF_PUBLISHER)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_margins(20, 15, 20)

    def heading(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def paragraph(text: str) -> None:
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, PDF_TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 13)
    pdf.cell(0, 8, PDF_PUBLISHER, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 8, PDF_PUBLISHED, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for title, paragraphs in _PDF_BODY:
        if PDF_SECTION_PAGES[title] > pdf.page_no():
            pdf.add_page()
        heading(title)
        for text in paragraphs:
            paragraph(text)
        if pdf.page_no() != PDF_SECTION_PAGES[title]:
            raise AssertionError(f"section {title!r} overflowed onto page {pdf.page_no()}")
    if pdf.page_no() != PDF_PAGES:
        raise AssertionError(f"expected {PDF_PAGES} pages, made {pdf.page_no()}")
    return bytes(pdf.output())


def make_pdf_report(folder: Path) -> Path:
    """``northshire-child-r.pdf``: a 4-page text PDF with a running header and footer on every page.

    Sections 1-2 are on page 1, 3 on page 2, "4. Findings" on page 3 and "5. Recommendations" on page 4.
    """
    return _write(folder, PDF_NAME, _build_pdf_report())


# ---------------------------------------------------------------- 2. Word review


def _stable_zip(data: bytes) -> bytes:
    """Rewrite a zip (docx) with fixed member timestamps so the bytes are the same on every run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(2021, 6, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def make_docx_report(folder: Path) -> Path:
    """``eastborough-learning-review.docx``: Title, Heading 1/2 sections, a bulleted list and an agencies table."""
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = DOCX_TITLE
    props.author = "Eastborough Safeguarding Partnership"
    props.last_modified_by = "Eastborough Safeguarding Partnership"
    props.created = datetime(2021, 6, 1, 9, 0, 0)
    props.modified = datetime(2021, 6, 1, 9, 0, 0)
    props.revision = 1
    props.subject = "County lines and criminal exploitation"
    props.keywords = "county lines; criminal exploitation; missing from home"

    document.add_paragraph(DOCX_TITLE, style="Title")
    document.add_paragraph("Eastborough Safeguarding Partnership")
    document.add_paragraph("2021")

    document.add_heading("Executive summary", level=1)
    document.add_paragraph(
        "Sam was 15 years old when he was arrested in a coastal town more than a hundred miles from home, "
        "carrying class A drugs and a large amount of cash. Over the previous nine months he had been "
        "criminally exploited by an organised group running a county lines drug dealing operation from "
        "Eastborough. He was reported missing from home eleven times and his school attendance fell below "
        "forty per cent."
    )
    document.add_paragraph(
        "This local child safeguarding practice review considers how the multi-agency system recognised and "
        "responded to the signs that Sam was being exploited. Sam and his mother both spoke to the reviewer, "
        "and their wish that other families are helped sooner has shaped the recommendations."
    )
    document.add_paragraph("The agencies most involved with Sam and his family were:")
    table = document.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    rows = (
        ("Agency", "Involvement with Sam"),
        ("Eastborough children's social care", "Child in need assessment; exploitation screening"),
        ("Eastborough Police", "Missing person reports; arrest in another force area"),
    )
    for row, (agency, involvement) in zip(table.rows, rows, strict=True):
        row.cells[0].text = agency
        row.cells[1].text = involvement

    document.add_heading("Findings", level=1)
    document.add_paragraph(
        DOCX_FINDING + " Police safe and well checks took place, but the independent conversation that might "
        "have let Sam talk about where he had been, and who he had been with, never happened."
    )
    document.add_paragraph("The missing episodes that the review looked at most closely were:")
    for item in (
        "three nights missing in March, when Sam returned with a new phone and expensive trainers;",
        "a weekend missing in May, after which he was found with a knife injury to his hand;",
        "five days missing in July, ending with his arrest in another force area.",
    ):
        document.add_paragraph(item, style="List Bullet")
    document.add_heading("Finding 1: Professional curiosity", level=2)
    document.add_paragraph(
        "Professionals saw Sam's behaviour as a choice he was making rather than as a sign of exploitation. "
        "Records describe him as 'streetwise' and 'putting himself at risk'. Practitioners did not ask who had "
        "bought the new clothes and phones, or why an older young man was collecting Sam from school. The "
        "exploitation screening tool was completed once and not reviewed when the risks increased."
    )
    document.add_paragraph(
        "The school knew that Sam's attendance had fallen sharply but treated it as an attendance matter for "
        "the education welfare service. The information did not reach the exploitation hub until the strategy "
        "discussion held after his arrest."
    )

    document.add_heading("Recommendations", level=1)
    document.add_paragraph(
        "1. The partnership should commission an independent return home interview service and monitor the "
        "proportion of interviews completed within 72 hours of a child returning home."
    )
    document.add_paragraph(
        "2. " + DOCX_RECOMMENDATION + " Persistent absence of a child known to be at risk of exploitation should "
        "lead to a multi-agency strategy discussion."
    )
    document.add_paragraph(
        "3. Training for practitioners should challenge language that blames children for their own "
        "exploitation, and should use the National Referral Mechanism guidance on child victims."
    )

    buffer = io.BytesIO()
    document.save(buffer)
    return _write(folder, DOCX_NAME, _stable_zip(buffer.getvalue()))


# ---------------------------------------------------------------- 3. HTML page

_HTML = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{HTML_TITLE}</title>
<style>
  body {{ font-family: Arial, sans-serif; margin: 0; color: #222; }}
  nav a {{ margin-right: 1em; }}
  main {{ max-width: 45em; margin: 2em auto; }}
  .hidden-note::after {{ content: "STYLEMARKER456"; }}
</style>
<script>
  var trackingCode = "{HTML_SCRIPT_MARKER}";
  window.dataLayer = window.dataLayer || [];
</script>
<script type="text/javascript">document.write("{HTML_INJECTED}");</script>
</head>
<body>
<nav>
  <a href="/">Home</a> | <a href="/about">About</a> | <a href="/contact">Contact</a>
</nav>
<main>
<h1>Serious Case Review: Baby T</h1>
<p>Westshire Safeguarding Children Board, 2017</p>

<h2>Background</h2>
<p>Baby T was three months old when she was admitted to the children's ward with a suspected overdose of a
medicine that had not been prescribed for her. In the eleven weeks before the admission her mother had
presented her to the GP practice nine times and to the Accident &amp; Emergency department five times,
reporting breathing difficulties, fits and vomiting that no professional ever witnessed.</p>
<p>Mother told staff that the family could not afford the baby's special formula, and the family's social
worker later found receipts showing more than &pound;400 spent on it in a month. Mother had a history of
self-harm and had herself been admitted to hospital many times as a teenager.</p>

<h2>Findings</h2>
<p>{HTML_FINDING} The consultant recorded in the hospital notes that the reported symptoms did not match the
test results and that fabricated or induced illness should be considered, but the discharge letter to the GP
described only &quot;feeding difficulties&quot;.</p>
<p>Because each professional saw only part of the picture, the pattern of repeated presentations was not
recognised until Baby T was seriously harmed. No strategy discussion was held before the admission, and the
health visitor was not told about the emergency department attendances.</p>
<ul>
  <li>Repeated presentations to the GP and A&amp;E were not brought together in one chronology.</li>
  <li>The health visitor relied on mother&#39;s account of the baby&#8217;s health.</li>
  <li>Guidance on perplexing presentations was not known to the GP practice.</li>
</ul>

<h2>Recommendations</h2>
<p>The board should ensure that paediatricians share any concern about fabricated or induced illness with the
GP and health visitor in writing within two working days, and that children's social care is consulted
through a multi-agency strategy discussion where the concern is significant.</p>
<p>GP practices should use an alert on the child's record when a baby is presented three or more times in a
month without a clear diagnosis, so that the child's named GP reviews the whole history.</p>
</main>
<footer>
  <p>\u00a9 Westshire Council</p>
</footer>
</body>
</html>
"""


def make_html_report(folder: Path) -> Path:
    """``westshire-baby-t.html``: a full page with head, style, two scripts, nav, main and footer (UTF-8)."""
    return _write(folder, HTML_NAME, _HTML)


# ---------------------------------------------------------------- 4. yearly digest

# One paragraph a line, blank lines between, exactly as in corpus/case-reviews-2015.txt.
_DIGEST_PARAGRAPHS = (
    "Case reviews published in 2019",
    (
        "A chronological list of the executive summaries or full overview reports of serious case reviews, "
        "significant case reviews or multi-agency child practice reviews published in 2019."
    ),
    "October 2019 - Marshdale - Baby N",
    "Death of a 9-week-old boy in January 2018 while co-sleeping with his parents on a sofa.",
    (
        "Background: Baby N's parents had been drinking alcohol at a family party on the evening before his "
        "death. Father fell asleep on the sofa with Baby N on his chest and mother slept beside them. Baby N was "
        "found unresponsive in the early hours of the morning. Both parents had received safer sleep advice from "
        "the midwife and the health visitor, but the family did not have a cot downstairs and the advice did not "
        "cover what to do when routines changed."
    ),
    (
        "Key issues: safer sleep advice given as a one-off leaflet rather than as a conversation with both "
        "parents; fathers not included in home visits; no assessment of parental alcohol use after mother "
        "disclosed that father drank heavily at weekends."
    ),
    (
        "Learning: practitioners need to talk to both parents about the increased risk of sudden unexpected death"
        " in infancy when a parent has been drinking alcohol or taking drugs, and to plan with the family for "
        "evenings and weekends when normal routines are disrupted."
    ),
    (
        "Recommendations: the partnership should launch a safer sleep campaign aimed at fathers; and the health "
        "visiting service should record who was present when safer sleep advice was given."
    ),
    "Keywords: sudden unexpected death in infancy, co-sleeping, parental alcohol misuse, safer sleep",
    "June 2019 - Hillcaster - Siblings P and Q",
    "Chronic neglect of two brothers aged 8 and 11 over a period of four years.",
    (
        "Background: Siblings P and Q lived with their mother, who had depression and used cannabis daily. Their "
        "school attendance fell to below 60 per cent and they often arrived hungry, in dirty clothes and with "
        "untreated head lice. Both boys had several dental extractions under general anaesthetic. The family were"
        " subject to a child in need plan three times and a child protection plan once, each closed when "
        "short-term improvements were seen."
    ),
    (
        "Key issues: start-again syndrome, with each new social worker beginning a fresh assessment without "
        "reviewing the history; poor school attendance treated as an education matter rather than as a sign of "
        "neglect; the cumulative harm of neglect not recognised."
    ),
    (
        "Learning: the use of a neglect screening tool and a shared chronology helps practitioners to see "
        "patterns of neglect over time; improvements need to be sustained before plans are closed."
    ),
    (
        "Recommendations: schools should be invited to every child in need and child protection review meeting; "
        "and children's social care should complete a chronology before any plan for neglect is closed."
    ),
    "Keywords: neglect, school attendance, parental mental health, drift and delay",
    "February 2019 - Riverford - Child M",
    "Online sexual exploitation of a 12-year-old girl by an adult man she met on a gaming platform.",
    (
        "Background: Child M was groomed over six months by a man who posed as a 15-year-old boy on an online "
        "multiplayer game and then moved the conversation to a private messaging app. He sent her gifts of "
        "in-game currency and persuaded her to send indecent images. Child M's parents noticed she was withdrawn "
        "and tired but did not know who she was talking to. The man was later convicted of sexual offences "
        "against several children."
    ),
    (
        "Key issues: a lack of confidence among teachers and the school nurse in asking children about their "
        "online lives; a referral to children's social care that was screened as a parenting matter; the police "
        "and children's social care did not hold a strategy discussion until the images were found."
    ),
    (
        "Learning: online grooming can happen to any child in any family; professionals should ask about gaming "
        "and messaging as routinely as they ask about friends and school."
    ),
    (
        "Recommendations: the partnership should provide training on online grooming for school staff; and should"
        " produce advice for parents on the privacy settings of popular gaming platforms."
    ),
    "Keywords: online grooming, child sexual exploitation, gaming, internet safety",
)
_DIGEST = "\n\n".join(_DIGEST_PARAGRAPHS) + "\n"


def make_digest_2019(folder: Path) -> Path:
    """``case-reviews-2019.txt``: three 2019 cases laid out like ``corpus/case-reviews-2015.txt``."""
    return _write(folder, DIGEST_NAME, _DIGEST)


# ---------------------------------------------------------------- 5. markdown learning brief

_BRIEF = """---
title: Learning brief: Child H
year: 2020
area: Southvale
name: Child H
---

# Learning brief: Child H

This learning brief summarises a rapid review carried out by the Southvale Safeguarding Partnership after
Child H, aged 6, was found living in severely cluttered and unsanitary home conditions.

## What happened

Child H lived with her father, who had a long history of hoarding. Over two years, the family was visited by
a health visitor, a school nurse, a housing officer and a family support worker. Each visit took place in the
kitchen or the front room, which father had cleared beforehand. No professional asked to see the child's
bedroom, and the upstairs rooms were not seen until a fire officer attended after a small electrical fire.
Child H was sleeping on a mattress on the floor surrounded by bags of rubbish, and had no space to play.

School staff noticed that Child H smelled strongly and was often tired, but these concerns were not shared
with children's social care because each one seemed minor on its own.

## Learning for practitioners

- Always ask to see where a child sleeps, and record whether you have seen the bedroom.
- Hoarding is a risk to children as well as adults: use the clutter image rating scale and share it.
- Small concerns held by different agencies may add up to neglect; share them through the multi-agency
  safeguarding hub.
- Talk to the child on their own about their home, and listen to what they say about it.
"""


def make_markdown_brief(folder: Path) -> Path:
    """``learning-brief-hoarding.md``: front matter (``---`` block), then markdown headings and bullets."""
    return _write(folder, BRIEF_NAME, _BRIEF)


# ---------------------------------------------------------------- bad inputs


def make_empty(folder: Path) -> Path:
    """``empty.txt``: zero bytes."""
    return _write(folder, "empty.txt", b"")


def _scan_image(seed: int) -> bytes:
    """A PNG that looks like a scanned page: grey lines of 'text' on off-white, no real characters."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("L", (595, 842), color=246)
    draw = ImageDraw.Draw(image)
    y = 70
    while y < 780:
        if rng.random() < 0.12:  # a paragraph break
            y += 14
            continue
        width = rng.randint(300, 480) if rng.random() < 0.2 else 480
        draw.rectangle((60, y, 60 + width, y + 6), fill=rng.randint(70, 110))
        y += 16
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def make_scanned_pdf(folder: Path) -> Path:
    """``scanned-report.pdf``: two pages that each hold only an image, with no text layer."""
    from fpdf import FPDF

    class Scanned(FPDF):
        def file_id(self) -> str:
            return "<7363616E6E6564><7363616E6E6564>"

    pdf = Scanned(format="A4")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_auto_page_break(False)
    for seed in (1, 2):
        pdf.add_page()
        pdf.image(io.BytesIO(_scan_image(seed)), x=0, y=0, w=pdf.w, h=pdf.h)
    return _write(folder, "scanned-report.pdf", bytes(pdf.output()))


def make_encrypted_pdf(folder: Path) -> Path:
    """``encrypted-report.pdf``: the Child R report encrypted with user password "secret".

    RC4-128, because pypdf's AES needs the ``cryptography`` package, which the venv does not have.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_build_pdf_report())))
    writer.encrypt(user_password="secret", owner_password="owner-secret", algorithm="RC4-128")
    # pypdf makes the second /ID string random; make it the first again so the bytes are stable.
    # (Only the first string feeds the RC4 key, so this changes nothing else.)
    ids = getattr(writer, "_ID", None)
    if ids is not None and len(ids) == 2:
        writer._ID = ArrayObject((ids[0], ids[0]))
    buffer = io.BytesIO()
    writer.write(buffer)
    return _write(folder, "encrypted-report.pdf", buffer.getvalue())


def make_corrupt_pdf(folder: Path) -> Path:
    """``corrupt-report.pdf``: the first 40% of the Child R report's bytes, then garbage (no xref, no %%EOF)."""
    data = _build_pdf_report()
    garbage = random.Random(11).randbytes(200)
    return _write(folder, "corrupt-report.pdf", data[: len(data) * 40 // 100] + b"\x00\xff\xfe GARBAGE " + garbage)


def make_wrong_extension(folder: Path) -> tuple[Path, Path]:
    """``actually-text.pdf`` (plain English text, no %PDF header) and ``actually-html.docx`` (an HTML page).

    Returns both paths: (the .pdf, the .docx).
    """
    text = (
        "Learning summary: Child K\n\n"
        "This file is plain text that was saved with the wrong extension. It describes a review of the care of\n"
        "Child K, a 2-year-old whose family moved house four times in a year. The health visitor, the GP and\n"
        "children's social care each held part of the picture, but no strategy discussion was held.\n"
    )
    html = (
        "<!DOCTYPE html>\n<html><head><title>Learning summary: Child K</title></head>\n"
        "<body><h1>Learning summary: Child K</h1>\n"
        "<p>This is an HTML page saved with a .docx extension. It is not a Word document.</p>\n"
        "<p>The multi-agency review found that the child protection plan was not reviewed on time.</p>\n"
        "</body></html>\n"
    )
    return _write(folder, "actually-text.pdf", text), _write(folder, "actually-html.docx", html)


_CP1252_TEXT = (
    "Learning brief: domestic abuse and housing\r\n"
    "\r\n"
    "What happened\r\n"
    "\r\n"
    "Ms A and her two children were living with her partner, who had a history of domestic abuse. "
    + CP1252_SENTENCE
    + " When the housing officer visited, Ms A said she was \u201cfine\u201d and the officer did not ask to speak "
    "to her alone. The children\u2019s school had recorded three disclosures of shouting and broken furniture at "
    "home, but these were not shared with the housing service or the domestic abuse team.\r\n"
    "\r\n"
    "Learning\r\n"
    "\r\n"
    "Rent arrears and a threat of eviction can be a sign of economic abuse. Housing officers should ask about "
    "domestic abuse routinely, see the adult on their own, and refer to the MARAC where the risk is high. "
    "Children\u2019s social care should consider the impact on the children \u2013 not only the adult victim.\r\n"
)


def make_cp1252_text(folder: Path) -> Path:
    """``windows-brief.txt``: a short brief in cp1252 with curly quotes, en dashes, an ellipsis and "£".

    Not valid UTF-8 (the curly quote bytes 0x91-0x94 are UTF-8 continuation bytes); Windows CRLF line ends.
    """
    data = _CP1252_TEXT.encode("cp1252")
    data.decode("cp1252")
    return _write(folder, CP1252_NAME, data)


def make_binary_junk(folder: Path) -> Path:
    """``junk.txt``: 4 KB of pseudo-random bytes (``random.Random(7)``) that are not valid UTF-8."""
    data = random.Random(7).randbytes(4096)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover - astronomically unlikely
        raise AssertionError("junk bytes happen to be valid UTF-8")
    return _write(folder, "junk.txt", data)


_LARGE_BLOCK = (
    "The review found that information about the family was held by several agencies but was never brought "
    "together. The health visitor, the GP and children's social care each saw part of the picture. A "
    "multi-agency strategy discussion would have allowed professionals to share what they knew and to agree a "
    "plan to keep the children safe.\n\n"
    "Practitioners should be curious about the lived experience of the child, should check the history held by "
    "other agencies, and should not rely on a parent's account when it does not match what they see.\n\n"
)


def make_large_text(folder: Path, size_bytes: int = 2_000_000) -> Path:
    """``huge.txt``: a title, then the same two English paragraphs repeated to at least ``size_bytes`` bytes."""
    head = "Learning from reviews: a long practice guide\n\n"
    block = _LARGE_BLOCK.encode("utf-8")
    repeats = max(1, -(-(size_bytes - len(head)) // len(block)))
    return _write(folder, "huge.txt", head.encode("utf-8") + block * repeats)


def make_all(folder: Path, large_size: int = 2_000_000) -> dict[str, Path]:
    """Every fixture file in ``folder``, keyed by file name."""
    paths = [
        make_pdf_report(folder),
        make_docx_report(folder),
        make_html_report(folder),
        make_digest_2019(folder),
        make_markdown_brief(folder),
        make_empty(folder),
        make_scanned_pdf(folder),
        make_encrypted_pdf(folder),
        make_corrupt_pdf(folder),
        *make_wrong_extension(folder),
        make_cp1252_text(folder),
        make_binary_junk(folder),
        make_large_text(folder, large_size),
    ]
    return {path.name: path for path in paths}
