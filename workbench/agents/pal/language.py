"""General language rules for stated preferences, used by Pal's offline policy.

A preference is (channel, aspect, value): "sign them as 'J.'" on emails is
``("email", "signoff", "J.")``. The same grammar serves both directions: the ALWAYS
extraction parses what the user says into profile fields (``<channel>_<aspect>``) or memory
sentences, and the drafting policy parses those back out of the recalled memory. Nothing here
knows a particular user or rule; it reads cues ("from now on", "every email", quoted
literals, "at most"/"max", "ignore that", "instead").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Order matters: the first matching alias names the channel ("meeting notes files" is about
# meeting notes, not documents).
_CHANNEL_ALIASES: tuple[tuple[str, str], ...] = (
    ("meeting_notes", r"meeting[- ]notes?(?: files?)?|notes files?|meeting files?"),
    ("weekly_review", r"weekly[- ]reviews?|week'?s review"),
    ("project_brief", r"project[- ]briefs?|project files?"),
    ("long_post", r"linked ?in(?: posts?)?|long (?:social )?posts?"),
    ("short_post", r"\bx[- ]posts?|tweets?|short (?:social )?posts?"),
    ("chat", r"slack|chat(?: messages?)?|(?<![\w#])#[a-z][\w-]+"),
    ("email", r"e-?mails?"),
    ("document", r"\bdocs?\b|documents?|write-?ups?"),
    ("reply", r"\b(?:responses|replies|answers)\b"),
)
CHANNEL_LABELS = {"email": "Emails", "chat": "Chat messages", "short_post": "Short posts",
                  "long_post": "Long posts", "document": "Documents",
                  "project_brief": "Project briefs", "weekly_review": "Weekly reviews",
                  "meeting_notes": "Meeting notes files", "reply": "Replies"}
ASPECTS = ("signoff", "opening", "max_bullets", "hashtags", "max_words", "max_chars",
           "filename", "style")

_NUMBERS = {"zero": 0, "no": 0, "none": 0, "one": 1, "a single": 1, "single": 1, "two": 2,
            "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10}
_NUM = r"(\d+|zero|no|none|one|a single|two|three|four|five|six|seven|eight|nine|ten)"
# A quoted literal: the opening quote must not follow a letter ("person's" is not a quote).
QUOTED = re.compile(r"(?<![\w])['\"‘“`]([^'\"‘’“”`\n]+?)['\"’”`](?![\w])")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z'\"‘“])")


@dataclass(frozen=True)
class Preference:
    """One stated preference. ``value`` is canonical: a literal, a number, ``"min-max"``, a
    file-name template or a style word."""

    channel: str
    aspect: str
    value: str
    overrides_file: bool = False
    replaces: bool = False

    @property
    def field(self) -> str:
        """The profile field that holds it: ``<channel>_<aspect>``."""
        return f"{self.channel}_{self.aspect}"

    def render(self) -> str:
        """A sentence that :func:`parse_statements` reads back to the same preference."""
        label = CHANNEL_LABELS.get(self.channel, self.channel)
        text = {
            "signoff": f"sign off as '{self.value}' on the last line",
            "opening": f"start with '{self.value}' on the first line",
            "max_bullets": f"at most {self.value} bullets",
            "hashtags": f"at most {self.value.split('-')[-1]} hashtags",
            "max_words": f"at most {self.value} words",
            "max_chars": f"at most {self.value} characters",
            "filename": f"name them like '{self.value}'",
            "style": f"keep them {self.value}",
        }[self.aspect]
        suffix = " (stated in conversation; overrides the files)" if self.overrides_file else ""
        return f"{label}: {text}{suffix}."


def number(word: str) -> int | None:
    """'3' or 'three' → 3."""
    word = word.strip().casefold()
    return int(word) if word.isdigit() else _NUMBERS.get(word)


def channel_of(text: str) -> str | None:
    """The first channel a text names, or None."""
    best: tuple[int, str] | None = None
    for channel, pattern in _CHANNEL_ALIASES:
        match = re.search(pattern, text, flags=re.I)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), channel)
    return best[1] if best else None


def sentences(text: str) -> list[str]:
    """Split on sentence ends; a quoted "J." does not end a sentence."""
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def generalize_filename(example: str, *, tag_is_project: bool) -> str:
    """Turn an example file name into a template: dates, a bracketed tag and the topic.

    '2025-05-01 - meeting - [kestrel] design review.md' →
    'YYYY-MM-DD - meeting - [<project>] <topic>.md'.
    """
    stem, dot, ext = example.strip().rpartition(".")
    if not dot:
        stem, ext = example.strip(), ""
    stem = re.sub(r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD", stem)
    stem = re.sub(r"(?<!\d)\d{8}(?!\d)", "YYYYMMDD", stem)
    stem = re.sub(r"\[[^\]]+\]", "[<project>]" if tag_is_project else "[<tag>]", stem)
    last = max((stem.rfind(p) + len(p) for p in ("YYYY-MM-DD", "YYYYMMDD", "]")
                if p in stem), default=-1)
    if last >= 0:
        head, tail = stem[:last], stem[last:]
        lead = re.match(r"^[\s_-]*(?:-\s*)?", tail).group(0)  # type: ignore[union-attr]
        if tail[len(lead):].strip():
            stem = head + lead + "<topic>"
    return stem + (("." + ext) if ext else "")


def _opening(sentence: str) -> str | None:
    match = re.search(r"\b(?:start|open|begin)s?\b[^.]{0,40}?\bwith\s+" + QUOTED.pattern,
                      sentence, flags=re.I)
    if not match:
        return None
    value = match.group(1).strip()
    rest = sentence[match.end():]
    if "<" not in value and re.search(r"\b(?:and|then|followed by)\s+(?:the|their)\s+"
                                      r"(?:person|recipient|reader)?'?s?\s*first name", rest,
                                      flags=re.I):
        value += " <first name>"
    if re.search(r"\bthen a comma\b|\bfollowed by a comma\b", rest, flags=re.I):
        value = value.rstrip(",") + ","
    return value


def _aspects(sentence: str, channel: str | None) -> list[tuple[str, str]]:
    """(aspect, value) pairs stated in one sentence."""
    found: list[tuple[str, str]] = []
    s = sentence
    sign = re.search(r"\bsign(?:ed|ing)?(?:[- ]off)?\b(?:\s+(?:them|it|emails?|every \w+|"
                     r"each \w+|off))*\s+(?:as|with)\s+" + QUOTED.pattern, s, flags=re.I)
    if sign:
        found.append(("signoff", sign.group(1).strip()))
    if (opening := _opening(s)) is not None:
        found.append(("opening", opening))
    for aspect, noun in (("max_bullets", r"bullets?(?: points?)?"), ("hashtags", r"hashtags?"),
                         ("max_words", r"words?"), ("max_chars", r"characters?")):
        match = (re.search(rf"\b{_NUM}\s+{noun}\s+(?:max(?:imum)?|at most|or fewer|or less)\b",
                           s, flags=re.I)
                 or re.search(rf"\b(?:at most|max(?:imum)?(?: of)?|no more than|up to|under)\s+"
                              rf"{_NUM}\s+{noun}\b", s, flags=re.I)
                 or re.search(rf"\b{_NUM}\s+{noun}\s*:?\s*max\b", s, flags=re.I))
        if match and (n := number(match.group(1))) is not None:
            found.append((aspect, f"0-{n}" if aspect == "hashtags" else str(n)))
        elif re.search(rf"\bno {noun}\b", s, flags=re.I) and aspect in ("max_bullets",
                                                                        "hashtags"):
            found.append((aspect, "0-0" if aspect == "hashtags" else "0"))
    if channel in ("meeting_notes", "weekly_review", "project_brief") or \
            re.search(r"\bfile ?names?\b", s, flags=re.I):
        for literal in QUOTED.findall(s):
            if re.search(r"\.(?:md|txt)$", literal.strip()):
                tagged = bool(re.search(r"\bproject\b", s, flags=re.I))
                found.append(("filename", generalize_filename(literal, tag_is_project=tagged)))
                break
    style = re.search(r"\b(?:I prefer\s+|keep\s+(?:your |the |them )?(?:\w+ )?)"
                      r"(concise|short|brief|terse|detailed|longer|thorough)\b", s, flags=re.I)
    if style:
        word = style.group(1).casefold()
        found.append(("style", "concise" if word in ("concise", "short", "brief", "terse")
                      else "detailed"))
    return found


_REPORTS_FILE = re.compile(r"\b(?:guide|file|preferences|template)\b[^.]{0,30}\bsays?\b",
                           re.I)
_OVERRIDE = re.compile(r"\bignore (?:that|it|the (?:guide|file))\b|\binstead of (?:the|my) "
                       r"(?:guide|file)\b|\boverrides?\b", re.I)
_REPLACE = re.compile(r"\binstead\b|\bchange of plan\b|\bno longer\b|\bnot any ?more\b", re.I)


def parse_statements(text: str) -> list[Preference]:
    """Every preference stated in a text, in order; later ones win on the same field.

    The channel carries over from sentence to sentence ("About LinkedIn hashtags: ... One
    hashtag at most."). A sentence reporting what a file says is context, not a preference;
    "ignore that" marks the preferences of the text as overriding the files.
    """
    out: list[Preference] = []
    current: str | None = None
    override = bool(_OVERRIDE.search(text))
    replaces = bool(_REPLACE.search(text))
    for sentence in sentences(text):
        current = channel_of(sentence) or current
        if _REPORTS_FILE.search(sentence):
            continue
        for aspect, value in _aspects(sentence, current):
            channel = "reply" if aspect == "style" else current
            if channel is None:
                continue
            out.append(Preference(channel, aspect, value, overrides_file=override,
                                  replaces=replaces))
    return out


def from_field(name: str, value: str) -> Preference | None:
    """A preference from a profile field (``email_signoff: J.``), or None if not one."""
    for aspect in ASPECTS:
        if name.endswith("_" + aspect):
            channel = name[: -len(aspect) - 1]
            if channel in CHANNEL_LABELS and value.strip():
                return Preference(channel, aspect, value.strip(), overrides_file=True)
    if name == "reply_style" and value.strip():
        return Preference("reply", "style", value.strip())
    return None


def profile_preferences(system: str) -> list[Preference]:
    """Preferences held in a recalled ``<user_profile>`` block."""
    block = re.search(r"<user_profile[^>]*>\n(.*?)\n</user_profile>", system, flags=re.S)
    if not block:
        return []
    prefs = []
    for line in block.group(1).splitlines():
        label, sep, value = line.partition(": ")
        if sep and (pref := from_field("_".join(label.lower().split()), value)) is not None:
            prefs.append(pref)
    return prefs


def block_lines(system: str, tag: str) -> list[str]:
    """The lines of a recalled memory block (``user_memory``, ``relevant_learnings`` ...)."""
    block = re.search(rf"<{tag}[^>]*>\n(.*?)\n</{tag}>", system, flags=re.S)
    return [line for line in block.group(1).splitlines() if line.strip()] if block else []


def merge(*layers: list[Preference]) -> dict[str, Preference]:
    """Field → preference, later layers and later items winning."""
    out: dict[str, Preference] = {}
    for layer in layers:
        for pref in layer:
            out[pref.field] = pref
    return out
