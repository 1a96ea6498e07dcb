"""Identifying details in a learning note (names, dates of birth, addresses, postcodes, phone and NHS numbers),
found before it is saved so that the author can take them out."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

KINDS = {
    "name": "a person's name",
    "date": "a full date (a date of birth?)",
    "address": "an address",
    "postcode": "a postcode",
    "phone": "a phone number",
    "nhs-number": "an NHS number",
    "email": "an e-mail address",
}

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_DATE = re.compile(
    rf"(?i)\b(?:{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"  # 3 March 2014, 3rd of March, 2014
    rf"|{_MONTH}\s+{_DAY},?\s+{_YEAR}"  # March 3, 2014
    r"|(?:0?[1-9]|[12]\d|3[01])[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:(?:19|20)?\d{2})"  # 03/03/2014, 3.3.14
    rf"|{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))\b"  # 2014-03-03
)
_BIRTH = re.compile(r"(?i)\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?)\s*:?\s*(\d[\d/.\-]{4,9}\d)")
_POSTCODE = re.compile(r"(?i)\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_DIGITS = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)[\d\s\-()]{8,14}\d\b|\b\d{3}[ \-]?\d{3}[ \-]?\d{4}\b")
_STREET = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Crescent|Cres|Way|Gardens|Gdns|Court|Ct|Place|Pl"
    r"|Terrace|Grove|Hill|Walk|Square|Sq|Mews|Rise|Row|View|Parade|Park|Green|Estate)"
)
_ADDRESS = re.compile(
    rf"\b(?:(?:Flat|Apartment|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][a-z']+\s+){{1,3}}{_STREET}\b"
    rf"|\b(?:Flat|Apartment)\s+\d+[A-Za-z]?,?\s+(?:[A-Z][a-z']+\s+){{1,2}}(?:House|Court|Tower|Lodge)\b"
    rf"|\b(?:[Ll]ived|[Ll]ives|[Ll]iving|[Mm]oved|[Aa]ddress(?:ed)?|[Rr]esid\w+)\s+(?:at|on|in|to)\s+(?:[A-Z][a-z']+\s+){{1,2}}{_STREET}\b"
    rf"|\b(?:lived|lives|living|moved|address(?:ed)?|resid\w+)\s+(?:at|on|in|to)\s+(?:[A-Z][a-z']+\s+){{1,2}}{_STREET}\b"
)
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Nurse|PC|DC|Sgt)\.?\s+[A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)?")
_CALLED = re.compile(r"\b(?:called|named|known as|name is|name was)\s+([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)?)")
_WORD = re.compile(r"\b[A-Z][a-z'\-]+\b")
_SURNAME = re.compile(r"\s+((?:O'|Mc|Mac)?[A-Z][a-z'\-]+)\b")

# First names that are also everyday words (or places) in a note about practice: not taken as names alone.
COMMON = set(
    """
    A An And As At All Also April August Autumn Baby Bill Bradford Brain Can Care Carry Case Chance Chase Child
    Christian Clay Court Dean December Devon Don Dawn Drew Early Eden Ever Faith February Forest Foster Friday
    General Gay Grace Ha Happy Harmony Heath Hope In Iva Ivy January Jewel Joy July June Justice Kent King Lane
    Liberty Long Major Man Many March Mark Marvel May Merry Monday Ned Noble Numbers Or Page Paris Pat Patience
    Penny Precious Rich Rose Ruby Saturday See September November October Sky So Son Soon Spring Star Sterling
    Summer Sunday Teddy The Thursday Tuesday Unity Victory Wednesday Will Winter Young Young Sunny Lincoln Chester
    Warwick Beverley Stafford Shelby Sandy Ward Worth Tory Nurse Doctor Health Early Help Social Police School
    Autumn Learning Lessons Review Rapid Staff Family Parent Father Mother Health Visitor Midwife Mental Child
    Children Safeguarding Partnership Board Practice Audit Near Miss Team Teams Duty Lead Manager Consultant
    Sister Matron Jordan Florence Kelly Hospital Emergency Department Sudden Unexpected Death Infancy
    """.split()
)


@dataclass(frozen=True)
class Finding:
    """One identifying detail: what kind, the text as written, and where it is."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def what(self) -> str:
        """The kind in words."""
        return KINDS[self.kind]


def find_identifiers(text: str) -> list[Finding]:
    """Every identifying detail in ``text``, in order, overlaps merged (the longer kept)."""
    found: list[Finding] = []
    for kind, pattern in (("email", _EMAIL), ("postcode", _POSTCODE), ("address", _ADDRESS), ("date", _DATE)):
        found += [Finding(kind, m.group(0), m.start(), m.end()) for m in pattern.finditer(text)]
    found += [Finding("date", m.group(1), m.start(1), m.end(1)) for m in _BIRTH.finditer(text)]
    for m in _DIGITS.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) == 10 and digits[0] != "0" and _nhs_valid(digits):
            found.append(Finding("nhs-number", m.group(0), m.start(), m.end()))
        elif 10 <= len(digits) <= 13 and (digits.startswith("0") or digits.startswith("44")):
            found.append(Finding("phone", m.group(0).strip(), m.start(), m.end()))
        elif len(digits) == 10:  # ten digits in an NHS number's grouping, check digit or not
            found.append(Finding("nhs-number", m.group(0), m.start(), m.end()))
    found += [Finding("name", m.group(0), m.start(), m.end()) for m in _TITLE.finditer(text)]
    found += [Finding("name", m.group(1), m.start(1), m.end(1)) for m in _CALLED.finditer(text)]
    for m in _WORD.finditer(text):
        if m.group(0) in COMMON or m.group(0) not in first_names():
            continue
        end = m.end()
        surname = _SURNAME.match(text, end)
        if surname and surname.group(1) not in COMMON:
            end = surname.end()
        found.append(Finding("name", text[m.start() : end], m.start(), end))
    return _merged(found)


def _merged(found: list[Finding]) -> list[Finding]:
    """Findings in order, with any that overlaps a longer one dropped."""
    kept: list[Finding] = []
    for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


def _nhs_valid(digits: str) -> bool:
    """Whether ten digits carry a valid NHS number check digit (modulus 11)."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


# Names common in England and Wales since 1990 that the US census lists (of 1990) lack.
UK_FIRST_NAMES = set(
    """
    Aaliyah Aiden Alfie Amara Amelia Aoife Archie Ava Ayaan Callum Cerys Chantelle Ciaran Connor Darcie Declan
    Ellie Elsie Esme Evie Ffion Freddie Freya Harley Harvey Hollie Ibrahim Imogen Isla Jaxon Jayden Jenson Kai
    Kayleigh Kian Kieran Lacey Leah Leo Lexi Logan Lottie Maisie Maryam Mia Millie Mohammed Muhammad Niamh Noah
    Oscar Phoebe Poppy Reggie Riley Rory Shanice Sian Siobhan Skye Theo Tia Tommy Yusuf Zainab Zak Aisha Fatima
    Ruby-Mae Lily-Rose Kacper Jakub Zuzanna Oliwia Amira Hamza Zara Ayesha Rhys Owen Dylan Bethan Caitlin Megan
    """.split()
)


@functools.cache
def first_names() -> frozenset[str]:
    """First names from the US census lists shipped in the ``names`` package ('Emma', 'Jayden', ...)."""
    import names

    folder = Path(names.__file__).parent
    found = set()
    for file in ("dist.male.first", "dist.female.first"):
        with (folder / file).open(encoding="ascii") as handle:
            found.update(line.split()[0].capitalize() for line in handle if line.strip())
    return frozenset(found | UK_FIRST_NAMES)
