"""What the policy knows about how to write, from the files it read and the preferences in
its context.

:func:`file_rules` reads the user's own words in a preferences file or a voice guide (date
shapes, banned phrases, length limits, hashtag ranges, sign-offs, file-name patterns) with
general cues, never with knowledge of a particular user. :func:`build_style` lays the
preferences stated in conversation on top: the conversation wins over a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from workbench.agents.pal.dates import DateStyle
from workbench.agents.pal.language import Preference

# Which voice guide and which template serve a channel (matched against file names).
VOICE_HINTS = {"email": ("email",), "chat": ("chat", "slack"),
               "short_post": ("short", "x-post", "tweet"), "long_post": ("long", "linkedin"),
               "document": ("document",), "project_brief": ("document",),
               "weekly_review": ("document",)}
TEMPLATE_HINTS = {"project_brief": ("brief",), "weekly_review": ("weekly",),
                  "meeting_notes": ("meeting",)}
_KIND_WORDS = (("weekly_review", r"weekly"), ("project_brief", r"project"),
               ("meeting_notes", r"meeting"))
_QUOTES = re.compile(r"[\"“]([^\"”\n]+)[\"”]")


@dataclass
class ChannelRules:
    """Rules for one output channel; None means "no rule known"."""

    max_chars: int | None = None
    max_words: int | None = None
    hashtags: tuple[int, int] | None = None
    max_bullets: int | None = None
    bullets: bool = False
    signoff: str | None = None
    opening: str | None = None
    subject: bool = False
    tldr: bool = False
    banned: list[str] = field(default_factory=list)


@dataclass
class Style:
    """Everything that shapes one output, with where each rule came from."""

    dates: DateStyle = field(default_factory=DateStyle)
    banned: list[str] = field(default_factory=list)
    spelling: dict[str, str] = field(default_factory=dict)
    rules: ChannelRules = field(default_factory=ChannelRules)
    filenames: dict[str, str] = field(default_factory=dict)
    concise: bool = False
    no_emoji: bool = False
    origins: dict[str, str] = field(default_factory=dict)

    @property
    def all_banned(self) -> list[str]:
        """Global and channel banned phrases."""
        return list(dict.fromkeys([*self.banned, *self.rules.banned]))


def voice_file(files: list[str], channel: str) -> str | None:
    """The voice guide for ``channel`` among the listed files, if there is one."""
    hints = VOICE_HINTS.get(channel, ())
    for path in files:
        name = path.rsplit("/", 1)[-1].casefold()
        if "voice" in path.casefold() and any(h in name for h in hints):
            return path
    return None


def template_file(files: list[str], channel: str) -> str | None:
    """The template for ``channel`` among the listed files, if there is one."""
    hints = TEMPLATE_HINTS.get(channel, ())
    for path in files:
        name = path.rsplit("/", 1)[-1].casefold()
        if "template" in path.casefold() and any(h in name for h in hints):
            return path
    return None


def preferences_file(files: list[str]) -> str | None:
    """The user's general preferences file."""
    return next((p for p in files if re.search(r"(^|/)preferences?\.\w+$", p, flags=re.I)),
                None)


def logical_lines(text: str) -> list[str]:
    """Lines with wrapped continuations (indented lines) joined to their bullet."""
    out: list[str] = []
    for raw in text.splitlines():
        if raw.startswith((" ", "\t")) and out and raw.strip():
            out[-1] += " " + raw.strip()
        else:
            out.append(raw.strip())
    return [line for line in out if line]


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^#+\s*[^\n]*{heading}[^\n]*\n(.*?)(?=^#|\Z)", text, flags=re.I | re.M | re.S)
    return match.group(1) if match else ""


def _limit(text: str, noun: str) -> int | None:
    for pattern in (rf"(\d[\d,]*)\s+{noun}s?\s+at most", rf"at most\s+(\d[\d,]*)\s+{noun}s?",
                    rf"no more than\s+(\d[\d,]*)\s+{noun}s?", rf"under\s+(\d[\d,]*)\s+{noun}s?",
                    rf"(\d[\d,]*)\s+{noun}s?\s+(?:or fewer|or less|max)"):
        match = re.search(pattern, text, flags=re.I)
        if match:
            return int(match.group(1).replace(",", ""))
    return None


def file_rules(text: str) -> tuple[Style, ChannelRules]:
    """Rules stated in one file: the general ones (dates, banned, spelling, file names) and
    the channel ones (length, hashtags, bullets, sign-off, subject line, TL;DR)."""
    style, rules = Style(), ChannelRules()
    date_format = clock = zone = None
    resolve = False
    for line in logical_lines(text):
        low = line.casefold()
        if "date" in low and "yyyy-mm-dd" in low and "named" not in low:
            date_format = "iso"
        elif "date" in low and (re.search(r"full month name", low)
                                or re.search(r"\b\d{1,2} [A-Z][a-z]+ \d{4}\b", line)):
            date_format = date_format or "dmy_long"
        if "work out the date" in low:
            resolve = True
        if "time" in low and re.search(r"24-hour", low):
            clock = "24h"
            label = re.search(r"followed by (?:the (?:zone )?(?:label )?)?([A-Z]{2,5})\b", line)
            zone = label.group(1) if label else zone
        if re.search(r"\bno emoji\b", low):
            style.no_emoji = True
        if re.search(r"never want to see|do not use|phrases i|banned|never use", low):
            style.banned += _QUOTES.findall(line)
        if "spelling" in low:
            style.spelling.update({us: uk for uk, us in re.findall(r"(\w+) not (\w+)", line)})
        named = re.search(r"\bnamed\s+`([^`]+)`", line)
        if named:
            subject = re.sub(r"`[^`]*`", "", low.split("named")[0])
            kind = next((k for k, w in _KIND_WORDS if re.search(w, subject)), None)
            if kind:
                style.filenames[kind] = named.group(1)
    style.dates = DateStyle(date_format, resolve, clock, zone)
    banned_section = _section(text, "banned")
    if banned_section:
        rules.banned = _QUOTES.findall(banned_section)
    rules.max_chars = _limit(text, "character")
    rules.max_words = _limit(text, "word")
    hashtag_range = re.search(r"(\d)\s*(?:-|–|to|or)\s*(\d)\s+hashtags", text, flags=re.I)
    at_most = re.search(r"at most\s+(\d|one)\s+hashtag", text, flags=re.I)
    if hashtag_range:
        rules.hashtags = (int(hashtag_range.group(1)), int(hashtag_range.group(2)))
    elif at_most:
        rules.hashtags = (0, 1 if at_most.group(1).casefold() == "one" else int(at_most.group(1)))
    elif re.search(r"\bno hashtags\b", text, flags=re.I):
        rules.hashtags = (0, 0)
    if re.search(r"\bno bullet", text, flags=re.I):
        rules.max_bullets = 0
    rules.bullets = bool(re.search(r"\buse bullets\b", text, flags=re.I))
    signoff = re.search(r"sign off with\s+[\"“']([^\"”']+)[\"”']", text, flags=re.I)
    rules.signoff = signoff.group(1) if signoff else None
    rules.subject = bool(re.search(r"`Subject:|first line is the subject", text, flags=re.I))
    rules.tldr = bool(re.search(r"starts with \"?TL;DR", text, flags=re.I))
    return style, rules


def build_style(channel: str | None, files: dict[str, str],
                preferences: dict[str, Preference]) -> Style:
    """The style for one output: rules from the files read, then conversation preferences."""
    style = Style()
    listed = list(files)
    general = preferences_file(listed)
    if general:
        style, _ = file_rules(files[general])
        style.origins.update({"dates": general, "banned": general, "filenames": general})
    voice = voice_file(listed, channel) if channel else None
    if voice:
        extra, rules = file_rules(files[voice])
        style.rules = rules
        style.banned += extra.banned
        style.origins["voice"] = voice
    for pref in preferences.values():
        _apply(style, channel, pref)
    return style


def _apply(style: Style, channel: str | None, pref: Preference) -> None:
    """Lay one stated preference over the file rules (the conversation wins)."""
    if pref.aspect == "style":
        style.concise = pref.value.casefold() == "concise"
        return
    if pref.aspect == "filename":
        style.filenames[pref.channel] = pref.value
        style.origins[f"filename:{pref.channel}"] = "conversation"
        return
    if pref.channel != channel:
        return
    rules = style.rules
    if pref.aspect == "hashtags":
        low, _, high = pref.value.partition("-")
        rules = replace(rules, hashtags=(int(low or 0), int(high or low)))
    elif pref.aspect in ("max_bullets", "max_words", "max_chars"):
        rules = replace(rules, **{pref.aspect: int(pref.value)})
    elif pref.aspect in ("signoff", "opening"):
        rules = replace(rules, **{pref.aspect: pref.value})
    style.rules = rules
    style.origins[pref.field] = "conversation"
