"""The profession lens: which words mark learning as concerning a practitioner's role."""

from __future__ import annotations

import re

from assistant.errors import ScrError

# role -> (how it is named in answers, pattern over a sentence)
ROLES: dict[str, tuple[str, re.Pattern[str]]] = {
    "health-visitor": (
        "health visitors",
        re.compile(r"health visit\w*|\bHVs?\b|health checks?|community[- ]based practitioners|health services", re.I),
    ),
    "midwife": ("midwives", re.compile(r"midwi\w*|antenatal|maternity|pregnan\w*|birth", re.I)),
    "gp": ("GPs", re.compile(r"\bGPs?\b|general practi\w*|primary care|prescrib\w*|contracept\w*", re.I)),
    "police": (
        "the police",
        re.compile(r"police|crim\w*|prosecut\w*|arrest\w*|offend\w*|abduction warning|disruption", re.I),
    ),
    "school": ("schools", re.compile(r"schools?|educat\w*|teach\w*|attendance|exclu\w*|nursery", re.I)),
    "social-worker": (
        "social workers",
        re.compile(
            r"social (?:care|work\w*)|children's services|child protection|assessments?|child in need|"
            r"care proceedings|placements?|corporate parent\w*",
            re.I,
        ),
    ),
    "mental-health": (
        "mental health services",
        re.compile(r"mental health|psychiatr\w*|CAMHS|Community Treatment Order|self-harm|suicid\w*", re.I),
    ),
    "manager": (
        "managers and safeguarding boards",
        re.compile(
            r"supervision|manag\w*|leadership|safeguarding (?:children )?board|LSCB|audit\w*|training|"
            r"polic(?:y|ies)|procedures?|escalation|toolkit",
            re.I,
        ),
    ),
    "housing": ("housing services", re.compile(r"housing|accommodation|landlord|home conditions", re.I)),
}
ALIASES = {
    "hv": "health-visitor",
    "health-visitors": "health-visitor",
    "health-visiting": "health-visitor",
    "midwives": "midwife",
    "midwifery": "midwife",
    "maternity": "midwife",
    "doctor": "gp",
    "gps": "gp",
    "general-practitioner": "gp",
    "primary-care": "gp",
    "officer": "police",
    "police-officer": "police",
    "teacher": "school",
    "teachers": "school",
    "education": "school",
    "schools": "school",
    "social-work": "social-worker",
    "social-workers": "social-worker",
    "social-care": "social-worker",
    "camhs": "mental-health",
    "psychiatrist": "mental-health",
    "mental-health-services": "mental-health",
    "managers": "manager",
    "supervisor": "manager",
    "lscb": "manager",
    "trainer": "manager",
    "housing-officer": "housing",
}


class RoleError(ScrError):
    """A role the lens does not know; lists the known ones."""


def normalise_role(role: str | None) -> str | None:
    """The role key for a user's wording ('Health visitor' -> 'health-visitor'); None for none."""
    if role is None or not role.strip():
        return None
    key = re.sub(r"[\s_]+", "-", role.strip().lower())
    key = ALIASES.get(key, key)
    if key not in ROLES:
        raise RoleError(f"unknown role {role!r}; known roles: {', '.join(ROLES)}")
    return key


def concerns_role(role: str, text: str) -> bool:
    """True when ``text`` names the role's work."""
    return ROLES[role][1].search(text) is not None


def role_label(role: str) -> str:
    """How answers name the role's practitioners."""
    return ROLES[role][0]
