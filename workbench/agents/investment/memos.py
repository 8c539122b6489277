"""Committee memos: the 7-section format, its filename rule, and a flat archive.

A memo is Markdown with an optional JSON front-matter block (JSON is valid YAML, so ordinary
front-matter tools read it too)::

    ---
    {"ticker": "TSLA", "date": "2025-11-20", "decision": "PASS", "amount_usd": 0,
     "conditions": [{"id": "auto_margin_above_20", "metric": "auto_gross_margin",
                     "op": ">", "value": 0.20}]}
    ---
    # TSLA: PASS (2025 Q4)
    ## Summary
    ...

The seven ``##`` sections must appear in order (see :data:`SECTIONS`). The file is named
``{ticker}_{year}_{quarter}_{decision}.md`` in lower case, with ``_2``, ``_3``... when the same
name is already taken, and it lives at the archive's top level: the upstream committee wrote
``memos/memos/...`` by mistake, and a listing of the archive then missed those memos.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from workbench.agents.investment.conditions import Condition
from workbench.errors import WorkbenchError

SECTIONS = ("Summary", "Thesis", "Market", "Fundamentals", "Technicals", "Risk & Sizing",
            "Decision")
FILENAME_RE = re.compile(r"^(?P<ticker>[a-z]{1,6})_(?P<year>\d{4})_(?P<quarter>q[1-4])_"
                         r"(?P<decision>buy|hold|pass|sell|trim)(?:_(?P<seq>[2-9]|[1-9]\d))?\.md$")
_FRONT = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n---[ \t]*\n", re.DOTALL)
_HEADING = re.compile(r"^##[ \t]+(?P<name>.+?)[ \t]*$", re.MULTILINE)


class MemoError(WorkbenchError):
    """A memo that cannot be saved: invalid, misplaced, or the name is taken."""

    code = "memo_error"


@dataclass(frozen=True)
class MemoIssue:
    """One problem with a memo. ``code`` is stable (``missing_section``, ``nested_path`` ...)."""

    code: str
    message: str


@dataclass(frozen=True)
class Memo:
    """A parsed memo: filename, front-matter, title and sections by canonical name."""

    filename: str
    meta: Mapping[str, Any]
    title: str
    sections: Mapping[str, str]
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    def _part(self, name: str) -> str:
        match = FILENAME_RE.match(self.filename)
        return match.group(name) if match else ""

    @property
    def ticker(self) -> str:
        """Upper-case ticker (front-matter first, else the filename)."""
        return str(self.meta.get("ticker") or self._part("ticker")).upper()

    @property
    def decision(self) -> str:
        """BUY/HOLD/PASS/SELL/TRIM (front-matter first, else the filename)."""
        return str(self.meta.get("decision") or self._part("decision")).upper()

    @property
    def year(self) -> int:
        """Year of the memo's quarter."""
        return int(self.meta.get("year") or self._part("year") or 0)

    @property
    def quarter(self) -> str:
        """``Q1``..``Q4``."""
        return str(self.meta.get("quarter") or self._part("quarter")).upper()

    @property
    def date(self) -> str:
        """ISO date from the front-matter, or an empty string."""
        return str(self.meta.get("date", ""))

    @property
    def amount(self) -> float:
        """Dollar amount from the front-matter (0 if absent)."""
        return float(self.meta.get("amount_usd") or 0.0)


def memo_filename(ticker: str, year: int, quarter: str, decision: str, seq: int = 1) -> str:
    """The canonical filename, e.g. ``memo_filename("NVDA", 2025, "Q4", "BUY")``."""
    base = f"{ticker.lower()}_{year}_{quarter.lower()}_{decision.lower()}"
    return f"{base}.md" if seq <= 1 else f"{base}_{seq}.md"


def _canonical(name: str) -> str | None:
    flat = re.sub(r"^\d+[.)]\s*", "", name).strip().lower().replace(" and ", " & ")
    for section in SECTIONS:
        if flat == section.lower():
            return section
    return None


def render_memo(meta: Mapping[str, Any], sections: Mapping[str, str], title: str = "") -> str:
    """Markdown for a memo; ``sections`` must hold all seven names in :data:`SECTIONS`."""
    missing = [s for s in SECTIONS if s not in sections]
    if missing:
        raise MemoError(f"memo is missing sections: {', '.join(missing)}")
    if not title:
        title = (f"{str(meta.get('ticker', '')).upper()}: {meta.get('decision', '')} "
                 f"({meta.get('year', '')} {meta.get('quarter', '')})")
    parts = []
    if meta:
        parts.append("---\n" + json.dumps(dict(meta), indent=2) + "\n---\n")
    parts.append(f"# {title.strip()}\n")
    for name in SECTIONS:
        parts.append(f"\n## {name}\n\n{sections[name].strip()}\n")
    return "".join(parts)


def parse_memo(text: str, filename: str = "") -> Memo:
    """Parse memo text; unknown ``##`` headings are kept under their own names."""
    meta: dict[str, Any] = {}
    body = text
    front = _FRONT.match(text)
    if front:
        meta = json.loads(front.group("body"))
        body = text[front.end():]
    title_match = re.search(r"^#[ \t]+(.+)$", body, re.MULTILINE)
    heads = list(_HEADING.finditer(body))
    sections: dict[str, str] = {}
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(body)
        name = _canonical(head.group("name")) or head.group("name").strip()
        sections[name] = body[head.end():end].strip()
    conditions = tuple(Condition.from_dict(c) for c in meta.get("conditions", []))
    title = title_match.group(1).strip() if title_match else ""
    return Memo(PurePosixPath(filename).name, meta, title, sections, conditions)


def validate_memo(text: str, filename: str, *, relative_path: str | None = None,
                  ) -> list[MemoIssue]:
    """Every problem with a memo: filename pattern, location, front-matter, sections.

    ``relative_path`` is where the memo sits relative to the archive root; anything but a bare
    filename (``memos/x.md``, ``a/b.md``) is a ``nested_path`` issue.
    """
    issues: list[MemoIssue] = []
    where = PurePosixPath(relative_path or filename)
    if len(where.parts) > 1:
        issues.append(MemoIssue("nested_path", f"{where} is not at the archive's top level"))
    name = where.name
    match = FILENAME_RE.match(name)
    if not match:
        issues.append(MemoIssue("bad_filename",
                                f"{name!r} does not match {{ticker}}_{{year}}_{{quarter}}_"
                                "{decision}.md in lower case"))
    try:
        memo = parse_memo(text, name)
    except (json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
        return issues + [MemoIssue("front_matter_invalid", f"front-matter unreadable: {exc}")]
    if match and memo.meta:
        for key, part in (("ticker", "ticker"), ("decision", "decision"), ("quarter", "quarter"),
                          ("year", "year")):
            if key in memo.meta and str(memo.meta[key]).lower() != match.group(part):
                issues.append(MemoIssue("front_matter_mismatch",
                                        f"front-matter {key}={memo.meta[key]!r} disagrees with "
                                        f"the filename"))
    present = [s for s in memo.sections if s in SECTIONS]
    for section in SECTIONS:
        if section not in memo.sections:
            issues.append(MemoIssue("missing_section", f"section {section!r} is missing"))
        elif not memo.sections[section].strip():
            issues.append(MemoIssue("empty_section", f"section {section!r} is empty"))
    if present != [s for s in SECTIONS if s in present]:
        issues.append(MemoIssue("section_order", f"sections out of order: {present}"))
    return issues


class MemoArchive:
    """A flat folder of memos: list, read, search and write; there is no delete or overwrite."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def list(self) -> list[str]:
        """Filenames of the memos at the top level, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.glob("*.md") if p.is_file())

    def misplaced(self) -> list[str]:
        """Memos in subfolders (e.g. ``memos/x.md``), relative to the root: hygiene failures."""
        if not self.root.is_dir():
            return []
        return sorted(str(p.relative_to(self.root).as_posix()) for p in self.root.rglob("*.md")
                      if p.parent != self.root)

    def _path(self, name: str) -> Path:
        rel = PurePosixPath(name)
        if len(rel.parts) != 1 or rel.name in ("", ".", ".."):
            raise MemoError(f"{name!r}: memos live at the archive's top level; pass a bare "
                            "filename such as 'nvda_2026_q1_buy.md'")
        return self.root / rel.name

    def read(self, name: str) -> str:
        """The full text of one memo."""
        path = self._path(name)
        if not path.is_file():
            raise MemoError(f"no memo named {name!r}; available: {', '.join(self.list())}")
        return path.read_text(encoding="utf-8")

    def get(self, name: str) -> Memo:
        """One memo, parsed."""
        return parse_memo(self.read(name), name)

    def memos(self) -> list[Memo]:
        """Every top-level memo, parsed, in filename order."""
        return [self.get(n) for n in self.list()]

    def find(self, ticker: str | None = None, decision: str | None = None) -> list[Memo]:
        """Memos for a ticker and/or decision, oldest first (by date, then filename)."""
        found = [m for m in self.memos()
                 if (ticker is None or m.ticker == ticker.upper())
                 and (decision is None or m.decision == decision.upper())]
        return sorted(found, key=lambda m: (m.date, m.filename))

    def latest(self, ticker: str) -> Memo | None:
        """The most recent memo on ``ticker``, or ``None``."""
        found = self.find(ticker)
        return found[-1] if found else None

    def search(self, query: str) -> list[tuple[str, str]]:
        """Case-insensitive substring search: ``(filename, matching line)`` pairs."""
        needle = query.lower()
        hits = []
        for name in self.list():
            for line in self.read(name).splitlines():
                if needle in line.lower():
                    hits.append((name, line.strip()))
        return hits

    def next_name(self, ticker: str, year: int, quarter: str, decision: str) -> str:
        """The canonical filename, with a ``_N`` suffix if the plain one is taken."""
        taken = set(self.list())
        seq = 1
        while memo_filename(ticker, year, quarter, decision, seq) in taken:
            seq += 1
        return memo_filename(ticker, year, quarter, decision, seq)

    def write(self, name: str, text: str) -> Path:
        """Validate and save a new memo at the top level; refuses invalid memos and overwrites."""
        path = self._path(name)
        issues = validate_memo(text, path.name)
        if issues:
            raise MemoError("memo not saved: " + "; ".join(i.message for i in issues))
        if path.exists():
            raise MemoError(f"{name!r} already exists and memos are never overwritten; use "
                            f"{self.next_name(*_name_parts(path.name))!r}")
        self.root.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def _name_parts(name: str) -> tuple[str, int, str, str]:
    match = FILENAME_RE.match(name)
    assert match is not None  # validated before this is called
    return (match.group("ticker"), int(match.group("year")), match.group("quarter"),
            match.group("decision"))
