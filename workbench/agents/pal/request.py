"""Reading a user turn: what is asked (intent, channel), of whom, and about what.

Pure functions of text, used by the offline policy. The cues are ordinary English ("draft an
email to …", "what should I call the notes file for …", "which of my meetings are
recurring"), not the wording of any particular script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workbench.agents.pal.language import channel_of, parse_statements

_NAME = r"[A-ZÅÄÖ][\w'’-]+"
_PERSON = rf"{_NAME}(?:\s+{_NAME})?"
_DRAFT_VERB = re.compile(r"\b(?:draft|write|rewrite|email|e-mail|message|slack|post|reply)\b",
                         re.I)
_FILENAME_ASK = re.compile(
    r"\bwhat (?:should|do|shall) I (?:call|name)\b|\bname the (?:\w+ )?(?:notes )?file\b|"
    r"\bwhat should the file be called\b|\bwhat to name the file\b|\bfile ?name\b|"
    r"\bwhat should (?:it|the notes) be called\b|\bfile\b[^?]*\bbe called\b", re.I)
_CAPTURE = re.compile(r"^\s*(?:note for me|private note|note to self|note:|save (?:a|this) "
                      r"note|jot (?:this )?down|remember this)", re.I)
_IMPORT = re.compile(r"\bimport\b.*?\bnotes?\b.*?\bfrom\s+[`'\"]?([\w./ -]+\.jsonl?)", re.I)
_QUESTION = re.compile(r"\?\s*$|^\s*(?:what|who|when|where|which|how|do i|did i|is there|are "
                       r"there|anything|remind me|tell me)\b", re.I)


@dataclass(frozen=True)
class Intent:
    """What a turn asks for. ``channel`` is the output channel ("reply" for answers)."""

    kind: str
    channel: str | None = None
    wants_filename: bool = False
    path: str | None = None


@dataclass(frozen=True)
class MeetingRef:
    """A meeting a file name is for: when ("today", a weekday, "next week") and its topic."""

    when: str
    qualifier: str
    topic: str


@dataclass
class Draft:
    """The content of a drafting request."""

    channel: str
    recipients: list[str] = field(default_factory=list)
    payload: str = ""
    purpose: str = ""
    topic: str = ""
    channel_tag: str | None = None


_SENTENCE_START_VERB = re.compile(r"^(?:(?:also|and|now|so|ok|please),?\s+)?(?:draft|write|rewrite|"
                                  r"email|e-mail|message|slack|post|reply|send)\b", re.I)


def _asks_for_output(text: str) -> bool:
    """Some sentence without a stated preference opens with a drafting verb."""
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        if _SENTENCE_START_VERB.search(sentence) and not parse_statements(sentence):
            return True
    return False


def _previous_draft(history: list[str]) -> tuple[str, str] | None:
    """(channel, message) of the latest earlier drafting request in this session."""
    for earlier in reversed(history):
        channel = channel_of(earlier)
        if channel and channel != "reply" and not parse_statements(earlier) and \
                not _QUESTION.search(earlier):
            return channel, earlier
    return None


def classify(message: str, history: list[str] | None = None) -> Intent:
    """The intent of ``message``; ``history`` (earlier user messages) resolves "that post"."""
    text = message.strip()
    imported = _IMPORT.search(text)
    if imported:
        return Intent("import", path=imported.group(1).strip())
    if _CAPTURE.search(text):
        return Intent("capture")
    if re.search(r"\brecurring\b", text, flags=re.I) and re.search(r"\bmeetings?\b", text,
                                                                    flags=re.I):
        return Intent("recurring", "reply")
    stated = parse_statements(text)
    if stated and not _asks_for_output(text):
        return Intent("statement")
    channel = channel_of(text)
    if channel is None and re.search(r"\bweek'?s review\b", text, flags=re.I):
        channel = "weekly_review"
    asks_name = bool(_FILENAME_ASK.search(text))
    drafting = _asks_for_output(text) and channel not in (None, "reply")
    if channel is None and re.search(r"\b(?:that|the same|matching)\b", text, flags=re.I) \
            and (_DRAFT_VERB.search(text) or re.search(r"\bpost\b", text, flags=re.I)):
        previous = _previous_draft(history or [])
        channel = previous[0] if previous else None
        drafting = channel is not None
    if asks_name and not drafting:
        kind = channel if channel in ("weekly_review", "project_brief") else "meeting_notes"
        return Intent("filename", kind, wants_filename=True)
    if drafting or (channel and channel != "reply" and not _QUESTION.search(text)):
        return Intent("draft", channel, wants_filename=asks_name)
    if _QUESTION.search(text):
        return Intent("retrieval", "reply")
    return Intent("chat", "reply")


def recipients(message: str) -> list[str]:
    """People a draft is addressed to ("Email Rhea Solberg and Marcus Oyelaran …")."""
    match = _recipient_match(message)
    if not match:
        return []
    return [n.strip() for n in re.split(r"\s+and\s+", match.group(1))]


def _recipient_match(message: str) -> re.Match[str] | None:
    # Only the verb is case-insensitive: names must be capitalised.
    return re.search(rf"\b(?i:e-?mail|message|slack|write (?:an? )?(?:\w+ )?to|draft (?:an? )?"
                     rf"(?:\w+ )?to|doc for|note for|thank)\s+({_PERSON}(?:\s+and\s+"
                     rf"{_PERSON})*)\b", message)


def first_names(names: list[str]) -> str:
    """'Rhea Solberg', 'Marcus Oyelaran' → 'Rhea and Marcus'."""
    firsts = [n.split()[0] for n in names]
    return " and ".join(firsts) if len(firsts) <= 2 else ", ".join(firsts[:-1]) + \
        " and " + firsts[-1]


def draft_request(message: str, channel: str, history: list[str] | None = None) -> Draft:
    """Split a drafting request into recipients, payload (after a colon) and purpose."""
    text = message.strip()
    people = recipients(text)
    tag = re.search(r"#[a-z][\w-]+", text)
    head, colon, tail = text.partition(":")
    payload = tail.strip() if colon and len(head) < 90 else ""
    scope = head if payload else text
    found = _recipient_match(scope)
    rest = scope[found.end():] if found else ""
    rest = re.sub(r"^\s*(?:at|from|in|on)\s+(?:[A-Z][\w'-]*\s*)+", "", rest)
    purpose = re.sub(r"^\s*(?:to|that)\s+", "", rest).strip().rstrip(".?!")
    draft = Draft(channel, people, payload, purpose, channel_tag=tag.group(0) if tag else None)
    draft.topic = topic_of(text)
    if re.search(r"\b(?:that|matching|same)\b", text, flags=re.I) and history and \
            not re.search(r"\babout\b", text, flags=re.I):
        previous = _previous_draft(history)
        if previous:
            draft.topic = topic_of(previous[1]) or draft.topic
    return draft


def topic_of(message: str) -> str:
    """What a post or document is about ("… about X", "… announcing that X")."""
    text = message.strip()
    about = list(re.finditer(r"\babout\s+(.+?)[.?!]?$", text, flags=re.I))
    if about:
        return about[-1].group(1).strip()
    match = re.search(r"\b(?:announcing(?: that)?|summari[sz]ing|on the topic of)\s+(.+?)"
                      r"[.?!]?$", text, flags=re.I)
    return match.group(1).strip() if match else ""


def meeting_ref(message: str) -> MeetingRef | None:
    """The meeting a notes file is for: "for Thursday's design review" → (thursday, …)."""
    match = re.search(r"\b(?:for|from|of)\s+(?:(this|next|last)\s+)?(today|tomorrow|yesterday|week|"
                      r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)'s\s+(.+?)"
                      r"(?:[?.!]|$)", message, flags=re.I)
    if not match:
        return None
    topic = re.sub(r"\s+(?:be|is)\s+(?:called|named)$", "", match.group(3).strip())
    return MeetingRef(match.group(2).casefold(), (match.group(1) or "").casefold(), topic)


def capture_parts(message: str) -> tuple[str, str, list[str]]:
    """(title, body, tags) of a "note for me: …" turn."""
    head, _, body = message.partition(":")
    body = body.strip() or message.strip()
    tags = ["private"] if re.search(r"\bprivate\b|\bjust for me\b|\bdon't mention\b", message,
                                    flags=re.I) else []
    first = re.split(r"(?<=[.!?])\s+", body)[0]
    words = first.rstrip(".,;").split()[:8]
    while len(words) > 3 and re.fullmatch(r"\d+\w*|on|in|at|for|to|of|the|a|with", words[-1]):
        words.pop()
    title = " ".join(words)
    return title, body, tags
