"""The pattern table the :class:`~workbench.agents.contacts._extract.Reader` applies.

Each entry is a compiled regular expression and a handler that turns a match into facts,
relationships, renames or retirements. Building blocks: ``N`` a capitalised name, ``E`` an
entity expression (a name, a pronoun or "the studio"-like description), ``EP`` its possessive
form ("Acme's", "their"). The patterns are ordinary English, not sentences of any script.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from workbench.agents.contacts._dates import find_dates

if TYPE_CHECKING:
    from workbench.agents.contacts._extract import Reader

N = r"(?:\b[A-Z][\w&-]*(?:[ ](?:[A-Z][\w&-]*|[A-Z]\.))*)"
PRON = r"(?:\b(?:[Ss]he|[Hh]e|[Tt]hey|[Ii]t)\b)"
POSS_PRON = r"(?:\b(?:[Hh]er|[Hh]is|[Tt]heir|[Ii]ts)\b)"
DESC = (r"(?:\b[Tt]he (?:studio|company|firm|startup|fund|agency|project|effort|rebrand|"
        r"redesign|migration))")
E = rf"(?:{N}|{PRON}|{DESC})"
EP = rf"(?:(?:{N}|{DESC})(?:'s|’s|')|{POSS_PRON})"
IS = r"(?:'s|’s|\s+is|\s+was|'re|\s+are)"
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
PHONE = r"\+?\d[\d ()-]{5,}\d"
TITLE_HEAD = (r"(?:[Vv][Pp]|Vice President|[Hh]ead|[Dd]irector|[Cc]hief|CEO|CFO|CTO|COO|CMO|"
              r"[Pp]artner|[Ff]ounder|[Cc]o-founder|[Ss]enior|[Ss]taff|[Ll]ead|[Pp]rincipal|"
              r"[Mm]anaging)")
_TITLE_NOUN = re.compile(
    r"\b(?:vp|vice president|president|ceo|cfo|cto|coo|cmo|cpo|chief|head|director|manager|"
    r"partner|founder|co-founder|cofounder|engineer|designer|lead|principal|investor|analyst|"
    r"scientist|officer|researcher|architect|developer|associate|owner|chair|counsel|"
    r"recruiter|consultant|intern)s?\b", re.I)
PROJECT_HEADS = ("circle", "api", "app", "platform", "initiative", "program", "programme",
                 "tool", "service", "product", "system", "community", "network", "pilot",
                 "project", "effort")
COMPANY_HEADS = ("studio", "agency", "company", "startup", "firm", "fund", "consultancy",
                 "lab", "shop", "business")

Handler = Callable[["Reader", re.Match[str], int], None]
PATTERNS: list[tuple[re.Pattern[str], Handler]] = []

TOPIC = re.compile(rf"^(?:On|About|Re|Regarding|For|Quick context on|More on|Some background on|"
                   rf"One|An?)\s+(?:the\s+)?(?P<t>{N})(?:\s+itself|\s+update|\s+section|\s+news)?"
                   rf"\s*:")
EVENT_NOUNS = re.compile(
    r"\b(?P<noun>(?:first |next |quarterly |annual |team )?(?:coffee|lunch|dinner|breakfast|"
    r"drinks|call|meeting|catch-up|offsite|meetup|conference|demo|interview|workshop))"
    r"(?: with (?P<with>[A-Z][\w-]*(?: [A-Z][\w-]*)*))?", re.I)


def pattern(regex: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        PATTERNS.append((re.compile(regex), handler))
        return handler

    return register


def is_title(text: str) -> bool:
    return bool(_TITLE_NOUN.search(text)) and len(text.split()) <= 8


def clean_title(text: str) -> str:
    text = re.sub(r"\bone of (?:its|their|the) (co-?founders?)", r"co-founder", text, flags=re.I)
    text = re.split(r"\s+(?:on|in|for|from|who|based|since|at)\s+", text)[0]
    return re.sub(r"^(?:the|a|an|now|also|our|their|its)\s+", "", text.strip(), flags=re.I)


def g(m: re.Match[str], name: str) -> tuple[str | None, int]:
    """A group's text and start offset (None, -1 when it did not take part)."""
    return (m.group(name), m.start(name)) if m.group(name) else (None, -1)


def ref(r: Reader, m: re.Match[str], name: str, i: int, exclude: tuple[str, ...] = ()
        ) -> str | None:
    text, pos = g(m, name)
    return r.resolve(text, i, pos, exclude) if text else None


def org_or_topic(r: Reader, surface: str | None) -> str | None:
    return surface if surface else r.topic


# --------------------------------------------------------------------------- employment


@pattern(rf"(?P<p>{N}),\s+(?P<o>{EP})\s+(?P<t>[^,.;]+?)(?=,|\.|;|$|\s+has\b|\s+and\s+(?:is|has|"
         rf"was|got|made)\b)")
@pattern(rf"(?P<p>{E}){IS}\s+(?:also\s+)?(?P<o>{EP})\s+(?P<t>[^,.;]+?)(?=[,.;]|$|\s+and\b)")
def title_of_org(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Bob Kim, their CFO" / "Kenji is Brightwater's CEO": title and employer."""
    title = m.group("t")
    if not is_title(title) or re.match(r"(?:email|number|phone|address|mobile)", title):
        return
    person = ref(r, m, "p", i)
    org = ref(r, m, "o", i, (person,) if person else ())
    if r.kind_of(org or "") == "project":
        return
    r.typed(person, "person")
    r.fact(person, "title", clean_title(title))
    r.relation(person, "works_at", org, "person", "company")


@pattern(rf"(?P<p>{E})(?:{IS}|,)\s+(?:now\s+)?(?:the|a|an)\s+(?P<t>[^,.;]+?)\s+(?:at|with)\s+"
         rf"(?P<o>{N})")
def title_at_org(r: Reader, m: re.Match[str], i: int) -> None:
    """ "she's the VP of Engineering at Acme Robotics" / "X, a staff engineer ... at Y"."""
    title = m.group("t")
    if not is_title(title) or re.search(r"\b(?:adviser|advisor)\b", title, re.I):
        return
    person = ref(r, m, "p", i)
    r.typed(person, "person")
    r.fact(person, "title", clean_title(title))
    r.relation(person, "works_at", ref(r, m, "o", i), "person", "company")


@pattern(rf"(?P<p>{E}){IS}\s+(?:now\s+)?(?P<t>{TITLE_HEAD}[^,.;]*?)(?:\s+now)?(?=[,.;!]|$)")
def bare_title(r: Reader, m: re.Match[str], i: int) -> None:
    """ "She's VP of Product now." """
    if is_title(m.group("t")):
        person = ref(r, m, "p", i)
        if r.kind_of(person or "") in (None, "person"):
            r.typed(person, "person")
            r.fact(person, "title", clean_title(m.group("t")))


@pattern(rf"(?P<p>{E}){IS}\s+(?:also\s+)?an?\s+(?P<t>[a-z][\w -]*?\b(?:investor|engineer|"
         rf"designer|founder|partner|director|manager|analyst|scientist|developer|consultant|"
         rf"officer|architect|researcher|executive|operator))\b")
def role_noun(r: Reader, m: re.Match[str], i: int) -> None:
    """ "He's an angel investor" -> title (organisations get a focus instead)."""
    subject = ref(r, m, "p", i)
    if subject and r.kind_of(subject) in (None, "person"):
        r.typed(subject, "person")
        r.fact(subject, "title", m.group("t"))


@pattern(rf"[Tt]he (?P<t>[a-z][\w -]*?) (?:who|that) [^,.;]*? is (?P<p>{N})")
def title_who(r: Reader, m: re.Match[str], i: int) -> None:
    """ "The partner who ran that deal is Priya Nair." """
    if is_title(m.group("t")):
        person = ref(r, m, "p", i)
        r.typed(person, "person")
        r.fact(person, "title", m.group("t"))


@pattern(rf"(?P<p>{E}),?\s+who\s+(?P<v>co-founded|founded|started|runs)\s+(?P<o>{E})(?:\s+and\s+"
         rf"is\s+(?P<poss>{EP})\s+(?P<t>[^,.;]+))?")
@pattern(rf"(?P<p>{E})\s+(?:also\s+)?(?P<v>co-founded|founded)\s+(?P<o>{E})")
def founded(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Grace Liu, who founded the studio and is its creative director" / "he co-founded it"."""
    person = ref(r, m, "p", i)
    org = ref(r, m, "o", i, (person,) if person else ())
    if r.kind_of(org or "") == "project" or not person:
        return
    r.typed(person, "person")
    role = {"co-founded": "co-founder", "founded": "founder", "started": "founder",
            "runs": ""}[m.group("v")]
    title = m.groupdict().get("t")
    if role:
        r.fact(person, "title", role + (f" and {clean_title(title)}" if title else ""))
    elif title and is_title(title):
        r.fact(person, "title", clean_title(title))
    r.relation(person, "works_at", org, "person", "company")


@pattern(rf"(?P<p>{E})\s+(?:has\s+|just\s+)?joined\s+(?:the\s+)?(?P<x>{N})(?:\s+(?P<kind>effort|"
         rf"project|team|initiative|programme|program))?(?:\s+as\s+(?:an?\s+|the\s+|their\s+)?"
         rf"(?P<t>[^,.;]+?))?(?=\s+(?:last|this|in|on)\b|[,.;!]|$)")
def joined(r: Reader, m: re.Match[str], i: int) -> None:
    """ "X joined Acme as VP Engineering" (employer, title) / "joined the Falcon effort"."""
    person = ref(r, m, "p", i)
    target = ref(r, m, "x", i)
    kind = "project" if m.group("kind") in ("effort", "project", "initiative", "programme",
                                            "program") else r.kind_of(target or "")
    if kind == "project":
        r.relation(person, "involved_in", target, "person", "project")
        return
    r.relation(person, "works_at", target, "person", "company")
    if m.group("t") and is_title(m.group("t")):
        r.fact(person, "title", clean_title(m.group("t")))


@pattern(rf"(?P<p>{E})\s+(?:now\s+|still\s+)?(?:works|worked|is working)\s+(?:at|for)\s+"
         rf"(?P<o>{N})")
@pattern(rf"(?P<p>{E})\s+(?:has\s+)?(?:moved|switched)\s+(?:over\s+)?to\s+(?P<o>{N})")
def works_at(r: Reader, m: re.Match[str], i: int) -> None:
    r.relation(ref(r, m, "p", i), "works_at", ref(r, m, "o", i), "person", "company")


@pattern(rf"(?P<p>{E})\s+(?:has\s+|had\s+|just\s+)?(?:left|quit|departed)\s+(?P<o>{N})")
def left(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Marco has left Brightwater": retire the employment edge."""
    person, org = ref(r, m, "p", i), ref(r, m, "o", i)
    if person and org:
        r.typed(person, "person")
        r.typed(org, "company")
        r.retire(person, "works_at", org)


@pattern(rf"(?P<p>{E})\s+(?:started|began|starts|begins)\s+(?:work\s+|working\s+)?at\s+(?P<o>{N})")
def started_at(r: Reader, m: re.Match[str], i: int) -> None:
    """ "He started at Northwind on April 1st": new employer, and the dated move."""
    person, org = ref(r, m, "p", i), ref(r, m, "o", i)
    r.relation(person, "works_at", org, "person", "company")
    dates = [d for d in find_dates(m.string[m.end():m.end() + 30], r.today, "past")
             if len(d.iso) == 10]
    if person and org and dates:
        old = list(dict.fromkeys(o for p, _, o in r.out.retire if p == person))
        after = f" after leaving {old[0]}" if old else ""
        r.event(person, f"Started at {org}{after}", dates[0].iso, [org, *old])


@pattern(rf"\b(?:with|ask|and|to)\s+(?P<p>{N})\s+(?:at|from)\s+(?P<o>{N})")
def person_at_org(r: Reader, m: re.Match[str], i: int) -> None:
    """ "talk it through with Priya at Harborlight": an implied employer."""
    person, org = ref(r, m, "p", i), ref(r, m, "o", i)
    if r.kind_of(person or "") in (None, "person") and r.kind_of(org or "") in (None, "company"):
        r.relation(person, "works_at", org, "person", "company")


@pattern(rf"(?P<o>{N})(?:'s|’s|')\s+(?:offsite|all-hands|office party|team (?:dinner|day|"
         rf"retreat))[^.;]*?\b(?:talking|talked|spoke|speaking|chatting|chatted)\s+(?:to|with)\s+"
         rf"(?P<p>{N})")
@pattern(rf"\bmet\s+(?P<p>{N})\s+at\s+(?P<o>{N})(?:'s|’s|')\s+(?:offsite|all-hands|office)")
def met_at_company_event(r: Reader, m: re.Match[str], i: int) -> None:
    """Someone met at a company's internal event (an offsite) works there."""
    r.relation(ref(r, m, "p", i), "works_at", ref(r, m, "o", i), "person", "company")


# --------------------------------------------------------------------------- people


@pattern(rf"(?P<p>{E})\s+(?:reports|reported|reporting)\s+(?:directly\s+)?(?:in)?to\s+(?P<q>{N})")
def reports_to(r: Reader, m: re.Match[str], i: int) -> None:
    r.relation(ref(r, m, "p", i), "reports_to", ref(r, m, "q", i), "person", "person")


@pattern(rf"(?P<p>{E})(?:'s|\s+is)?\s+(?:runs|leads|heads|leading|running|owns|heading)\s+"
         rf"(?P<x>an?\s+project\s+(?:of\s+\w+\s+)?called\s+{N}|{DESC}|{N}|it)(?!\s+(?:in|at)\b)")
def leads(r: Reader, m: re.Match[str], i: int) -> None:
    """ "she runs it" / "She's leading a project of theirs called Atlas"."""
    person = ref(r, m, "p", i)
    project = ref(r, m, "x", i, (person,) if person else ())
    if r.kind_of(project or "") == "company":
        return
    r.relation(person, "leads", project, "person", "project")


@pattern(rf"^(?:[A-Z][\w ]*?:\s+)?(?P<x>{N}){IS}\s+[^.;]*?\b(?:that|which)\s+(?P<p>{N})\s+(?:leads|runs|"
         rf"heads|owns|is leading|is running)\b")
def object_relative_leads(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Project Orion is a robotics platform that Omar leads." """
    project = ref(r, m, "x", i)
    if r.kind_of(project or "") != "company":
        r.relation(ref(r, m, "p", i), "leads", project, "person", "project")


@pattern(rf"\b(?:work|design|engineering|development|coding|research)\b[^.;]*?\b(?:done|handled|"
         rf"built|carried out)\s+by\s+(?P<p>{N})")
def work_done_by(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Most of the hands-on design is being done by X": X works on the current project."""
    project = next((x.surface for x in reversed(r.before(i, m.start("p")))
                    if x.kind == "project"), None)
    r.relation(ref(r, m, "p", i), "involved_in", project, "person", "project")


@pattern(rf"[Tt]he (?:\w+ )?(?:engineer|designer|developer|person|brains|mind)s?\s+behind\s+"
         rf"(?:most of\s+|much of\s+)?(?P<x>{N})\s+(?:is|are|was)\s+(?P<p>{N})")
@pattern(rf"(?P<p>{E}){IS}\s+(?:the\s+\w+\s+)?behind\s+(?:most of\s+)?(?P<x>{N})")
def behind(r: Reader, m: re.Match[str], i: int) -> None:
    r.relation(ref(r, m, "p", i), "involved_in", ref(r, m, "x", i), "person", "project")


@pattern(rf"(?P<p>{E})\s+(?:said yes to|agreed to|will be|is|'s)\s+(?:co-?host(?:ing)?|"
         rf"co-?organi[sz]ing|co-?running)(?:\s+(?P<x>{N}))?")
def cohost(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Tom said yes to co-hosting!" -> Tom is involved in the project being discussed."""
    person = ref(r, m, "p", i)
    project = ref(r, m, "x", i) or next(
        (x.surface for x in reversed(r.before(i, m.start()))
         if x.kind == "project"), None)
    r.relation(person, "involved_in", project, "person", "project")


@pattern(rf"(?P<p>{E})(?:'s|\s+is|\s+was)\s+(?:also\s+)?(?:an?\s+)?(?:adviser|advisor)\s+"
         rf"(?:to|at|for)\s+(?P<o>{N})")
@pattern(rf"(?P<p>{E})\s+(?:also\s+)?advises\s+(?P<o>{N})")
def advises(r: Reader, m: re.Match[str], i: int) -> None:
    r.relation(ref(r, m, "p", i), "advises", ref(r, m, "o", i), "person", "company")


@pattern(rf"(?P<x>{E})\s+(?:was\s+(?:also\s+)?the\s+one\s+who\s+)?(?:connected me (?:with|to)|"
         rf"introduced me to|put me in touch with|set me up with)\s+(?P<q>{N})")
@pattern(rf"(?P<x>{E})(?:'s|\s+is|\s+was)\s+(?:also\s+)?the reason I (?:know|met)\s+(?P<q>{N})")
def introduced_me(r: Reader, m: re.Match[str], i: int) -> None:
    r.relation(ref(r, m, "q", i), "introduced_by", ref(r, m, "x", i), "person", "person")


@pattern(rf"(?P<x>{E})(?:,[^,]*,)?\s+(?:[^.;]*?\s)?(?:made the introduction|made the intro|"
         rf"introduced us)")
def introduced_us(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Bob ... made the introduction": to the latest other person in the conversation."""
    introducer = ref(r, m, "x", i)
    other = next((x.surface for x in reversed(r.before(i, m.end())) if x.kind == "person"
                  and introducer and x.surface != introducer), None)
    r.relation(other, "introduced_by", introducer, "person", "person")


# The organisation, attribute and identity patterns register themselves on import.
from workbench.agents.contacts import _facts  # noqa: E402, F401
