"""Text normalisation and lenient matching shared by the Contacts scorers.

Everything here is deterministic and dependency-free. The rules are deliberately small and
written down (README of ``datasets/contacts``), because a scorer whose matching cannot be
explained in a paragraph cannot be trusted in a plot.

Token pipeline (used for values, phrases and answers): casefold, strip accents, spell out a few
job-title abbreviations, turn every non-alphanumeric run into a space, drop a handful of
stopwords, and apply a light stemmer (plural ``s``/``ies``, ordinal ``5th`` -> ``5``) to both
sides, so "VP of Engineering" ~ "VP Engineering" and "March 5th" ~ "March 5".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime

#: Jaccard overlap of value tokens at or above which two values match.
VALUE_OVERLAP_THRESHOLD = 0.6
#: When the learned value is a fragment of the gold value it must cover this share of it
#: (so "Series" alone does not match "Series B").
MIN_FRAGMENT_SHARE = 0.6
#: A phrase with at least this many digits (and mostly digits) is compared digit-by-digit,
#: so "+31 6 5550 1147" ~ "+31655501147".
MIN_NUMERIC_DIGITS = 7

STOPWORDS = frozenset({"the", "of", "at", "an", "and", "s"})
_ABBREVIATIONS = (
    ("vice president", "vp"),
    ("chief executive officer", "ceo"),
    ("chief financial officer", "cfo"),
    ("chief technology officer", "cto"),
    ("chief operating officer", "coo"),
)
_CORPORATE_SUFFIXES = frozenset({"inc", "ltd", "llc", "gmbh", "corp", "corporation", "co", "plc",
                                 "limited", "bv", "ag", "sa"})
_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")


def fold(text: str) -> str:
    """Casefold and strip accents ("Sofía" -> "sofia")."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stem(tok: str) -> str:
    m = _ORDINAL.match(tok)
    if m:
        return m.group(1)
    if len(tok) > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith(("ss", "us", "is")):
        return tok[:-1]
    return tok


def tokens(text: str) -> list[str]:
    """Normalised, stemmed tokens of ``text`` with stopwords removed."""
    flat = " " + " ".join(_NON_ALNUM.sub(" ", fold(text)).split()) + " "
    for long, short in _ABBREVIATIONS:
        flat = flat.replace(f" {long} ", f" {short} ")
    return [_stem(t) for t in flat.split() if t not in STOPWORDS]


def norm(text: str) -> str:
    """Tokens joined by single spaces: a comparable form of ``text``."""
    return " ".join(tokens(text))


def contains_seq(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """True when ``needle`` occurs as a contiguous run inside ``haystack`` (both token lists)."""
    n = len(needle)
    if n == 0 or n > len(haystack):
        return False
    first = needle[0]
    return any(haystack[i] == first and list(haystack[i:i + n]) == list(needle)
               for i in range(len(haystack) - n + 1))


def digits(text: str) -> str:
    """Only the ASCII digits of ``text``."""
    return "".join(ch for ch in str(text) if ch.isdigit())


def is_numeric_phrase(text: str) -> bool:
    """Phone-number-like: enough digits, and digits make up most of the alphanumerics."""
    d = digits(text)
    alnum = sum(ch.isalnum() for ch in text)
    return len(d) >= MIN_NUMERIC_DIGITS and len(d) >= 0.6 * max(alnum, 1)


def phrase_in(phrase: str, text: str, text_tokens: Sequence[str] | None = None) -> bool:
    """Lenient "does ``text`` mention ``phrase``": digit match, token run, or raw symbol match."""
    if is_numeric_phrase(phrase) and digits(phrase) in digits(text):
        return True
    needle = tokens(phrase)
    if not needle:
        # A phrase made only of symbols (e.g. "@") is looked up verbatim.
        stripped = phrase.strip()
        return bool(stripped) and stripped.casefold() in str(text).casefold()
    return contains_seq(text_tokens if text_tokens is not None else tokens(text), needle)


def value_matches(learned: str, gold: str, alternatives: Iterable[str] = ()) -> bool:
    """Lenient value match against ``gold`` or any accepted alternative.

    A learned value matches a gold value when, after normalisation, (a) the gold value is a
    numeric phrase (phone, ISO date) whose digits occur in the learned value, or otherwise (b) the gold value occurs inside the learned value (learned
    facts are often whole sentences), (c) the learned value occurs inside the gold value and
    covers at least ``MIN_FRAGMENT_SHARE`` of its tokens, or (d) the token sets have Jaccard
    overlap >= ``VALUE_OVERLAP_THRESHOLD``.
    """
    lt = tokens(learned)
    for candidate in (gold, *alternatives):
        if is_numeric_phrase(candidate):
            # Numbers match digit-for-digit or not at all: token overlap would let a phone
            # number that differs in one group pass.
            if digits(candidate) in digits(learned):
                return True
            continue
        gt = tokens(candidate)
        if not lt or not gt:
            continue
        if contains_seq(lt, gt):
            return True
        if contains_seq(gt, lt) and len(lt) / len(gt) >= MIN_FRAGMENT_SHARE:
            return True
        ls, gs = set(lt), set(gt)
        if len(ls & gs) / len(ls | gs) >= VALUE_OVERLAP_THRESHOLD:
            return True
    return False


def name_key(name: str) -> str:
    """Comparable form of an entity name: tokens without corporate suffixes or "project"."""
    toks = tokens(name)
    while len(toks) > 1 and toks[-1] in _CORPORATE_SUFFIXES:
        toks.pop()
    if len(toks) > 1 and toks[0] == "project":
        toks = toks[1:]
    elif len(toks) > 1 and toks[-1] == "project":
        toks = toks[:-1]
    return " ".join(toks)


# --------------------------------------------------------------------------- vocabularies

_TYPE_SYNONYMS = {
    "person": {"person", "people", "persons", "human", "contact", "individual"},
    "company": {"company", "companies", "organization", "organisation", "org", "business",
                "startup", "firm", "fund", "vc", "investor", "agency", "studio", "corporation"},
    "project": {"project", "projects", "initiative", "program", "programme", "effort"},
}
_TYPE_OF = {syn: canon for canon, syns in _TYPE_SYNONYMS.items() for syn in syns}


def canonical_type(value: str | None) -> str | None:
    """``person``/``company``/``project``, or None when the type is unknown or unusual."""
    if not value:
        return None
    return _TYPE_OF.get(fold(value).strip().replace(" ", "_"))


# Gold "city" (companies) and "location" (people) share a group, as do "expertise" (people)
# and "focus" (companies, projects): the subject already tells them apart, and splitting them
# would punish a store for a naming choice. Ambiguous names ("stage", "note") are absent on
# purpose and act as wildcards.
_ATTRIBUTE_SYNONYMS = {
    "title": {"title", "role", "job_title", "job", "position", "occupation", "job_role"},
    "email": {"email", "email_address", "e_mail", "mail"},
    "phone": {"phone", "phone_number", "mobile", "mobile_number", "cell", "telephone", "tel"},
    "place": {"location", "city", "based_in", "lives_in", "home_city", "hq", "headquarters",
              "hq_city", "headquartered_in", "office"},
    "focus": {"focus", "expertise", "skills", "skill", "specialty", "speciality", "strength",
              "area_of_expertise", "expert_in", "industry", "sector", "business", "product",
              "what_they_do", "purpose", "domain", "investment_focus", "thesis"},
    "funding_stage": {"funding_stage", "funding", "round", "latest_round", "funding_round",
                      "series"},
    "stack": {"stack", "tech_stack", "technology", "technologies", "tech", "built_with",
              "built_on", "language", "languages"},
    "status": {"status", "state", "progress"},
    "deadline": {"deadline", "due", "due_date", "due_by", "target_date"},
}
_ATTRIBUTE_OF = {syn: canon for canon, syns in _ATTRIBUTE_SYNONYMS.items() for syn in syns}


def canonical_attribute(name: str | None) -> str | None:
    """The attribute group of ``name``, or None for a wildcard (blank or unrecognised)."""
    if not name:
        return None
    return _ATTRIBUTE_OF.get(_NON_ALNUM.sub("_", fold(name)).strip("_"))


_RELATION_SYNONYMS = {
    "works_at": {"works_at", "works_for", "employed_at", "employed_by", "employee_of",
                 "employee_at", "job_at", "is_at", "at", "works_in"},
    "reports_to": {"reports_to", "managed_by", "reports_into", "direct_report_of"},
    "leads": {"leads", "lead", "heads", "runs", "owns", "leader_of", "lead_of", "head_of",
              "leading"},
    "involved_in": {"involved_in", "works_on", "contributes_to", "contributor_to",
                    "participates_in", "co_hosts", "cohosts", "co_host_of"},
    "advises": {"advises", "advisor_to", "adviser_to", "advisor_of", "adviser_of",
                "advisor_at", "adviser_at"},
    "invested_in": {"invested_in", "investor_in", "invests_in", "backs", "backed", "funded",
                    "led_round_in", "led_seed_round_of"},
    "introduced_by": {"introduced_by", "intro_by", "introduced_through", "introduced_via",
                      "referred_by", "met_through", "met_via", "connected_by"},
}
#: Relations read in the opposite direction: ``P led_by A`` is ``A leads P``.
INVERSE_RELATIONS = {
    "led_by": "leads", "run_by": "leads", "headed_by": "leads",
    "employs": "works_at", "employer_of": "works_at", "has_employee": "works_at",
    "manages": "reports_to", "manager_of": "reports_to",
    "involves": "involved_in", "has_member": "involved_in", "has_contributor": "involved_in",
    "advised_by": "advises", "has_advisor": "advises", "has_adviser": "advises",
    "backed_by": "invested_in", "funded_by": "invested_in", "has_investor": "invested_in",
    "introduced": "introduced_by", "introducer_of": "introduced_by",
}
#: Membership words whose meaning depends on the target: a company -> works_at, else involved_in.
MEMBERSHIP_RELATIONS = frozenset({"member_of", "part_of", "belongs_to", "on_team_of"})
_RELATION_OF = {syn: canon for canon, syns in _RELATION_SYNONYMS.items() for syn in syns}


def relation_key(name: str) -> str:
    """``"Works for"`` -> ``"works_for"``."""
    return _NON_ALNUM.sub("_", fold(name)).strip("_")


def canonical_relation(name: str, target_type: str | None = None) -> tuple[str, bool]:
    """The canonical relation for ``name`` and whether source and target must be swapped.

    Unrecognised relations come back unchanged (normalised) and never match a gold edge.
    """
    key = relation_key(name)
    if key in _RELATION_OF:
        return _RELATION_OF[key], False
    if key in INVERSE_RELATIONS:
        return INVERSE_RELATIONS[key], True
    if key in MEMBERSHIP_RELATIONS:
        return ("works_at" if target_type == "company" else "involved_in"), False
    return key, False


# --------------------------------------------------------------------------- dates

_DATE_FORMATS = ("%B %d %Y", "%d %B %Y", "%b %d %Y", "%d %b %Y", "%Y/%m/%d", "%Y %m %d")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(value: object) -> str | None:
    """An ISO ``YYYY-MM-DD`` string for a date-like value, or None when it has no full date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    m = _ISO.search(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    cleaned = re.sub(r"(\d+)(st|nd|rd|th)\b", r"\1", text)
    cleaned = " ".join(re.sub(r"[,.]", " ", cleaned).split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return None
