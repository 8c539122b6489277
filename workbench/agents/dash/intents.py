"""What a business question asks, read from its wording: an intent plus slots.

The offline policy maps a question to one of a few dozen SQL intents ("MRR by plan",
"cancellations in a period", "storage in use", ...) with ordered keyword rules, and pulls out
slots: a period ("in 2025", "the fourth quarter of 2025", "last week"), a plan, a company
size, a country, a row count ("the ten largest"), whether a full list is wanted. The rules
key on words a business user would use, so paraphrases and new questions on the same topic
map to the same intent; nothing here knows any question bank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = ["Ask", "Period", "parse_ask"]

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "q1": 1, "q2": 2, "q3": 3,
             "q4": 4}
_NUMBER_WORDS = {"three": 3, "five": 5, "ten": 10, "twenty": 20}


@dataclass(frozen=True)
class Period:
    """A date range, ``start`` inclusive and ``end`` exclusive (ISO dates)."""

    start: str
    end: str
    label: str
    relative: bool = False  # "last week": anchored to today, not named by the user
    days: int | None = None  # "the last 7 days", "the 90 days ending ...": date arithmetic
    anchor: str | None = None  # the day those windows end on
    month_back: bool = False  # "last month": the calendar month before the anchor
    kind: str = "range"  # "year", "quarter", "month": how a Postgres habit would filter it


@dataclass(frozen=True)
class Ask:
    """One question, parsed: the intent and the slots its SQL needs."""

    question: str
    intent: str
    variant: str = ""
    period: Period | None = None
    years: tuple[str, ...] = ()
    plan: str | None = None  # as written ("Enterprise" keeps its capital)
    size: str | None = None
    country: str | None = None
    source: str | None = None
    industry: str | None = None
    priority: str | None = None
    top_n: int | None = None
    wants_list: bool = False
    subject: str = "subscriptions"
    extra: dict[str, str] = field(default_factory=dict)


def _has(q: str, *patterns: str) -> bool:
    return any(re.search(p, q) for p in patterns)


def _period(q: str, today: str) -> Period | None:
    now = date.fromisoformat(today)
    if _has(q, r"last week|past week|past seven days|past 7 days|last 7 days"):
        start = now - timedelta(days=7)
        return Period(start.isoformat(), (now + timedelta(days=1)).isoformat(),
                      "the last 7 days", relative=True, days=7, anchor=today)
    if _has(q, r"last month|past month"):
        first = now.replace(day=1)
        prev = (first - timedelta(days=1)).replace(day=1)
        return Period(prev.isoformat(), first.isoformat(), "last month", relative=True,
                      anchor=today, month_back=True)
    ending = re.search(r"(\d+) days ending (\d{4}-\d{2}-\d{2})", q)
    if ending:
        end = date.fromisoformat(ending.group(2))
        start = end - timedelta(days=int(ending.group(1)))
        return Period(start.isoformat(), (end + timedelta(days=1)).isoformat(),
                      f"the {ending.group(1)} days ending {ending.group(2)}",
                      days=int(ending.group(1)), anchor=ending.group(2))
    month = re.search(r"\b(" + "|".join(_MONTHS) + r")\s+(20\d\d)\b", q)
    if month:
        m, y = _MONTHS.index(month.group(1)) + 1, int(month.group(2))
        end = date(y + (m == 12), m % 12 + 1, 1)
        return Period(date(y, m, 1).isoformat(), end.isoformat(), f"{month.group(1).title()} {y}",
                      kind="month")
    quarter = re.search(r"\b(first|second|third|fourth|q[1-4])\b(?: quarter)?(?: of)?\s+(20\d\d)",
                        q)
    if quarter:
        n, y = _QUARTERS[quarter.group(1)], int(quarter.group(2))
        end = date(y + (n == 4), (3 * n) % 12 + 1, 1)
        return Period(date(y, 3 * n - 2, 1).isoformat(), end.isoformat(), f"Q{n} {y}",
                      kind="quarter")
    half = re.search(r"\b(first|second) half of (20\d\d)", q)
    if half:
        y = int(half.group(2))
        if half.group(1) == "first":
            return Period(f"{y}-01-01", f"{y}-07-01", f"the first half of {y}")
        return Period(f"{y}-07-01", f"{y + 1}-01-01", f"the second half of {y}")
    years = re.findall(r"\b(20\d\d)\b", q)
    if len(set(years)) == 1:
        y = int(years[0])
        return Period(f"{y}-01-01", f"{y + 1}-01-01", str(y), kind="year")
    return None


# Ordered rules: (intent, variant, predicate over the lowercased question). First match wins.
_RULES: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    # (intent, variant, all-of patterns, none-of patterns)
    ("at_risk", "", (r"at risk|likely to churn|warning signs|churn risk|risk of churn",), ()),
    ("churn_rate", "base", (r"churn|lose|lost", r"start of (?:20\d\d|the year)"), ()),
    ("churn_rate", "", (r"churn rate|share of (?:the )?subscriptions[^?]*\b(?:lose|lost)",), ()),
    ("movement", "", (r"expansion|contraction|gain(?:ed)? and los|mrr movement",), ()),
    ("downgrades", "", (r"downgrad",), ()),
    ("refunds", "days", (r"refund", r"days after|how many days|how long"), ()),
    ("refunds", "", (r"refund",), ()),
    ("failure_rate", "", (r"\bfail",), ()),
    ("annual", "avg_invoice", (r"annual", r"average|mean", r"invoice"), ()),
    ("annual", "", (r"annual", r"pay|paid|cash|invoice"), ()),
    ("storage", "top", (r"storage|megabytes", r"which|top|most"), ()),
    ("storage", "", (r"storage|megabytes",), ()),
    ("usage_after_cancel", "", (r"usage", r"after", r"cancel|churn|ended"), ()),
    ("invoices_after_end", "", (r"invoices?", r"issued after|after the subscription"), ()),
    ("usage_days", "customer_days", (r"customer-days|customer days",), ()),
    ("usage_days", "", (r"days? of usage|usage days|usage (?:is |was )?recorded|"
                        r"days in a month",), ()),
    ("no_usage", "", (r"\busage\b", r"\bno\b|never|without|not a single|at all"), ()),
    ("ticket_speed", "", (r"faster|more quickly|quicker|speed up|sooner",), ()),
    ("resolve_time", "", (r"time to resolve|resolution time|days to resolve",), ()),
    ("rating_by_priority", "", (r"rated (?:better|higher)|better rated|higher rated",), ()),
    ("csat", "", (r"satisf|csat|\brating|unrated|without a score",), ()),
    ("tickets_resolved", "share", (r"tickets?", r"resolved|dealt with|done|closed|solved",
                                   r"share|percent|proportion|what fraction"), ()),
    ("tickets_resolved", "", (r"tickets?", r"resolved|dealt with|\bdone\b|closed|solved"), ()),
    ("trial", "mrr", (r"\btrial", r"mrr|revenue|\bpay"), ()),
    ("trial", "", (r"\btrial",), ()),
    ("enterprise", "churn", (r"\benterprise\b", r"churn|cancel|lost|lose"),
     (r"enterprise plan",)),
    ("enterprise", "", (r"\benterprise\b",), (r"enterprise plan", r"list|every")),
    ("churn_list", "", (r"\b(?:list|which|who|give me)\b", r"churn|cancel|\blose\b|\blost\b"),
     (r"how many|reason",)),
    ("cancel_reason", "", (r"reason",), ()),
    ("churn_count", "", (r"cancel|churn", r"how many|number|count"), ()),
    ("mrr_by_plan", "", (r"\bmrr\b|recurring revenue", r"by plan|per plan|across the|each plan|"
                         r"split|break ?down|share"), ()),
    ("revenue_by_source", "", (r"source|channel|come from",), ()),
    ("arpa", "", (r"average|mean\b|on average", r"revenue|pay|mrr", r"customer|account"), ()),
    ("seats", "", (r"\bseats?\b",), ()),
    ("customers_on_plan", "", (r"customers?", r"on the \w+ plan", r"how many|count|number"),
     ()),
    ("mrr_total", "", (r"\bmrr\b|recurring revenue",), ()),
    ("active_subs", "", (r"subscriptions?", r"active|running|live|current"), ()),
    ("revenue_window", "", (r"revenue|collect", r"last month|last week|past|\d+ days"), ()),
    ("paid_by_year", "", (r"invoice|revenue|collect|paid", r"year|20\d\d and (?:in )?20\d\d"),
     ()),
    ("invoice_count", "", (r"invoices?", r"how many|number|count"), ()),
    ("monthly_signups", "", (r"sign(?:ed)?[ -]?ups?|new customers?|new-customer|acquisition",
                             r"month"), ()),
    ("list_customers", "", (r"\b(?:list|which|show)\b", r"customers?|companies|accounts"),
     (r"how many",)),
    ("customers_count", "", (r"how many|count|number|\bwho\b",
                             r"customers?|compan|accounts?|businesses|sign|joined"), ()),
]


def parse_ask(question: str, today: str) -> Ask | None:
    """Classify a question and extract its slots (None when no rule applies)."""
    q = question.lower()
    intent = variant = None
    for name, var, required, excluded in _RULES:
        if all(re.search(p, q) for p in required) and not any(re.search(p, q) for p in excluded):
            intent, variant = name, var
            break
    if intent is None:
        return None
    plan = re.search(r"\b(starter|professional|business|enterprise)\b(?= plan)", question,
                     re.IGNORECASE)
    size = re.search(r"\bmid[- ]?market\b|\bsmb\b|\bstartups?\b", question, re.IGNORECASE)
    country = re.search(r"united kingdom|\bbritain\b|\bUK\b|united states|germany|france|"
                        r"canada|australia|india", question, re.IGNORECASE)
    source = re.search(r"\b(referral|organic|partner|paid ads?)s?\b", q)
    industry = re.search(r"\b(finance|technology|healthcare|retail|education)\b", q)
    priority = re.search(r"\b(critical|high|medium|low)[- ]priority\b|\b(critical) tickets\b", q)
    top = re.search(r"\b(?:top|the|largest|biggest)?\s*(\d+|three|five|ten|twenty)\s+"
                    r"(?:largest|biggest|customers|accounts|companies|by)", q)
    top_n = None
    if top:
        word = top.group(1)
        top_n = int(word) if word.isdigit() else _NUMBER_WORDS[word]
    today_iso = today if re.match(r"\d{4}-\d{2}-\d{2}$", today) else "2026-04-15"
    return Ask(
        question=question, intent=intent, variant=variant or "",
        period=_period(q, today_iso),
        years=tuple(dict.fromkeys(re.findall(r"\b(20\d\d)\b", q))),
        plan=plan.group(1) if plan else None,
        size=size.group(0) if size else None,
        country=country.group(0) if country else None,
        source=source.group(1).split()[0] if source else None,
        industry=industry.group(1) if industry else None,
        priority=(priority.group(1) or priority.group(2)) if priority else None,
        top_n=top_n,
        wants_list=_has(q, r"\blist\b|\bevery\b|full list|\ball (?:the )?(?:customers|companies)"
                           r"|^who\b|^which (?:customers|companies)"),
        subject="customers" if _has(q, r"customers?|companies|accounts?") else "subscriptions",
    )
