"""Deterministic preference checkers for Pal drafts.

Every checker is a pure function ``(draft_text, params, *, filename=None) -> CheckResult``,
registered under the name that ``rules.json`` uses. ``check_draft`` runs the rules that apply
to one channel; ``adherence_summary`` folds the results into a rate.

Checkers never guess what the writer meant: each one tests a surface property that a person
can verify by eye (a date shape, a line count, a last line), and its ``detail`` says why it
failed in words that point at the offending text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from workbench.agents.pal import _text
from workbench.agents.pal.data import Rule
from workbench.errors import ConfigError

__all__ = [
    "AdherenceSummary",
    "CheckResult",
    "Checker",
    "adherence_summary",
    "check_draft",
    "checker_names",
    "evaluate_rule",
    "get_checker",
    "register",
]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one checker on one draft."""

    passed: bool
    detail: str


class Checker(Protocol):
    """The shape every registered checker has."""

    def __call__(self, draft_text: str, params: Mapping[str, Any], *,
                 filename: str | None = None) -> CheckResult: ...


_REGISTRY: dict[str, Checker] = {}


def register(name: str) -> Callable[[Checker], Checker]:
    """Register a checker under ``name`` (the ``checker`` field of a rule)."""

    def decorate(func: Checker) -> Checker:
        if name in _REGISTRY:
            raise ConfigError(f"checker {name!r} is already registered")
        _REGISTRY[name] = func
        return func

    return decorate


def get_checker(name: str) -> Checker:
    """The checker registered as ``name``; ConfigError names the known ones if missing."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown checker {name!r}; known: {', '.join(sorted(_REGISTRY))}") \
            from None


def checker_names() -> tuple[str, ...]:
    """Names of every registered checker, sorted."""
    return tuple(sorted(_REGISTRY))


def _param(params: Mapping[str, Any], key: str, checker: str) -> Any:
    if key not in params:
        raise ConfigError(f"checker {checker!r} needs parameter {key!r}")
    return params[key]


def _ok(detail: str = "ok") -> CheckResult:
    return CheckResult(True, detail)


def _fail(detail: str) -> CheckResult:
    return CheckResult(False, detail)


def _show(items: Iterable[str], limit: int = 5) -> str:
    items = list(items)
    shown = ", ".join(repr(i) for i in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


# --- text checkers ------------------------------------------------------------------------

def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    # Spaces and hyphens are interchangeable ("low-hanging fruit" == "low hanging fruit"), and
    # the phrase must stand alone: "kindly" does not fire inside "unkindly".
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", phrase.strip()) if p]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)", re.IGNORECASE)


@register("banned_words")
def banned_words(draft_text: str, params: Mapping[str, Any], *,
                 filename: str | None = None) -> CheckResult:
    """No listed word or phrase appears as a whole word, in any letter case.

    params: ``words`` (list of words or phrases).
    """
    text = draft_text.replace("\u2019", "'").replace("\u00a0", " ")
    hits = [w for w in _param(params, "words", "banned_words") if _phrase_pattern(w).search(text)]
    return _fail(f"banned: {_show(hits)}") if hits else _ok()


@register("max_chars")
def max_chars(draft_text: str, params: Mapping[str, Any], *,
              filename: str | None = None) -> CheckResult:
    """At most ``max`` characters (code points), leading and trailing whitespace excluded."""
    limit = int(_param(params, "max", "max_chars"))
    n = len(draft_text.strip())
    return _ok(f"{n} <= {limit} chars") if n <= limit else _fail(f"{n} chars > {limit}")


@register("max_words")
def max_words(draft_text: str, params: Mapping[str, Any], *,
              filename: str | None = None) -> CheckResult:
    """At most ``max`` words; a word is a whitespace-separated token with a letter or digit."""
    limit = int(_param(params, "max", "max_words"))
    n = sum(1 for token in draft_text.split() if any(c.isalnum() for c in token))
    return _ok(f"{n} <= {limit} words") if n <= limit else _fail(f"{n} words > {limit}")


@register("date_format")
def date_format(draft_text: str, params: Mapping[str, Any], *,
                filename: str | None = None) -> CheckResult:
    """Every date-like string has the required shape; dates inside URLs are ignored.

    params: ``style`` is "iso" (2025-05-19, valid, zero-padded) or "dmy_long" (19 May 2025,
    full month name, year included). A draft with no dates passes.
    """
    style = params.get("style", "iso")
    if style not in ("iso", "dmy_long"):
        raise ConfigError(f"date_format style must be 'iso' or 'dmy_long', not {style!r}")
    mentions = _text.find_dates(draft_text)
    bad = [m.text for m in mentions if not (m.iso_ok if style == "iso" else m.long_ok)]
    if bad:
        return _fail(f"not {style}: {_show(bad)}")
    return _ok(f"{len(mentions)} dates, all {style}")


@register("clock_time_zone")
def clock_time_zone(draft_text: str, params: Mapping[str, Any], *,
                    filename: str | None = None) -> CheckResult:
    """Clock times are 24-hour HH:MM followed by one of ``zone_labels`` (e.g. "14:30 CT").

    A range shares its label ("09:00-10:30 CT"). "2pm" always fails. No times: passes.
    """
    labels = tuple(_param(params, "zone_labels", "clock_time_zone"))
    times = _text.find_times(draft_text, labels)
    twelve = [t.text for t in times if t.twelve_hour]
    unlabelled = [t.text for t in times if not t.twelve_hour and not t.labelled]
    problems = []
    if twelve:
        problems.append(f"12-hour: {_show(twelve)}")
    if unlabelled:
        problems.append(f"no zone label: {_show(unlabelled)}")
    return _fail("; ".join(problems)) if problems else _ok(f"{len(times)} times, all labelled")


@register("no_emoji")
def no_emoji(draft_text: str, params: Mapping[str, Any], *,
             filename: str | None = None) -> CheckResult:
    """No code point from the emoji and pictograph ranges, variation selectors included."""
    found = _text.find_emoji(draft_text)
    if found:
        codes = [f"U+{ord(c):04X}" for c in found]
        return _fail(f"emoji: {_show(codes)}")
    return _ok()


@register("max_bullets")
def max_bullets(draft_text: str, params: Mapping[str, Any], *,
                filename: str | None = None) -> CheckResult:
    """At most ``max`` bulleted or numbered lines (0 means prose only)."""
    limit = int(_param(params, "max", "max_bullets"))
    n = _text.count_bullets(draft_text)
    return _ok(f"{n} <= {limit} bullets") if n <= limit else _fail(f"{n} bullets > {limit}")


@register("required_signoff")
def required_signoff(draft_text: str, params: Mapping[str, Any], *,
                     filename: str | None = None) -> CheckResult:
    """The last non-empty line is exactly ``signoff`` (a leading dash is tolerated).

    params: ``signoff``; ``own_line`` (default true). With ``own_line`` false the last line only
    has to end with the sign-off ("Thanks, J.").
    """
    signoff = str(_param(params, "signoff", "required_signoff"))
    lines = [line.strip() for line in draft_text.splitlines() if line.strip()]
    if not lines:
        return _fail("empty draft")
    last = re.sub(r"^[-\u2013\u2014~]+\s*", "", lines[-1]).strip()
    own_line = params.get("own_line", True)
    if (last == signoff) if own_line else last.endswith(signoff):
        return _ok(f"signed {signoff!r}")
    return _fail(f"last line is {lines[-1]!r}, expected {signoff!r}")


@register("hashtag_count")
def hashtag_count(draft_text: str, params: Mapping[str, Any], *,
                  filename: str | None = None) -> CheckResult:
    """Between ``min`` and ``max`` hashtags (both inclusive; defaults 0 and unlimited)."""
    tags = _text.find_hashtags(draft_text)
    low, high = int(params.get("min", 0)), params.get("max")
    if len(tags) < low or (high is not None and len(tags) > int(high)):
        return _fail(f"{len(tags)} hashtags, allowed {low}-{high}: {_show(tags)}")
    return _ok(f"{len(tags)} hashtags")


@register("tldr_first")
def tldr_first(draft_text: str, params: Mapping[str, Any], *,
               filename: str | None = None) -> CheckResult:
    """The first line after an optional title heading starts with a TL;DR label.

    params: ``labels`` (default ["TL;DR", "TLDR"]), ``allow_heading`` (default true). Markdown
    emphasis around the label ("**TL;DR:**") is fine.
    """
    labels = [str(label).casefold() for label in params.get("labels", ["TL;DR", "TLDR"])]
    lines = [line.strip() for line in draft_text.splitlines() if line.strip()]
    if lines and params.get("allow_heading", True) and lines[0].startswith("#"):
        lines = lines[1:]
    if not lines:
        return _fail("no text after the title")
    first = lines[0].lstrip("*_> ").casefold()
    if any(first.startswith(label) for label in labels):
        return _ok()
    return _fail(f"first line is {lines[0][:60]!r}, not a TL;DR")


@register("first_line_pattern")
def first_line_pattern(draft_text: str, params: Mapping[str, Any], *,
                       filename: str | None = None) -> CheckResult:
    """The first non-empty line (after leading lines matching ``skip``) matches ``pattern``."""
    pattern = re.compile(str(_param(params, "pattern", "first_line_pattern")))
    skips = [re.compile(s, re.IGNORECASE) for s in params.get("skip", [])]
    lines = [line.strip() for line in draft_text.splitlines() if line.strip()]
    while lines and any(s.search(lines[0]) for s in skips):
        lines = lines[1:]
    if not lines:
        return _fail("no first line")
    if pattern.search(lines[0]):
        return _ok()
    return _fail(f"first line {lines[0][:60]!r} does not match {pattern.pattern!r}")


# --- filename checkers --------------------------------------------------------------------

def _basename(filename: str) -> str:
    # Models often quote the name or give a folder with it; the rule is about the name.
    name = filename.strip().strip("`'\"").replace("\\", "/")
    return name.rsplit("/", 1)[-1].strip()


@register("filename_pattern")
def filename_pattern(draft_text: str, params: Mapping[str, Any], *,
                     filename: str | None = None) -> CheckResult:
    """The proposed file name (folder stripped) matches the regex ``pattern``."""
    pattern = re.compile(str(_param(params, "pattern", "filename_pattern")))
    if not filename:
        return _fail("no filename proposed")
    base = _basename(filename)
    if pattern.search(base):
        return _ok(base)
    return _fail(f"{base!r} does not match {pattern.pattern!r}")


@register("filename_project_tag")
def filename_project_tag(draft_text: str, params: Mapping[str, Any], *,
                         filename: str | None = None) -> CheckResult:
    """The file name carries a project tag where ``pattern``'s named group ``tag`` says.

    params: ``pattern`` (regex with ``(?P<tag>...)``), optional ``tags`` (allowed tags) and
    ``expected`` (the tag this particular file needs, usually a per-turn override).
    """
    pattern = re.compile(str(_param(params, "pattern", "filename_project_tag")))
    if "tag" not in pattern.groupindex:
        raise ConfigError("filename_project_tag pattern needs a named group 'tag'")
    if not filename:
        return _fail("no filename proposed")
    base = _basename(filename)
    match = pattern.search(base)
    if not match:
        return _fail(f"{base!r} has no project tag where {pattern.pattern!r} wants one")
    tag = match.group("tag")
    allowed, expected = params.get("tags"), params.get("expected")
    if allowed and tag not in allowed:
        return _fail(f"tag {tag!r} is not one of {sorted(allowed)}")
    if expected and tag != expected:
        return _fail(f"tag {tag!r}, expected {expected!r}")
    return _ok(f"tag {tag!r}")


# --- running rules ------------------------------------------------------------------------

def evaluate_rule(rule: Rule, draft_text: str, *, filename: str | None = None) -> CheckResult:
    """Run one rule's checker with its parameters, whatever channel the draft was for."""
    return get_checker(rule.checker)(draft_text, rule.params, filename=filename)


def check_draft(draft: str, rules_active: Iterable[Rule], channel: str,
                filename: str | None = None) -> dict[str, CheckResult]:
    """Check ``draft`` against every rule in ``rules_active`` that applies to ``channel``.

    Filename rules run only when ``filename`` is not None: pass ``""`` when a file name was
    asked for and the reply proposed none, so the rule fails instead of being skipped.
    """
    results: dict[str, CheckResult] = {}
    for rule in rules_active:
        if not rule.applies_to(channel):
            continue
        if rule.target == "filename" and filename is None:
            continue
        results[rule.id] = evaluate_rule(rule, draft, filename=filename)
    return results


@dataclass(frozen=True)
class AdherenceSummary:
    """How many rules a draft (or a set of drafts) followed."""

    total: int
    passed: int
    failed: tuple[str, ...]

    @property
    def rate(self) -> float | None:
        """Share of rules followed; None when no rule applied."""
        return self.passed / self.total if self.total else None


def adherence_summary(results: Mapping[str, CheckResult]) -> AdherenceSummary:
    """Fold ``check_draft`` output into counts and the ids of the rules that failed."""
    failed = tuple(rule_id for rule_id, result in results.items() if not result.passed)
    return AdherenceSummary(total=len(results), passed=len(results) - len(failed), failed=failed)
