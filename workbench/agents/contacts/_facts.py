"""Patterns about organisations, attributes and identity (registered into ``PATTERNS``).

Companion of :mod:`._patterns`: funding and investors, what a company does and where it sits,
e-mail, phone, place, stack, status, deadline, expertise, and "X's full name is Y".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from workbench.agents.contacts._dates import find_dates
from workbench.agents.contacts._patterns import (
    COMPANY_HEADS,
    EMAIL,
    EP,
    IS,
    PHONE,
    POSS_PRON,
    PROJECT_HEADS,
    E,
    N,
    org_or_topic,
    pattern,
    ref,
)

if TYPE_CHECKING:
    from workbench.agents.contacts._extract import Reader

# --------------------------------------------------------------------------- organisations


@pattern(rf"(?P<a>{E})\s+(?:led|co-led|participated in|joined)\s+(?P<b>{EP})\s+(?:(?P<v>seed|"
         rf"pre-seed)\s+round|(?P<v2>Series [A-Z])\b(?:\s+round)?)")
def led_round(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Harborlight Ventures led their seed round": investor, and the round's stage."""
    investor = ref(r, m, "a", i)
    company = ref(r, m, "b", i, (investor,) if investor else ())
    r.relation(investor, "invested_in", company, "company", "company")
    stage = m.group("v") or m.group("v2")
    r.fact(company, "funding_stage", stage.capitalize() if stage.islower() else stage)


@pattern(rf"(?P<a>{E})\s+(?:has\s+)?(?:invested in|backed|funded)\s+(?P<b>{N})")
def invested(r: Reader, m: re.Match[str], i: int) -> None:
    r.relation(ref(r, m, "a", i), "invested_in", ref(r, m, "b", i), "company", "company")


@pattern(rf"(?P<a>{E})\s+(?:also\s+)?(?:backs|invests in|funds)\s+(?P<v>[a-z][^.;]*?(?:companies|"
         rf"startups|founders|teams))")
@pattern(rf"(?:^|:\s+)(?P<a>{E})\b[^.;:]*?\band\s+(?:backs|invests in|funds)\s+(?P<v>[a-z][^.;]*?"
         rf"(?:companies|startups|founders|teams))")
def investment_focus(r: Reader, m: re.Match[str], i: int) -> None:
    r.fact(ref(r, m, "a", i), "focus", m.group("v"))


@pattern(rf"(?P<p>{E})\s+(?:announced|raised|closed|is at|are at|'s at|'re at)\s+(?:an?|its|their)"
         rf"\s+(?P<v>Series [A-Z]|seed round)")
@pattern(r"(?:^|:\s+)(?P<v>Series [A-Z]|Seed|Pre-seed)(?=,|\.|;|$)")
def funding(r: Reader, m: re.Match[str], i: int) -> None:
    company = org_or_topic(r, ref(r, m, "p", i) if m.groupdict().get("p") else None)
    r.typed(company, "company")
    r.fact(company, "funding_stage", m.group("v").replace(" round", "").capitalize()
           if m.group("v").islower() else m.group("v"))


@pattern(rf"(?P<p>{E})\s+(?:builds|makes|develops|designs|sells|produces|provides|offers)\s+"
         rf"(?P<v>[a-z][^.;]*)")
@pattern(rf"(?P<p>{E}){IS}\s+an?\s+(?:{N}\s+|[a-z]+\s+)?(?:company|startup|firm)\s+(?:doing|"
         rf"building|making|that does|that builds|that makes|working on)\s+(?P<v>[a-z][^.;]*)")
def focus(r: Reader, m: re.Match[str], i: int) -> None:
    subject = ref(r, m, "p", i)
    if r.kind_of(subject or "") != "person":
        r.fact(subject, "focus", m.group("v"))


@pattern(rf"(?P<p>{E}){IS}\s+an?\s+(?P<v>(?:[a-z]+\s+)?[a-z][\w -]*?\b(?P<head>(?i:"
         rf"{'|'.join(COMPANY_HEADS)}|{'|'.join(PROJECT_HEADS)})))\b(?:,?\s+(?:also\s+)?(?:here\s+)?"
         rf"(?:in|based in)\s+(?P<c>{N}))?")
def kind_of_thing(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Quillfeather is a small design studio, also here in Lisbon." / "Orion is a robotics
    platform": what it does, and (companies) where it sits."""
    subject = ref(r, m, "p", i)
    kind = "company" if m.group("head").lower() in COMPANY_HEADS else "project"
    if r.kind_of(subject or "") in (None, kind):
        r.typed(subject, kind)
        r.fact(subject, "focus", m.group("v"))
        if m.group("c"):
            r.fact(subject, "city", m.group("c"))


@pattern(rf"(?P<p>{N}),\s+(?:the|a|an)\s+(?P<v>[a-z][\w -]*?\b(?P<head>(?i:{'|'.join(PROJECT_HEADS)}|"
         rf"{'|'.join(COMPANY_HEADS)})))\b(?P<rest>[^,.;]*)")
def apposition_kind(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Atlas, a data-sharing API for ..." / "Lighthouse, the mentoring circle I'm starting"."""
    subject = ref(r, m, "p", i)
    kind = "company" if m.group("head").lower() in COMPANY_HEADS else "project"
    if r.kind_of(subject or "") == "person":
        return
    r.typed(subject, kind)
    rest = re.sub(r"^\s*(?:that\s+|which\s+)?(?:I|I'm|I am|we|we're|we are)\s+\w+(?:ing)?\b", "",
                  m.group("rest"))
    rest = re.sub(r"\bI'm \w+ing\b|\bI \w+\b", "", rest)
    r.fact(subject, "focus", f"{m.group('v')} {rest}".strip())


@pattern(rf"(?P<o>{E})\s+is\s+getting\s+an?\s+(?:fresh|new)\s+(?P<n>brand|identity|logo|website)")
def new_project_from_work(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Brightwater is getting a fresh brand" starts a project, later called "the rebrand"."""
    owner = ref(r, m, "o", i)
    if not owner:
        return
    noun = "rebrand" if m.group("n") in ("brand", "identity", "logo") else "redesign"
    name = f"{owner} {noun}"
    r.typed(name, "project")
    r.alias(name, f"the {noun}")
    from workbench.agents.contacts._mentions import Ref

    r.add_ref(Ref(name, "project", i, m.start(), m.end(), "description"))


# --------------------------------------------------------------------------- attributes


@pattern(rf"(?P<p>{EP})\s+(?:work\s+|personal\s+)?(?:e-?mail|address|email address)\s+is\s+"
         rf"(?P<v>{EMAIL})")
def email(r: Reader, m: re.Match[str], i: int) -> None:
    person = ref(r, m, "p", i)
    r.typed(person, "person")
    r.fact(person, "email", m.group("v"))


@pattern(rf"(?P<p>{EP})\s+(?:mobile|phone|cell|number|direct line)(?:\s+number)?\s+is\s+"
         rf"(?P<v>{PHONE})")
def phone(r: Reader, m: re.Match[str], i: int) -> None:
    person = ref(r, m, "p", i)
    r.typed(person, "person")
    r.fact(person, "phone", m.group("v"))


@pattern(rf"(?P<p>{E})(?:\s+also)?\s+(?:lives|is based|'s based|works out of|is located|lives and "
         rf"works)\s+(?:in\s+|out of\s+)?(?P<v>{N})")
@pattern(rf"(?P<p>{E}){IS}\s+an?\s+[a-z][\w -]*?\s+based\s+in\s+(?P<v>{N})")
@pattern(rf"(?P<p>{E}){IS}\s+(?:headquartered|based|located)\s+in\s+(?P<v>{N})")
@pattern(rf"(?P<p>{EP})\s+(?:HQ|headquarters|head office|main office)\s+is\s+(?:in\s+)?(?P<v>{N})")
@pattern(rf"(?P<p>{E}){IS}\s+an?\s+(?P<v>{N})\s+(?:company|startup|firm|studio)")
@pattern(rf"(?:^|:\s+|,\s+)(?P<q>headquartered|based)\s+in\s+(?P<v>{N})")
def place(r: Reader, m: re.Match[str], i: int) -> None:
    """Where a person lives or works ("location"), or where a company sits ("city")."""
    subject = ref(r, m, "p", i) if m.groupdict().get("p") else r.topic
    if not subject:
        return
    kind = r.kind_of(subject)
    r.fact(subject, "location" if kind == "person" else "city", m.group("v"))


@pattern(rf"(?P<p>{EP})\s+(?:software|stack|tech stack|tech|engineering stack|backend|codebase)\s+"
         rf"is\s+(?P<v>[^;]+?)(?=,\s+and\b|[.;]|$)")
@pattern(r"(?:^|:\s+|,\s+)(?:and\s+)?[Tt]he\s+(?:engineering\s+|tech\s+)?stack\s+is\s+"
         r"(?P<v>[^,;]+?)(?=[.;]|$)")
@pattern(rf"(?P<p>{E}){IS}\s+(?:built|written|running)\s+(?:on|in|with)\s+(?P<v>[^,.;]+)")
@pattern(rf"(?P<p>{E})\s+runs\s+on\s+(?P<v>[^,.;]+)")
def stack(r: Reader, m: re.Match[str], i: int) -> None:
    subject = ref(r, m, "p", i) if m.groupdict().get("p") else r.topic
    if r.kind_of(subject or "") != "person":
        r.fact(subject, "stack", m.group("v"))


@pattern(rf"(?P<p>{E}){IS}\s+(?:still\s+|currently\s+|now\s+)?in\s+(?:the\s+)?(?P<v>planning|"
         rf"design|discovery|beta|alpha|testing|pilot|build|review|research)\s+(?:phase|stage)")
@pattern(rf"(?P<p>{E}){IS}\s+(?:still\s+|currently\s+)?(?P<v>(?:stuck|blocked|waiting|on hold|"
         rf"paused|delayed|stalled)\b[^,.;]*)")
@pattern(rf"(?P<p>{E}){IS}\s+(?:now\s+)?(?P<v>an?\s+pilot\b[^,.;]*|live|launched|shipped|"
         rf"cancelled|in production)")
@pattern(rf"(?P<p>{E})\s+(?:finally\s+|has\s+|just\s+)?(?P<v>launched|shipped|went live|was "
         rf"cancelled)(?!\s+(?:in|at|to|for)\b)")
def status(r: Reader, m: re.Match[str], i: int) -> None:
    subject = ref(r, m, "p", i)
    if r.kind_of(subject or "") == "person":
        return
    value = m.group("v")
    if m.re.pattern.find("phase|stage") > 0 and not value.startswith(("stuck", "a ")):
        value = value if value.endswith(("phase", "stage")) else f"{value} phase"
    r.typed(subject, "project")
    r.fact(subject, "status", value)


@pattern(rf"(?P<p>{E})\s+is\s+due\s+(?P<v>(?:at\s+|by\s+|on\s+)?[^,.;]+)")
def deadline(r: Reader, m: re.Match[str], i: int) -> None:
    dates = find_dates(m.group("v"), r.today, "future")
    r.fact(ref(r, m, "p", i), "deadline", dates[0].iso if dates else m.group("v"))


@pattern(rf"(?P<p>{EP})\s+(?:real\s+|main\s+|biggest\s+|key\s+)?(?:strength|speciality|specialty|"
         rf"expertise|superpower)\s+is\s+(?P<v>[^,.;]+)")
@pattern(rf"(?P<v>[a-z][\w -]*?)\s+(?:is|are)\s+(?P<p>{POSS_PRON})\s+(?:real\s+)?(?:speciality|"
         rf"specialty|strength|expertise|thing)")
@pattern(rf"(?P<p>{E}){IS}\s+(?:\w+\s+)?(?:brilliant|great|excellent|strong|an expert|expert|"
         rf"amazing|really good|very good)\s+(?:at|in|on)\s+(?P<v>[^,.;]+)")
@pattern(r"(?P<v>[a-z][\w -]*?)\s+is\s+all\s+(?P<p>she|he|they)\s+(?:invests?|works?)\s+in")
@pattern(rf"(?P<p>{E})\s+spent\s+(?:years|a decade|\w+ years)\s+(?:running|doing|working on|"
         rf"working in|leading)\s+(?P<v>[^,.;]+)(?=[^.;]*\bexpertise\b)")
@pattern(rf"(?P<p>{E})\s+does\s+(?:nearly\s+|almost\s+)?(?:all|most)\s+of\s+(?:her|his|their)\s+"
         rf"work\s+in\s+(?P<v>[^,.;]+)")
def expertise(r: Reader, m: re.Match[str], i: int) -> None:
    subject = ref(r, m, "p", i)
    r.typed(subject, "person")
    r.fact(subject, "expertise", m.group("v"))


# --------------------------------------------------------------------------- identity


@pattern(rf"(?P<p>{EP})\s+(?:full|real|proper) name is\s+(?P<n>{N})")
def full_name(r: Reader, m: re.Match[str], i: int) -> None:
    """ "Bob's full name is Robert Kim": rename, keeping the short form as an alias."""
    short, full = ref(r, m, "p", i), m.group("n")
    if short and full and short != full:
        r.typed(short, "person")
        r.rename(short, full)
        r.alias(full, m.group("p").removesuffix("'s").removesuffix("’s"))
