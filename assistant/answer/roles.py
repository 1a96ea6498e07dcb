"""The profession lens: which words mark learning as concerning a practitioner's role."""

from __future__ import annotations

import re

from assistant.errors import RoleError

# role -> (how it is named in answers, pattern over a sentence)
ROLES: dict[str, tuple[str, re.Pattern[str]]] = {
    "health-visitor": (
        "health visitors",
        re.compile(r"health visit\w*|\bHVs?\b|health checks?|community[- ]based practitioners|health services", re.I),
    ),
    "school-nurse": (
        "school nurses",
        re.compile(
            r"school nurs\w*|school health|(?<![\d-])0-19\b|public health nurs\w*",
            re.I,
        ),
    ),
    "midwife": ("midwives", re.compile(r"midwi\w*|antenatal|maternity|pregnan\w*|birth", re.I)),
    "gp": ("GPs", re.compile(r"\bGPs?\b|general practi\w*|primary care|prescrib\w*|contracept\w*", re.I)),
    "police": (
        "the police",
        re.compile(r"police|crim\w*|prosecut\w*|arrest\w*|offend\w*|abduction warning|disruption", re.I),
    ),
    "school": (
        "schools",
        re.compile(r"schools?|educat\w*|teach\w*|attendance|exclu\w*|\bDSLs?\b|designated safeguarding|pupils?", re.I),
    ),
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
    "hospital": (
        "hospital and emergency doctors",
        re.compile(
            r"hospitals?|emergency departments?|\bA&E\b|\bED\b|paediatric\w*|wards?\b|clinicians?|doctors?|"
            r"skeletal surve\w*|fractures?|medical (?:examination|assessment|staff|professionals?)|acute trust|"
            r"minor injur\w*|consultants?",
            re.I,
        ),
    ),
    "early-years": (
        "early years and nursery staff",
        re.compile(
            r"nurser(?:y|ies)|early years|child ?minders?|pre-?schools?|children'?s cent(?:re|er)s?|childcare|"
            r"day ?care",
            re.I,
        ),
    ),
    "probation": (
        "probation services",
        re.compile(r"probation|\bMAPPA\b|offender manage\w*|prisons?\b|released from|licence conditions", re.I),
    ),
    "youth-justice": (
        "youth justice services",
        re.compile(
            r"youth justice|youth offending|\bYOT\b|\bYJS\b|criminal(?:ly)? exploit\w*|county lines|"
            r"national referral mechanism|custody",
            re.I,
        ),
    ),
    "substance-misuse": (
        "drug and alcohol services",
        re.compile(
            r"(?:drug|alcohol|substance)\w*(?: (?:and|or) alcohol)?(?: misuse)? (?:services?|workers?|treatment|teams?|"
            r"agenc\w*)|methadone|recovery (?:services?|workers?)|addiction services?",
            re.I,
        ),
    ),
    "ambulance": (
        "ambulance services",
        re.compile(r"ambulance|paramedics?|\b999\b|call handlers?|emergency calls?", re.I),
    ),
}
# How people name each role in a question ("as a health visitor", "lessons for paediatricians").
ROLE_NAMES: dict[str, re.Pattern[str]] = {
    "health-visitor": re.compile(r"health visit\w*|\bHVs?\b", re.I),
    "school-nurse": re.compile(r"school nurs\w*|0-19 (?:team|service|nurse)s?|public health nurs\w*", re.I),
    "midwife": re.compile(r"midwi\w*|maternity (?:staff|team|services?|unit)", re.I),
    "gp": re.compile(r"\bGPs?\b|general practi\w*|family doctors?|primary care|practice nurses?", re.I),
    "hospital": re.compile(
        r"hospital (?:staff|doctors?|nurses?|teams?|clinicians?)|\bA ?(?:&|and) ?E\b|emergency (?:department|doctor)s?|"
        r"\bED (?:staff|doctors?|nurses?)|paediatricians?|paediatric (?:staff|nurses?|teams?|wards?)|\bpaeds?\b|"
        r"(?:on|in) the wards?|ward (?:staff|nurses?)|junior doctors?|consultants?|hospital|\bdoctors?\b|"
        r"acute (?:trust|hospital)s?",
        re.I,
    ),
    "school": re.compile(
        r"\bschools?\b(?! nurs)|teachers?|\bDSLs?\b|designated safeguarding leads?|head ?teachers?|education staff|"
        r"teaching staff|pastoral (?:staff|leads?|teams?)|colleges?|heads? of year|education welfare(?: officers?)?|"
        r"attendance officers?|\bSENCOs?\b|teaching assistants?|learning mentors?",
        re.I,
    ),
    "early-years": re.compile(
        r"nurser(?:y|ies)|early years|child ?minders?|pre-?schools?|children'?s cent(?:re|er)s?|childcare", re.I
    ),
    "police": re.compile(
        r"\bpolice(?: officers?)?\b|(?<!housing )(?<!probation )(?<!offending )(?<!justice )(?<!welfare )\bofficers?\b"
        r"|\bcops?\b|"
        r"detectives?|\bPCSOs?\b|policing|(?-i:\bPPUs?\b)|public protection units?|\bsergeants?\b|\bsgts?\b"
        r"|(?:force|police) control rooms?|call handlers?|(?-i:\b(?:PCs?|DCs?|DSs?|DIs?|DCIs?)\b)|\bconstables?\b"
        r"|(?-i:\bCAITs?\b)|child abuse investigation (?:team|unit)s?",
        re.I,
    ),
    "probation": re.compile(
        r"probation(?: (?:officers?|staff|services?|workers?|practitioners?|teams?))?|offender managers?"
        r"|(?-i:\bPOs?\b)",  # "im a PO"
        re.I,
    ),
    "social-worker": re.compile(
        r"social workers?|\bsocial work\b|children'?s social care|\bCSC\b|(?<!manager )social care(?! manager)|"
        r"(?-i:\bIROs?\b)|independent reviewing officers?|(?:child protection |CP )?conference chairs?"  # "iro" = re
        r"|\bsws?\b(?!-)|(?-i:\bEDT\b)|emergency duty team",  # "sw learning on closing cases", out-of-hours
        re.I,
    ),
    "mental-health": re.compile(
        r"mental health (?:workers?|nurses?|teams?|services?|practitioners?|staff|professionals?)|\bCAMHS\b|"
        r"psychiatrists?|psychologists?|therapists?|counsellors?|"
        r"(?:adult|community|perinatal|child and adolescent) (?:community )?mental health\b",
        re.I,
    ),
    "manager": re.compile(
        r"(?<!case )managers?\b|team leaders?|business managers?|safeguarding (?:board|partnership)s?|\bLSCBs?\b|"
        r"senior leaders?|leadership|commissioners?|service leads?",
        re.I,
    ),
    "housing": re.compile(
        r"housing (?:officers?|workers?|providers?|associations?|staff|teams?)|landlords?"
        r"|\bhousing(?= (?:lessons?|learning|takeaways?)\b)",  # "housing lessons": the lens, not poor housing
        re.I,
    ),
    "youth-justice": re.compile(r"youth justice|youth offending|\bYOTs?\b|\bYOS\b|\bYJS\b", re.I),
    "substance-misuse": re.compile(
        r"(?:drugs?|alcohol|substance misuse|addiction) (?:and alcohol )?(?:\w+ )?(?:workers?|key ?workers?|services?|"
        r"teams?|practitioners?|nurses?|counsellors?|recovery workers?)",
        re.I,
    ),
    "ambulance": re.compile(r"ambulance|paramedics?", re.I),
}
ALIASES = {
    "hv": "health-visitor",
    "health-visitors": "health-visitor",
    "health-visiting": "health-visitor",
    "school-nurses": "school-nurse",
    "school-nursing": "school-nurse",
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
    "hospital-doctor": "hospital",
    "emergency-department": "hospital",
    "a&e": "hospital",
    "paediatrician": "hospital",
    "paediatrics": "hospital",
    "nursery": "early-years",
    "nurseries": "early-years",
    "childminder": "early-years",
    "probation-officer": "probation",
    "yot": "youth-justice",
    "youth-offending": "youth-justice",
    "drug-and-alcohol": "substance-misuse",
    "paramedic": "ambulance",
}


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
