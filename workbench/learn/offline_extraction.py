"""Rule-based ALWAYS extraction for the offline model.

It answers the ``memory_extraction`` request from the request alone: the schema says which
stores and profile fields are in play, the system prompt carries the current state, and the
user message carries the new turn. General language rules pick up explicit statements
("my name is …", "call me …", "I prefer …", "my goal is …", "remember that …"); anything
they do not recognise is simply not extracted — like a cautious model, never an invention.
Demo agents can put a richer policy of their own ahead of this one.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.models.offline import OfflineView, Reply

FORMAT_NAME = "memory_extraction"
_NAME = r"([A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2})"
_SENTENCES = re.compile(r"(?<=[.!?])\s+")

_FIELD_CUES: dict[str, list[str]] = {
    "timezone": ["time zone", "timezone"],
    "role": ["role", "job title", "job", "position", "title"],
    "company": ["company", "employer"],
    "location": ["location", "city", "home town"],
    "communication_style": ["communication style", "preferred style"],
}


def turn_parts(view: OfflineView) -> tuple[str, str]:
    """(user text, assistant text) of the turn being extracted."""
    text = view.last_user.removeprefix("New turn:\n")
    user, _, reply = text.partition("\nAssistant: ")
    return user.removeprefix("User: ").strip(), reply.strip()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text) if s.strip()]


def state_section(view: OfflineView, store: str) -> str:
    match = re.search(rf"\[{store}\]\n(.*?)(?:\n\n\[|\Z)", view.system, flags=re.S)
    return match.group(1) if match else ""


def _profile(user: str, fields: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {name: None for name in fields}
    patterns = {
        # (?i:...) only on the cue: "Call me Ada" opens a sentence; the name stays capitalised.
        "name": [rf"\b(?i:my name is) {_NAME}", rf"\bI'?m {_NAME}(?:[,.]|$| and\b)",
                 rf"\bI am {_NAME}(?:[,.]|$| and\b)"],
        "preferred_name": [rf"\b(?i:call me) {_NAME}", rf"\bI go by {_NAME}"],
        "role": [r"\bI(?:'m| am) (?:a|an|the) ([a-z][\w -]{2,40}?)(?: at | for |[,.]|$)",
                 r"\bI work as (?:a|an) ([\w -]{2,40}?)(?:[,.]| at |$)"],
        "company": [rf"\bI work (?:at|for) {_NAME}"],
        "location": [rf"\bI(?:'m| am) based in {_NAME}", rf"\bI live in {_NAME}"],
    }
    for name in fields:
        for pattern in patterns.get(name, []):
            match = re.search(pattern, user)
            if match:
                out[name] = match.group(1).strip()
                break
        if out[name] is None:
            for cue in _FIELD_CUES.get(name, [name.replace("_", " ")]):
                match = re.search(rf"\bmy {re.escape(cue)} is ([^.,;!?]+)", user, flags=re.I)
                if match:
                    out[name] = match.group(1).strip()
                    break
    if out.get("name") and out["name"].split()[0].lower() in {"not", "so", "just", "happy"}:
        out["name"] = None
    return out


_PREFERENCE = re.compile(
    r"^(?:also,? |and )?I (prefer|like|love|hate|dislike|always|never|usually|tend to|"
    r"work best|want you to|would rather)\b(.*)$", re.I)


def _third_person(verb: str, rest: str) -> str:
    verb = verb.lower()
    forms = {"prefer": "Prefers", "like": "Likes", "love": "Loves", "hate": "Hates",
             "dislike": "Dislikes", "always": "Always", "never": "Never", "usually": "Usually",
             "tend to": "Tends to", "work best": "Works best", "want you to": "Wants the assistant to",
             "would rather": "Would rather"}
    return f"{forms.get(verb, verb)}{rest}".rstrip(".!") + "."


def _memories(user: str) -> list[str]:
    out = []
    for sentence in sentences(user):
        match = _PREFERENCE.match(sentence)
        if match:
            out.append(_third_person(match.group(1), match.group(2)))
    return out


def _session(view: OfflineView, user: str, planning: bool) -> dict[str, Any]:
    state = state_section(view, "session_context")
    previous = re.search(r"Summary: (.*)", state)
    first = sentences(user)[0] if user else ""
    summary = ((previous.group(1) + " ") if previous else "") + first[:160]
    out: dict[str, Any] = {"summary": summary[-1000:].strip() or None}
    if not planning:
        return out
    goal = re.search(r"\b(?:my goal is to|my goal is|I want to|I'?m trying to|I need to|"
                     r"I am trying to|help me)\s+(.+?)(?:[.!?]|$)", user, flags=re.I)
    out["goal"] = goal.group(1).strip() if goal else None
    steps = re.search(r"\bfirst,?\s+(.+?)(?:[.!?]|$)", user, flags=re.I)
    plan = None
    if steps:
        parts = re.split(r",?\s*(?:then|and then|after that|finally|next)\s+", steps.group(1))
        plan = [p.strip(" ,") for p in parts if p.strip(" ,")]
    out["plan"] = plan
    done = re.findall(r"\bI(?:'ve| have)? (?:finished|completed|done|sent|wrapped up)\s+(.+?)"
                      r"(?:[.!?]|$)", user, flags=re.I)
    if done:
        prior = re.findall(r"^\s+- (.+)$", state.split("Completed:")[-1], flags=re.M) \
            if "Completed:" in state else []
        out["progress"] = [*prior, *[d.strip() for d in done]]
    else:
        out["progress"] = None
    return out


def _learnings(user: str) -> list[dict[str, Any]]:
    out = []
    for sentence in sentences(user):
        match = re.match(r"^(?:please )?(?:remember|note|keep in mind) that (.+)$", sentence,
                         flags=re.I) or re.match(r"^(?:from now on|as a rule),? (.+)$", sentence,
                                                  flags=re.I)
        if match:
            rule = match.group(1).rstrip(".!") + "."
            title = " ".join(rule.split()[:6]).rstrip(".,")
            out.append({"title": title, "learning": rule, "context": None, "tags": []})
    return out


def extraction_policy(view: OfflineView) -> Reply:
    """Answer ``memory_extraction`` requests by rules; pass on everything else."""
    if view.response_format != FORMAT_NAME:
        return None
    schema = view.request.response_format.schema.get("properties", {})  # type: ignore[union-attr]
    user, _reply = turn_parts(view)
    out: dict[str, Any] = {}
    if "user_profile" in schema:
        out["user_profile"] = _profile(user, schema["user_profile"].get("properties", {}))
    if "user_memory" in schema:
        out["user_memory"] = {"add": _memories(user), "update": [], "delete": []}
    if "session_context" in schema:
        planning = "goal" in schema["session_context"].get("properties", {})
        out["session_context"] = _session(view, user, planning)
    if "entity_memory" in schema:
        out["entity_memory"] = {"entities": [], "facts": [], "relationships": [], "events": []}
    if "learned_knowledge" in schema:
        out["learned_knowledge"] = _learnings(user)
    return out
