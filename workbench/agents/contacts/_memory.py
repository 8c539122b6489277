"""The ALWAYS-mode extraction for Contacts: the user's profile and the session's goal and plan.

Rules of ordinary English, applied to the user's side of the finished turn only:

- profile: "I'm <Name>", "I split my time between ...", "I'm a/an ...", "I live in / I'm based
  in ...", "use <City> time" (resolved to an IANA zone when one is named after the city), and
  sentences about how replies should look ("keep your replies short", "bullet points work
  better for me");
- session: a goal ("What I want this week is to ...", "This week's mission is to ...", "I'm
  trying to ...", "I'd like to ...") and a plan ("My plan: A, then B", "Plan: A, B, and C",
  "Steps: ...", "First I'll A, then I'll B", "I'll A first, then B"). Questions set nothing.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from workbench.agents.contacts._mentions import split_sentences

_NAME = r"([A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2})"
_GOALS = [
    r"\bWhat I (?:mostly |really |most )?(?:want|need)(?: to get done| to do)?(?: this week| today|"
    r" this session)? is (?:to )?(?P<g>[^.;!?]+)",
    r"\b(?:[Tt]his week's|[Tt]oday's|[Mm]y|[Tt]he) (?:mission|goal|aim|priority|focus)(?: for "
    r"\w+)? is (?:to )?(?P<g>[^.;!?]+)",
    r"\bI(?:'m| am) trying to (?P<g>[^.;!?]+)",
    r"\bI(?:'d| would) like to (?P<g>[^.;!?]+)",
    r"\bI (?:want|need) to (?P<g>[^.;!?]+)",
    r"\b(?:[Hh]elp me|[Mm]y goal is to) (?P<g>[^.;!?]+)",
]
_PLANS = [
    r"\b(?:[Mm]y plan|[Pp]lan|[Ss]teps|[Tt]he plan|[Nn]ext steps)\s*:\s*(?P<p>[^.!?]+)",
    r"\bI'll (?P<p>[^.!?]*\bthen\b[^.!?]+)",
    r"(?:^|[.!?]\s+)First,? (?:I'll |I will |I'm going to )?(?P<p>[^.!?]+)",
]
_STEP_SPLIT = re.compile(r",?\s*\b(?:and then|then|after that|finally|next)\b\s+|,\s*(?:and\s+)?|"
                         r";\s*")
_REPLY_TOPIC = re.compile(r"\b(?:repl(?:y|ies)|answers?|responses?|bullet|paragraphs?|concise|"
                          r"brief|format|tone|messages?)\b", re.I)
_REPLY_WISH = re.compile(r"\b(?:keep|prefer|please|work(?:s)? (?:far |much )?better|like|want|"
                         r"rather|use|avoid|no)\b", re.I)


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {z.rsplit("/", 1)[-1].replace("_", " ").lower(): z
            for z in sorted(zoneinfo.available_timezones()) if "/" in z}


def timezone_for(place: str) -> str:
    """ "Lisbon" -> "Europe/Lisbon" when a zone is named after the city, else "Lisbon time"."""
    return _zones().get(place.strip().lower(), f"{place.strip()} time")


def profile_values(user: str, fields: Iterable[str]) -> dict[str, str | None]:
    """Profile fields the user states about themselves in ``user`` (None when not stated)."""
    fields = list(fields)
    out: dict[str, str | None] = dict.fromkeys(fields)
    if user.strip().endswith("?"):
        return out
    found: dict[str, str] = {}
    m = re.search(rf"\b(?i:my name is) {_NAME}|\bI'?m {_NAME}(?=[,.]|$| and\b)", user)
    if m and (m.group(1) or m.group(2)).split()[0].lower() not in {"not", "so", "just", "happy",
                                                                     "trying", "going"}:
        found["name"] = m.group(1) or m.group(2)
    m = re.search(rf"\b(?i:call me|I go by) {_NAME}", user)
    if m:
        found["preferred_name"] = m.group(1)
    for pattern in (r"\bI split my time between ([^.;!]+)", r"\bI work as (?:an? )?([^,.;!]+)",
                    r"\bmy (?:role|job) is ([^,.;!]+)",
                    r"\bI(?:'m| am) (?:an? )([a-z][\w -]+?)(?: at | for |[,.;!]|$)"):
        m = re.search(pattern, user)
        if m:
            found["role"] = m.group(1).strip()
            break
    m = re.search(rf"\b(?:I live in|I(?:'m| am) based in|I(?:'m| am) located in) {_NAME}", user)
    if m:
        found["location"] = m.group(1)
    m = re.search(rf"\buse {_NAME} time\b|\bI(?:'m| am) on {_NAME} time\b", user) or \
        re.search(r"\bmy time ?zone is ([\w/+:-]+)", user, re.I)
    if m:
        found["timezone"] = timezone_for(next(g for g in m.groups() if g))
    wishes = [s for s in split_sentences(user) if _REPLY_TOPIC.search(s) and _REPLY_WISH.search(s)
              and not s.endswith("?")]
    if wishes:
        text = "; ".join(re.sub(r"^[^:]{0,30}:\s*", "", s).rstrip(".!") for s in wishes)
        found["communication_preference"] = text
    for name, value in found.items():
        if name in out:
            out[name] = value
        elif name == "communication_preference":
            for alt in ("communication_style", "preferences", "notes"):
                if alt in out:
                    out[alt] = value
                    break
    return out


def _steps(text: str) -> list[str]:
    parts = [re.sub(r"^(?:I'll|I will|I'm going to|we'll)\s+", "", p.strip(" ,.")) for p in
             _STEP_SPLIT.split(text)]
    return [p for p in parts if p and len(p) > 2]


def session_values(user: str, previous_summary: str, previous_goal: bool,
                   planning: bool) -> dict[str, Any]:
    """Summary (always), and with planning the goal and plan stated in ``user``."""
    if user.strip().endswith("?"):   # a question changes neither the summary nor the plan
        return {"summary": None, **({"goal": None, "plan": None, "progress": None}
                                    if planning else {})}
    sentences = [s for s in split_sentences(user)
                 if not re.match(r"^(?:hi|hello|hey|thanks|great|okay|ok|morning)\b", s, re.I)]
    first = sentences[0] if sentences else ""
    summary = f"{previous_summary} {first}".strip()[-1000:] if first else None
    out: dict[str, Any] = {"summary": summary or None}
    if not planning:
        return out
    out.update(goal=None, plan=None, progress=None)
    for pattern in _GOALS:
        m = re.search(pattern, user)
        if m:
            out["goal"] = m.group("g").strip(" ,")
            break
    if out["goal"] or previous_goal:
        for pattern in _PLANS:
            m = re.search(pattern, user)
            if m:
                steps = _steps(m.group("p"))
                if len(steps) >= 2:
                    out["plan"] = steps
                    break
    return out
