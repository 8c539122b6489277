"""Writing short drafts (emails, chat messages, posts) and file names in a given style.

A first draft is what a capable assistant writes from the request alone; every rule in the
:class:`~workbench.agents.pal.style.Style` (read from files, or stated by the user and
recalled) reshapes it. With an empty style the result is the plain default: "Best regards,",
bullets for a multi-part update, a handful of hashtags, dates as the user typed them.
"""

from __future__ import annotations

import re
from datetime import date

from workbench.agents.pal.dates import normalize
from workbench.agents.pal.request import Draft, first_names
from workbench.agents.pal.style import Style

_URGENT = re.compile(r"\b(?:need|needs|block\w*|still|over budget|fail\w*|late|slip\w*|"
                     r"missing|beta|date|deadline)\b", re.I)
_AUX = re.compile(r"^(?:is|are|can|could|will|would|do|does|did|should|has|have)\b", re.I)
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0E\uFE0F]")


def sentence_case(text: str, end: str = ".") -> str:
    """Capitalise the first letter and end with punctuation."""
    text = text.strip().rstrip(",;")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!:" else text + end


def second_person(text: str) -> str:
    """Speak to the recipient: "can she send her list" → "can you send your list"."""
    text = re.sub(r"\b(?:she|he|they)\b", "you", text, flags=re.I)
    text = re.sub(r"\b(?:her|him|them)\b(?=\s+(?:to|for|about|if|whether|know|which|what|"
                  r"when|who|how)\b|[,.?!]|$)", "you", text, flags=re.I)
    return re.sub(r"\b(?:her|his|their)\b", "your", text, flags=re.I)


def clauses(text: str) -> list[str]:
    """Split a list of points: "a, b, and c" → [a, b, c]."""
    parts = re.split(r",\s*(?:and\s+)?|;\s*|\s+and\s+(?=(?:the|we|our|I|a|an)\b)", text.strip())
    return [p.strip().rstrip(".?!") for p in parts if p.strip().rstrip(".?!")]


_PURPOSE_RULES: tuple[tuple[str, str], ...] = (
    (r"^ask(?:ing)? (?:her|him|them|you) to (.+)", "Could you {0}?"),
    (r"^ask(?:ing)? (?:her|him|them|you )?(?:whether|if) (.+)", "Could you let me know whether {0}?"),
    (r"^ask(?:ing)? (?:her|him|them|you )?((?:which|what|who|when|where|how)\b.+)",
     "Could you tell me {0}?"),
    (r"^ask(?:ing)? (?:her|him|them|you )?for (.+)", "Could you send me {0}?"),
    (r"^thank(?:ing)? (?:her|him|them|you) for (.+)", "Thank you for {0}."),
    (r"^confirm(?:ing)? (.+)", "I'm writing to confirm {0}."),
    (r"^propos(?:e|ing) (.+)", "I'd like to propose {0}."),
    (r"^(?:saying|say|tell(?:ing)? (?:her|him|them))\s+(?:that )?(.+)", "{0}."),
    (r"^(?:a |an )?(?:short |quick )?heads-up that (.+)", "A short heads-up: {0}."),
)


def purpose_sentences(purpose: str) -> list[str]:
    """Turn "thank her for X and ask which Y" into sentences addressed to the reader."""
    parts = re.split(r",?\s+and\s+(?=ask|thank|confirm|propose|say|tell)", purpose.strip())
    out = []
    for part in parts:
        for pattern, form in _PURPOSE_RULES:
            match = re.match(pattern, part.strip(), flags=re.I)
            if match:
                out.append(sentence_case(form.format(second_person(match.group(1)))))
                break
        else:
            out.append(sentence_case(second_person(part)))
    return [s for s in out if s]


def payload_sentences(payload: str) -> list[str]:
    """Questions and statements after the colon of a request, addressed to the reader."""
    out = []
    for part in re.split(r",\s*and\s+|;\s*|\?\s+", payload.strip()):
        part = second_person(part.strip().rstrip(".?!"))
        if part:
            out.append(sentence_case(part, "?" if _AUX.match(part) else "."))
    return out


_TRAILING = {"in", "on", "at", "for", "to", "of", "the", "a", "an", "your", "my", "will", "be",
             "about", "and", "with", "by", "is", "because", "that", "so", "if", "when", "still",
             "this"}


def _subject(sentence: str) -> str:
    text = re.sub(r"^(?:I'm writing to confirm|Could you (?:let me know whether|tell me|send "
                  r"me)?|Thank you for|A short heads-up:|I'd like to propose|Is this|Is|Are)\s+",
                  "", sentence.strip(), flags=re.I)
    text = re.split(r"[:;]", text.rstrip(".?!"))[0]
    words = text.split()[:8]
    while len(words) > 2 and words[-1].casefold() in _TRAILING:
        words.pop()
    return sentence_case(" ".join(words), "")


def email(draft: Draft, style: Style, *, user_name: str | None = None) -> str:
    """An email draft: subject, greeting, the point, closing and sign-off."""
    body: list[str] = []
    if draft.purpose and draft.payload:
        lead = purpose_sentences(draft.purpose)
        body = [lead[0].rstrip(".") + ": " + draft.payload.rstrip(".") + ".", *lead[1:]] \
            if lead else payload_sentences(draft.payload)
    elif draft.payload:
        body = payload_sentences(draft.payload)
    elif draft.purpose:
        body = purpose_sentences(draft.purpose)
    body = body or ["Following up on our conversation."]
    names = first_names(draft.recipients) if draft.recipients else "there"
    opening = style.rules.opening
    greeting = opening.replace("<first name>", names) if opening else f"Hi {names},"
    lines = []
    lines += [f"Subject: {_subject(body[0])}", ""]
    lines += [greeting, "", " ".join(body), ""]
    if style.rules.signoff:
        lines += ["Thanks,", style.rules.signoff]
    else:
        lines += ["Best regards,"] + ([user_name] if user_name else [])
    return "\n".join(lines)


def _pick(items: list[str], limit: int) -> list[str]:
    """The ``limit`` items that matter most (blockers, needs, dates first), in order."""
    if len(items) <= limit:
        return items
    ranked = sorted(range(len(items)), key=lambda i: (-len(_URGENT.findall(items[i])), i))
    keep = sorted(ranked[:limit])
    return [items[i] for i in keep]


def chat(draft: Draft, style: Style) -> str:
    """A chat message: bullets for a multi-part update, prose when bullets are not wanted."""
    items = clauses(draft.payload or draft.purpose)
    limit = style.rules.max_bullets
    names = first_names(draft.recipients) if draft.recipients else ""
    use_bullets = limit != 0 and (style.rules.bullets or len(items) >= 3)
    if not use_bullets:
        text = " ".join(sentence_case(i) for i in items)
        return f"Hi {names}, {text[0].lower() + text[1:]}" if names and text else text
    if limit is not None:
        items = _pick(items, limit)
    lead = f"Update for {draft.channel_tag}:" if draft.channel_tag else \
        (f"Hi {names}, an update:" if names else "Update:")
    return "\n".join([lead, *[f"- {sentence_case(i)}" for i in items]])


_NOT_TAGS = {"what", "the", "taught", "about", "update", "announcing", "making"}


def _hashtags(topic: str, count: int) -> str:
    """Hashtags from the topic: proper names first (joined), then long content words."""
    proper = [p.replace(" ", "") for p in
              re.findall(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*", topic)
              if p.casefold() not in _NOT_TAGS]
    words = [w for w in re.findall(r"[a-z][a-z-]+", topic) if len(w) > 5
             and w not in _NOT_TAGS and not w.endswith(("ed", "ing"))]
    pool = list(dict.fromkeys([*proper, *sorted(words, key=len, reverse=True),
                               "buildinpublic", "offline"]))
    tags = ["#" + re.sub(r"[^\w]", "", w if w[0].isupper() else w.title()) for w in pool]
    return " ".join(tags[:count])


def _hashtag_count(style: Style, default: int) -> int:
    if style.rules.hashtags is None:
        return default
    low, high = style.rules.hashtags
    return max(low, min(high, 2))


def short_post(draft: Draft, style: Style) -> str:
    """One or two sentences and (at most) a hashtag or two."""
    topic = draft.topic or draft.purpose or draft.payload
    text = sentence_case(f"Update: {topic}")
    tags = _hashtags(topic, _hashtag_count(style, 2))
    return f"{text} {tags}".strip()


def long_post(draft: Draft, style: Style) -> str:
    """A reflective long post: the lesson, what happened, a question, hashtags last."""
    topic = draft.topic or draft.purpose or draft.payload or "what we learned this month"
    paragraphs = [
        sentence_case(topic),
        "We planned it on paper first. The field had other ideas, and the gap between the two "
        "taught us more than any spec: people use a tool where the work happens, not where the "
        "signal is.",
        "What we changed: we wrote down every failure the day it happened, fixed the smallest "
        "thing first, and shipped a small release every week.",
        "What would you have done differently?",
    ]
    tags = _hashtags(topic, _hashtag_count(style, 4))
    return "\n\n".join([*paragraphs, tags] if tags else paragraphs)


def filename(template: str, *, day: date, topic: str = "", project: str | None = None,
             name: str = "") -> str:
    """Fill a file-name template: dates, ``<project>``, ``<topic>`` and ``<name>``."""
    joiner = "_" if re.search(r"_<topic>|<topic>_", template) else \
        "-" if re.search(r"-<topic>|<topic>-", template) else " "
    words = re.findall(r"[a-z0-9]+", topic.casefold().replace(":", "-"))
    topic_text = joiner.join(words) if joiner != " " else \
        re.sub(r"\s+", " ", topic.casefold().replace(":", "-")).strip()
    out = template.replace("YYYY-MM-DD", day.isoformat()).replace("YYYYMMDD",
                                                                   day.strftime("%Y%m%d"))
    out = out.replace("<project>", (project or "general").casefold())
    out = out.replace("<topic>", topic_text or "notes")
    return out.replace("<name>", "-".join(re.findall(r"[a-z0-9]+", name.casefold())) or "project")


DEFAULT_FILENAMES = {"meeting_notes": "<topic>-notes.md", "weekly_review": "weekly-review.md",
                     "project_brief": "<name>-brief.md"}


def finish(text: str, style: Style, today: date) -> str:
    """Apply the style's surface rules: dates and times, spelling, banned phrases, emoji and
    length limits."""
    text = normalize(text, style.dates, today)
    for us, uk in style.spelling.items():
        text = re.sub(rf"\b{re.escape(us)}(\w*)", lambda m, uk=uk: uk + m.group(1), text)
    for phrase in style.all_banned:
        pattern = r"(?<!\w)" + r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", phrase))) + \
            r"(?!\w)"
        lines = []
        for line in text.split("\n"):
            if re.search(pattern, line, flags=re.I):
                kept = [s for s in re.split(r"(?<=[.!?])\s+", line)
                        if not re.search(pattern, s, flags=re.I)]
                line = " ".join(kept)
                if not line.strip():
                    continue
            lines.append(line)
        text = "\n".join(lines)
    if style.no_emoji:
        text = _EMOJI.sub("", text)
    # Rewriting "Thursday's review" as "the review on Thursday …" may start a subject lowercase.
    text = re.sub(r"^(Subject: )(\w)", lambda m: m.group(1) + m.group(2).upper(), text, flags=re.M)
    return _fit(text, style)


def _fit(text: str, style: Style) -> str:
    """Drop trailing body sentences until the text fits the length limits."""
    max_chars, max_words = style.rules.max_chars, style.rules.max_words

    def fits(candidate: str) -> bool:
        words = sum(1 for t in candidate.split() if any(c.isalnum() for c in t))
        return (max_chars is None or len(candidate.strip()) <= max_chars) and \
            (max_words is None or words <= max_words)

    paragraphs = text.split("\n\n")
    while not fits("\n\n".join(paragraphs)) and len(paragraphs) > 2:
        longest = max(range(1, len(paragraphs) - 1), key=lambda i: len(paragraphs[i]))
        sentences = re.split(r"(?<=[.!?])\s+", paragraphs[longest])
        if len(sentences) > 1:
            paragraphs[longest] = " ".join(sentences[:-1])
        else:
            del paragraphs[longest]
    return "\n\n".join(paragraphs)
