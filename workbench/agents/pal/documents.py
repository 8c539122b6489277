"""Longer drafts built from the user's own material: a decision write-up, a weekly review and
a project brief, each following the user's template when the policy read one.

Templates are filled generically: headings are kept, placeholder lines (``<…>``) are replaced
by content matched to the heading's words, and meta lines ("Target length: …") are dropped.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from workbench.agents.pal.dates import format_iso
from workbench.agents.pal.style import logical_lines

_SECTION_WORDS = {
    "overview": ("why", "overview", "status", "problem"),
    "non-goal": ("non-goals", "out of scope"),
    "goal": ("plan", "goals", "scope"),
    "stakeholder": ("roles", "people", "owner"),
    "risk": ("risks",),
    "decision": ("decisions",),
    "next": ("next", "plan"),
}


def sections(markdown: str) -> dict[str, list[str]]:
    """Heading (lowercase) → its non-empty lines, for a markdown file."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in logical_lines(markdown):
        heading = re.match(r"^#+\s+(.*)", line)
        if heading:
            current = heading.group(1).strip().casefold()
            out.setdefault(current, [])
        elif line.strip():
            out.setdefault(current, []).append(line.strip())
    return out


def tldr_line(markdown: str) -> str | None:
    """The text after "TL;DR:" in a file, if any."""
    match = re.search(r"TL;DR:?\s*(.+?)(?:\n\n|\Z)", markdown, flags=re.S)
    return " ".join(match.group(1).split()) if match else None


def decisions(notes: list[dict[str, Any]], topic_words: list[str]) -> list[dict[str, str]]:
    """Sentences from notes that mention the topic, oldest first, with their source."""
    out = []
    for note in sorted(notes, key=lambda n: n["date"]):
        for sentence in re.split(r"(?<=[.!?])\s+", note["body"]):
            folded = sentence.casefold()
            if all(w in folded for w in topic_words):
                out.append({"date": note["date"], "title": note["title"], "text": sentence})
    return out


def _public(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n for n in notes if "private" not in [t.casefold() for t in n.get("tags", [])]]


def write_up(topic: str, notes: list[dict[str, Any]], *, tldr: bool, date_format: str | None,
             today: date, owner: str | None) -> str:
    """A short document summarising what was decided about ``topic``."""
    words = [w for w in re.findall(r"[a-z0-9]+", topic.casefold())
             if w not in ("the", "a", "an", "what", "we", "about", "decided")]
    found = decisions(_public(notes), words[-2:] or words)
    title = " ".join(words[-2:] or words).capitalize() or "Summary"
    points = [f"- {format_iso(d['date'], date_format)}, {d['title']}: {d['text']}"
              for d in found] or ["- Nothing recorded yet."]
    latest = found[-1]["text"].rstrip(".") if found else "nothing is recorded yet"
    summary = f"Latest decision: {latest}."
    due = format_iso((today + timedelta(days=7)).isoformat(), date_format)
    lines = [f"# {title}: what we decided", ""]
    lines += [f"TL;DR: {summary}" if tldr else summary, "", "## Decisions", *points, "",
              "## Next actions", f"- {owner or 'Owner'}: review and confirm the open points "
              f"by {due}."]
    return "\n".join(lines)


def fill_template(template: str, content: dict[str, list[str]], *, title: str,
                  summary: str) -> str:
    """Fill a markdown template: its first heading becomes ``title``, the TL;DR line gets
    ``summary``, and each section's placeholder lines get the content whose key occurs in the
    heading (or "- None." when nothing matches)."""
    out: list[str] = []
    heading = ""
    filled: set[str] = set()
    for line in template.splitlines():
        match = re.match(r"^(#+)\s+(.*)", line)
        if match:
            if not out:
                out.append(f"{match.group(1)} {title}")
                continue
            heading = match.group(2).strip().casefold()
            out.append(line)
            continue
        if line.strip().startswith("TL;DR"):
            out.append(f"TL;DR: {summary}")
            continue
        if re.match(r"^(?:target length|length)\b", line.strip(), flags=re.I):
            continue
        if "<" in line and ">" in line:
            if heading in filled:
                continue
            filled.add(heading)
            # The most specific key wins: "non-goal" for "Non-goals", not "goal".
            keys = sorted((k for k in {*content, *_SECTION_WORDS} if k in heading), key=len)
            key = keys[-1] if keys else None
            out += content.get(key, ["- None."]) if key else ["- None."]
            continue
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def weekly_review(template: str | None, notes: list[dict[str, Any]], *, today: date,
                  date_format: str | None, tldr: bool) -> str:
    """This week's review from recent (non-private) notes."""
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    recent = sorted(_public(notes), key=lambda n: n["date"], reverse=True)[:6]
    wins = [f"- {n['title']} ({format_iso(n['date'], date_format)})" for n in recent[:3]]
    projects = sorted({n["project"] for n in recent if n.get("project")})
    progress = [f"| {p} | see notes | {sum(1 for n in recent if n.get('project') == p)} updates "
                f"| next review |" for p in projects]
    blockers = [f"- {n['title']}" for n in recent if re.search(r"block", n["body"], re.I)]
    threads = [f"- {n['title']}: waiting on a reply" for n in recent
               if re.search(r"\b(?:asked|wants|needs?)\b", n["body"], re.I)][:3]
    content = {"win": wins or ["- None."], "progress": progress or ["| - | - | - | - |"],
               "open": threads or ["- None."], "blocker": blockers or ["- None."],
               "priorit": [f"1. Follow up on: {recent[0]['title']}"] if recent else ["1. Plan"],
               "pattern": ["- Most updates this week came from meetings."]}
    summary = (f"{len(recent)} notes reviewed; " +
               (f"latest: {recent[0]['title']}." if recent else "a quiet week."))
    title = f"Weekly review: week ending {format_iso(friday.isoformat(), date_format)}"
    if template:
        return fill_template(template, content, title=title, summary=summary)
    body = [f"# {title}", "", summary, "", "## Wins", *content["win"], "", "## Blockers",
            *content["blocker"]]
    return "\n".join(body)


def project_brief(template: str | None, name: str, project_file: str | None,
                  notes: list[dict[str, Any]], *, date_format: str | None,
                  today: date) -> str:
    """A brief for project ``name`` from its project file and the notes that mention it."""
    source = sections(project_file or "")
    content: dict[str, list[str]] = {}
    for key, words in _SECTION_WORDS.items():
        for heading, lines in source.items():
            if key == "next":
                continue
            if any(w in heading for w in words) and lines and \
                    not (key == "goal" and "non" in heading):
                content.setdefault(key, []).extend(
                    line if line.startswith(("-", "|", "1", "2", "3", "4")) else f"- {line}"
                    for line in lines)
    found = [d for d in decisions(_public(notes), [name.casefold()])
             if re.search(r"\bdecision\b|\bdecided\b|\bgoing with\b|\bset for\b",
                          d["text"], re.I)]
    content["decision"] = [f"- {format_iso(d['date'], date_format)}: {d['text']}"
                           for d in found] or ["- None recorded."]
    owner = next((m.group(1).strip() for line in content.get("stakeholder", [])
                  if (m := re.match(r"^-\s*Owner:\s*([^.]+)", line))), "Owner")
    steps = [re.sub(r"^(?:-|\d+\.)\s*", "", line) for line in content.get("goal", [])]
    content["next"] = [f"| {owner} | {step.rstrip('.')} | "
                       f"{format_iso((today + timedelta(days=7 * (i + 1))).isoformat(), date_format)} |"
                       for i, step in enumerate(steps[:3])] or [f"| {owner} | Plan the work | - |"]
    if "stakeholder" in content:
        rows = []
        for line in content["stakeholder"]:
            match = re.match(r"^-\s*([^:]+):\s*([^.]+)", line)
            if match:
                rows.append(f"| {match.group(2).strip()} | {match.group(1).strip()} |")
        content["stakeholder"] = rows or content["stakeholder"]
    summary = tldr_line(project_file or "") or f"Brief for {name}."
    title = f"Project: {name.casefold()}"
    if template:
        return fill_template(template, content, title=title, summary=summary)
    lines = [f"# {title}", "", summary, ""]
    for key, values in content.items():
        lines += [f"## {key.capitalize()}", *values, ""]
    return "\n".join(lines).strip()
