"""Finding the people, companies and projects a user mentions, and what pronouns point to.

General English rules, no knowledge of any script:

- a *name* is a run of capitalised words that is not a common sentence opener, a title word
  ("VP", "Director"), a weekday or month, or a place after "in"/"out of"/"from";
- its *type* comes from the name itself (corporate suffixes such as "Robotics" or "Ventures"
  make a company, a leading "Project" a project, two plain capitalised words a person), from
  the words around it ("at Acme" is an organisation, "coffee with Sarah" a person), or from
  what memory already says about it (``known``);
- a *pronoun* points to the most recent compatible mention ("she" to a person, "it"/"they" to
  an organisation or project), never to a name that comes later in its own sentence
  ("She reports to Ana" is not Ana reporting to herself); "the studio" points to the latest
  company called a studio.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workbench.text import normalize_name

ORG_SUFFIXES = frozenset("""
robotics health analytics studio studios ventures capital partners labs lab ai dynamics
logistics systems technologies technology tech group inc ltd llc gmbh corp bank fund media
networks software solutions therapeutics bio biotech energy motors foods holdings industries
consulting agency digital cloud security pharma games foundation institute university co
""".split())
PROJECT_SUFFIXES = frozenset({"api", "app", "platform", "initiative", "program", "programme",
                              "circle", "rebrand", "redesign", "migration"})
TITLE_WORDS = frozenset("""
vp vice president ceo cfo cto coo cmo cpo chief head director manager partner founder
co-founder cofounder engineer designer lead principal staff senior junior investor adviser
advisor officer engineering product growth design sales marketing operations finance platform
creative managing general counsel analyst scientist researcher architect developer associate
owner chair chairman chairwoman intern series
""".split())
_OPENERS = frozenset("""
i i'm i'll i've i'd hi hello hey thanks thank great okay ok also and but so oh just quick some
two one three big fun for on at in the this that these those what who whom whose which when
where why how is are was were do does did can could would should will please note morning
evening afternoon apologies today tomorrow yesterday last next first then plan plans steps
step my her his their its she he they it we you your our most under heads-up heads before
after tell early late mine good bullet bullets remind let any all every no not yes sure well
anyway actually by from with about as if because while since until to of via per
goal mission background context update news reminder fyi btw ps
""".split()) | {d.lower() for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                     "Saturday", "Sunday", "January", "February", "March",
                                     "April", "May", "June", "July", "August", "September",
                                     "October", "November", "December")}

_TOKEN = r"(?:[A-Z]\.(?=\s|$)|[A-Z][\w&-]*(?:['’]s\b|['’](?=\s))?)"
_NAME_RUN = re.compile(rf"(?<![\w@.]){_TOKEN}(?:[ ]{_TOKEN})*")
PRONOUNS = {"she": "person", "he": "person", "her": "person", "his": "person", "him": "person",
            "hers": "person", "it": "thing", "its": "thing", "they": "org", "them": "org",
            "their": "org", "theirs": "org", "there": "org"}
_PRONOUN = re.compile(r"\b(?:" + "|".join(PRONOUNS) + r")\b", re.I)
DESCRIPTION_NOUNS = {"studio": "company", "company": "company", "firm": "company",
                     "startup": "company", "fund": "company", "agency": "company",
                     "project": "project", "effort": "project", "rebrand": "project",
                     "redesign": "project", "migration": "project", "pilot": "project"}
_DESCRIPTION = re.compile(r"\b[Tt]he (" + "|".join(DESCRIPTION_NOUNS) + r")\b")
_PLACE_BEFORE = re.compile(r"(?:\b(?:in|out of|from|near|around)\s+)$")
_PERSON_BEFORE = re.compile(
    r"\b(?:with|ask|asked|invite|invited|met|meet|meeting|know|knew|email|emailed|call|"
    r"called|text|texted|talking to|talked to|spoke to|speak to|thank|introduce|"
    r"introduced)\s+$", re.I)
_ORG_BEFORE = re.compile(r"\b(?:at|joined|join|left|leave|into|for|with the)\s+$", re.I)
_PERSON_AFTER = re.compile(
    r"^(?:'s|’s) (?:email|e-mail|address|number|phone|mobile|cell|full name|real strength|"
    r"strength|speciality|specialty|team|manager|boss|role|title|job)\b|^ (?:messaged|texted|"
    r"emailed|called|said|told|reports|lives|was promoted|does (?:nearly |almost )?(?:all|"
    r"most) of (?:her|his))\b")
_ORG_AFTER = re.compile(
    r"^(?:'s|’s|') (?:ceo|cfo|cto|coo|hq|headquarters|offsite|board|head of|director|vp|"
    r"founder|co-founder|seed|series|next round|latest|investors?|customers?|engineering|"
    r"office|team)\b", re.I)


@dataclass(frozen=True)
class Ref:
    """A mention: its surface form, its type guess and where it is (sentence, offset)."""

    surface: str
    kind: str | None          # person / company / project / None (unknown)
    sentence: int
    start: int
    end: int
    via: str = "name"         # name / pronoun / description


def key(name: str) -> str:
    """The identity form of a name (as the entity store normalises it)."""
    return normalize_name(name)


def strip_possessive(text: str) -> str:
    return re.sub(r"(?:'s|’s|'|’)$", "", text.strip())


def split_sentences(text: str) -> list[str]:
    """Sentences: split after . ! ? before a capital, never inside e-mail addresses or after
    "Dr."-like abbreviations."""
    out, start = [], 0
    for m in re.finditer(r"[.!?](?=\s+[A-Z\"'])|[.!?]$|\n+", text):
        before = text[start:m.start()].split()
        last = before[-1] if before else ""
        # (An initial as in "Sarah O. is" needs no rule: the next word is lower-case.)
        if m.group(0) == "." and re.fullmatch(r"Dr|Mr|Ms|Mrs|St|e\.g|i\.e", last):
            continue
        piece = text[start:m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def name_type(name: str) -> str | None:
    """Type from the name alone: corporate suffix -> company, "Project X" -> project,
    two or more plain capitalised words -> person; None when the name does not say."""
    words = [w.lower().strip(".") for w in name.split()]
    if not words:
        return None
    if words[0] == "project" or (len(words) > 1 and words[-1] in PROJECT_SUFFIXES):
        return "project"
    if any(w in ORG_SUFFIXES for w in words[1:]) or (len(words) == 1 and words[0] in
                                                      {"ai", "labs"}):
        return "company"
    if len(words) >= 2 and all(w[:1].isalpha() for w in words) and \
            not any(w in TITLE_WORDS for w in words):
        return "person"
    return None


def _clean_run(run: str, at_sentence_start: bool) -> tuple[str, int]:
    """Drop opener and title words from the front of a capitalised run (offset dropped)."""
    words = run.split(" ")
    dropped = 0
    while words and (words[0].lower().strip("’'") in _OPENERS or
                     words[0].lower() in TITLE_WORDS or
                     (at_sentence_start and dropped == 0 and words[0].lower().endswith("'s")
                      and words[0][:-2].lower() in _OPENERS)):
        dropped += len(words[0]) + 1
        words = words[1:]
    while words and words[-1].lower() in TITLE_WORDS | _OPENERS:
        words = words[:-1]
    return " ".join(words), dropped


def context_type(sentence: str, start: int, end: int) -> str | None:
    """Type from the words around a name: "coffee with X" (person), "at X" (organisation)."""
    before, after = sentence[:start], sentence[end:]
    if _PERSON_AFTER.search(after):
        return "person"
    if _ORG_AFTER.search(after):
        return "company"
    if _PERSON_BEFORE.search(before):
        return "person"
    if _ORG_BEFORE.search(before):
        return "company"
    if re.search(r"\b[Pp]roject (?:of \w+ )?called\s+$|\b[Pp]roject\s+$", before):
        return "project"
    return None


def is_place(sentence: str, start: int, end: int) -> bool:
    """"in Lisbon", "out of Austin", "Lisbon time", "a Toronto company": a place, not an entity."""
    before, after = sentence[:start], sentence[end:]
    return bool(_PLACE_BEFORE.search(before) or re.match(r"^ time\b", after)
                or (re.search(r"\ba\s+$", before) and re.match(r"^ (?:company|startup|firm)\b",
                                                                after)))


def names_in(sentence: str, index: int, known: Mapping[str, str]) -> list[Ref]:
    """Name mentions in one sentence, with a type guess (memory's type wins)."""
    refs = []
    for m in _NAME_RUN.finditer(sentence):
        run = m.group(0)
        cut = re.search(r"['’]s?(?=\s|$)", run)   # a possessive ends the name: "Acme's HQ"
        run = strip_possessive(run[:cut.end()] if cut else run)
        name, dropped = _clean_run(run, m.start() == 0)
        if not name or len(name) < 2 or not re.search(r"[a-z]", name):
            continue
        start = m.start() + dropped
        end = start + len(name)
        kind = known.get(key(name)) or name_type(name) or context_type(sentence, start, end)
        if kind is None and key(name) not in known and is_place(sentence, start, end):
            continue
        refs.append(Ref(name, kind, index, start, end))
    return refs


def _compatible(ref_kind: str | None, want: str) -> bool:
    if want == "person":
        return ref_kind == "person"
    if want == "thing":
        return ref_kind in ("company", "project")
    return ref_kind == "company"


GENDER = {"she": "f", "her": "f", "hers": "f", "he": "m", "him": "m", "his": "m"}


def resolve_pronoun(word: str, context: list[Ref], exclude: Iterable[str] = (),
                    gender: Mapping[str, str] | None = None) -> Ref | None:
    """The antecedent of a pronoun: the latest compatible mention before it.

    Mentions later in the pronoun's own sentence, and ``exclude`` (e.g. the subject of
    "X led their round"), are skipped; so is a person already called by a pronoun of the
    other gender ("she" is not the man just called "his"). Unknown-type names are the fallback.
    """
    want = PRONOUNS[word.lower()]
    skip = {key(e) for e in exclude}
    # "Dana" later in the sentence also rules out "Dana Lee" mentioned earlier.
    firsts = {k for k in skip if " " not in k}
    skip |= {key(r.surface) for r in context if key(r.surface).split()[:1] and
             key(r.surface).split()[0] in firsts}
    sex = GENDER.get(word.lower())
    gender = gender or {}
    if sex:   # someone already called "he" beats a more recent person of unknown gender
        recent = [r for r in context if context and r.sentence >= context[-1].sentence - 1]
        for ref in reversed(recent):
            if ref.kind == "person" and key(ref.surface) not in skip and \
                    gender.get(key(ref.surface)) == sex:
                return ref
    fallback = None
    for ref in reversed(context):
        if key(ref.surface) in skip or ref.via == "user":
            continue
        if sex and gender.get(key(ref.surface), sex) != sex:
            continue
        if _compatible(ref.kind, want) or (want == "org" and ref.kind == "project"):
            return ref
        if ref.kind is None and fallback is None and want != "person":
            fallback = ref
        if ref.kind is None and fallback is None and want == "person" and \
                " " not in ref.surface:
            fallback = ref
    return fallback


def resolve_description(noun: str, context: list[Ref]) -> Ref | None:
    """ "the studio" -> the latest company whose name contains "studio", else the latest of
    the described type."""
    want = DESCRIPTION_NOUNS[noun.lower()]
    for ref in reversed(context):
        if noun.lower() in key(ref.surface).split():
            return ref
    if want == "company" and noun.lower() in ("studio", "company", "firm", "startup",
                                               "fund", "agency"):
        for ref in reversed(context):
            if ref.kind == "company":
                return ref
    if noun.lower() in ("project", "effort"):
        for ref in reversed(context):
            if ref.kind == "project":
                return ref
    return None
