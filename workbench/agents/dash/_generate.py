"""Row generation for the Dash warehouse: a month-by-month simulation of a small SaaS company.

Everything here is pure: one ``random.Random(seed)`` stream, fixed iteration order, plain tuples
out. The mechanisms that make the Dash gotchas (G2-G23 in the design notes) are produced by the
simulation itself, never patched in afterwards, so every gold value is a property of the data.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# 2024-01 .. 2025-12. The last signup, issue date and usage date fall inside this window; only
# paid_at and resolved_at (issue/creation date plus a few days) may spill into January 2026.
MONTHS: tuple[tuple[int, int], ...] = tuple((y, m) for y in (2024, 2025) for m in range(1, 13))
NEW_CUSTOMERS_PER_MONTH: tuple[int, ...] = (
    15, 18, 20, 22, 25, 28, 22, 30, 35, 32, 28, 40,
    38, 42, 45, 40, 48, 50, 45, 52, 55, 50, 48, 60,
)

PLANS = ("starter", "professional", "business", "enterprise")
SEAT_RANGE = {"starter": (1, 3), "professional": (3, 10), "business": (10, 50),
              "enterprise": (50, 200)}
BASE_PRICE = {"starter": 29.0, "professional": 79.0, "business": 199.0, "enterprise": 499.0}
BASE_API_CALLS = {"starter": 500, "professional": 2_000, "business": 8_000, "enterprise": 25_000}
MONTHLY_CHURN = {"starter": 0.08, "professional": 0.05, "business": 0.03, "enterprise": 0.015}
TICKET_CHANCE = {"starter": 0.15, "professional": 0.10, "business": 0.08, "enterprise": 0.12}

SIZES = ("startup", "smb", "mid_market", "enterprise")
SIZE_WEIGHTS = (0.35, 0.30, 0.20, 0.15)
PLAN_WEIGHTS_BY_SIZE = {
    "startup": (0.60, 0.30, 0.08, 0.02),
    "smb": (0.20, 0.50, 0.25, 0.05),
    "mid_market": (0.05, 0.20, 0.50, 0.25),
    "enterprise": (0.02, 0.05, 0.25, 0.68),
}
COUNTRIES = ("US", "UK", "DE", "CA", "AU", "FR", "IN")
COUNTRY_WEIGHTS = (3, 2, 1, 1, 1, 1, 1)
INDUSTRIES = ("technology", "healthcare", "finance", "retail", "education")
SOURCES = ("organic", "referral", "paid", "partner")
CANCELLATION_REASONS = ("too_expensive", "switched_competitor", "no_longer_needed",
                        "missing_features", "poor_support", "budget_cuts")
INVOICE_STATUSES = ("paid", "failed", "pending", "refunded")
INVOICE_STATUS_WEIGHTS = (0.94, 0.03, 0.02, 0.01)
PRIORITIES = ("low", "medium", "high", "critical")
PRIORITY_WEIGHTS = (0.2, 0.4, 0.2, 0.2)
CATEGORIES = ("billing", "technical", "feature_request", "onboarding")

TRIAL_SHARE = 0.10
ANNUAL_SHARE = 0.35
ANNUAL_DISCOUNT = 0.9
PLAN_CHANGE_CHANCE = 0.02
UPGRADE_SHARE = 0.70
CHURN_CAP = 0.25
JANUARY_CHURN_FACTOR = 1.5

_NAME_HEADS = (
    "Amber", "Apex", "Arbor", "Atlas", "Beacon", "Birch", "Blue", "Bright", "Cedar", "Cinder",
    "Clear", "Cobalt", "Copper", "Coral", "Crest", "Delta", "Ember", "Falcon", "Fern", "Flint",
    "Granite", "Harbor", "Helix", "Indigo", "Iron", "Juniper", "Kestrel", "Lumen", "Maple",
    "Meridian", "Nimbus", "Northwind", "Oak", "Onyx", "Orbit", "Pine", "Prism", "Quartz",
    "Raven", "Ridge", "Sable", "Sage", "Silver", "Slate", "Spruce", "Summit", "Tidal", "Vertex",
)
_NAME_TAILS = (
    "Analytics", "Apps", "Cloud", "Collective", "Dynamics", "Foods", "Health", "Holdings", "Labs",
    "Learning", "Logistics", "Media", "Networks", "Partners", "Retail", "Robotics", "Security",
    "Software", "Studio", "Systems", "Technologies", "Ventures", "Works", "Group",
)


def _ts(d: date) -> str:
    """Timestamps are dates dressed up as midnight datetimes (G14)."""
    return f"{d.isoformat()} 00:00:00"


def _random_day(rng: random.Random, year: int, month: int) -> date:
    return date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


@dataclass
class _Sub:
    id: int
    customer_id: int
    plan: str
    mrr: float
    seats: int
    billing_cycle: str
    started_at: date
    ended_at: date | None = None
    status: str = "active"
    cancellation_reason: str | None = None

    def row(self) -> tuple:
        return (self.id, self.customer_id, self.plan, self.mrr, self.seats, self.billing_cycle,
                _ts(self.started_at), _ts(self.ended_at) if self.ended_at else None,
                self.status, self.cancellation_reason)


@dataclass
class _Customer:
    id: int
    company_name: str
    industry: str
    company_size: str
    country: str
    signup_date: date
    source: str
    status: str
    sub: _Sub

    def row(self) -> tuple:
        return (self.id, self.company_name, self.industry, self.company_size, self.country,
                self.signup_date.isoformat(), self.source, self.status)


@dataclass
class WarehouseRows:
    """All rows of the six tables, each a list of tuples in physical column order."""

    customers: list[tuple] = field(default_factory=list)
    subscriptions: list[tuple] = field(default_factory=list)
    plan_changes: list[tuple] = field(default_factory=list)
    invoices: list[tuple] = field(default_factory=list)
    usage_metrics: list[tuple] = field(default_factory=list)
    support_tickets: list[tuple] = field(default_factory=list)


class _Simulation:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.customers: list[_Customer] = []
        self.subs: list[_Sub] = []
        self.out = WarehouseRows()
        self._names: set[str] = set()

    # -- helpers -------------------------------------------------------------------------------
    def _price(self, plan: str) -> tuple[int, float]:
        lo, hi = SEAT_RANGE[plan]
        seats = self.rng.randint(lo, hi)
        # Integer division on purpose: MRR is a step function of seats times a +-10% deal factor,
        # so it is never exactly the list price.
        multiple = max(1, seats // lo)
        return seats, round(BASE_PRICE[plan] * multiple * self.rng.uniform(0.9, 1.1), 2)

    def _new_sub(self, customer_id: int, plan: str, billing: str, start: date) -> _Sub:
        seats, mrr = self._price(plan)
        sub = _Sub(len(self.subs) + 1, customer_id, plan, mrr, seats, billing, start)
        self.subs.append(sub)
        return sub

    def _company_name(self) -> str:
        while True:
            name = f"{self.rng.choice(_NAME_HEADS)} {self.rng.choice(_NAME_TAILS)}"
            if name not in self._names:
                self._names.add(name)
                return name

    # -- signups ---------------------------------------------------------------------------------
    def sign_up(self, year: int, month: int, count: int) -> None:
        days = sorted(_random_day(self.rng, year, month) for _ in range(count))
        for signup in days:
            rng = self.rng
            size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
            cid = len(self.customers) + 1
            plan = rng.choices(PLANS, PLAN_WEIGHTS_BY_SIZE[size])[0]
            billing = "annual" if rng.random() < ANNUAL_SHARE else "monthly"
            customer = _Customer(
                id=cid,
                company_name=self._company_name(),
                industry=rng.choice(INDUSTRIES),
                company_size=size,
                country=rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0],
                signup_date=signup,
                source=rng.choice(SOURCES),
                # Nothing ever converts a trial: it stays 'trial' (with a paid, active
                # subscription) until the customer churns (G4).
                status="trial" if rng.random() < TRIAL_SHARE else "active",
                sub=None,  # type: ignore[arg-type]
            )
            customer.sub = self._new_sub(cid, plan, billing, signup)
            self.customers.append(customer)

    # -- one customer-month -------------------------------------------------------------------
    def simulate_month(self, c: _Customer, year: int, month: int) -> None:
        rng = self.rng
        sub = c.sub
        floor = 0.4 if sub.plan == "enterprise" else 0.1
        ratio = rng.uniform(floor, 1.0)
        self._usage(c, sub, year, month, ratio)
        self._invoice(c, sub, year, month)
        self._ticket(c, sub, year, month)
        # Usage, invoice and ticket above are drawn before churn, so the churn (or change)
        # month keeps them even when they are dated after ended_at (G7, G12).
        p = MONTHLY_CHURN[sub.plan]
        if ratio < 0.3:
            p *= 2.0
        elif ratio < 0.5:
            p *= 1.3
        p = min(p, CHURN_CAP)
        if month == 1:
            p *= JANUARY_CHURN_FACTOR  # after the cap, so January can exceed 25% (G23)
        if rng.random() < p:
            self._churn(c, sub, year, month)
        elif rng.random() < PLAN_CHANGE_CHANCE:
            self._change_plan(c, sub, year, month)

    def _usage(self, c: _Customer, sub: _Sub, year: int, month: int, ratio: float) -> None:
        rng = self.rng
        monthly_calls = BASE_API_CALLS[sub.plan] * ratio
        # storage is a level redrawn each month, not cumulative and not a delta (G10)
        storage_level = sub.seats * rng.uniform(50, 500)
        # 3-5 days drawn with replacement: the same date can appear twice (G9)
        for _ in range(rng.randint(3, 5)):
            day = _random_day(rng, year, month)
            users = max(1, int(max(1.0, sub.seats * ratio * rng.uniform(0.5, 1.0)))
                        + rng.randint(-2, 2))
            self.out.usage_metrics.append((
                c.id,
                day.isoformat(),
                int(monthly_calls * rng.uniform(0.7, 1.3) / 5),
                users,
                round(storage_level * rng.uniform(0.95, 1.05), 2),
                max(0, int(users * rng.uniform(1, 10)) + rng.randint(-3, 3)),
                rng.randint(1, min(8, sub.seats)),
                len(self.out.usage_metrics) + 1,
            ))

    def _invoice(self, c: _Customer, sub: _Sub, year: int, month: int) -> None:
        rng = self.rng
        if sub.billing_cycle == "annual":
            # Annual renewals follow the ORIGINAL signup month, even after plan changes (G5).
            if month != c.signup_date.month:
                return
            amount = round(sub.mrr * 12 * ANNUAL_DISCOUNT, 2)
        else:
            amount = sub.mrr
        issued = _random_day(rng, year, month)
        status = rng.choices(INVOICE_STATUSES, INVOICE_STATUS_WEIGHTS)[0]
        # Only paid invoices get paid_at: refunded ones are NULL too (G8).
        paid_at = _ts(issued + timedelta(days=rng.randint(0, 5))) if status == "paid" else None
        last_day = calendar.monthrange(year, month)[1]
        self.out.invoices.append((
            len(self.out.invoices) + 1, c.id, sub.id, amount, "USD", status, _ts(issued),
            paid_at,
            # The period is one calendar month even when the amount covers a year (G6).
            date(year, month, 1).isoformat(), date(year, month, last_day).isoformat(),
        ))

    def _ticket(self, c: _Customer, sub: _Sub, year: int, month: int) -> None:
        rng = self.rng
        if rng.random() >= TICKET_CHANCE[sub.plan]:
            return
        created = _random_day(rng, year, month)
        priority = rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0]
        category = rng.choice(CATEGORIES)
        resolved_at: str | None = None
        score: float | None = None
        # Resolution speed and rating ignore priority and category entirely (G20).
        if rng.random() < 0.85:
            resolved_at = _ts(created + timedelta(days=rng.randint(0, 7)))
            status = "closed" if rng.random() < 0.7 else "resolved"
            if rng.random() < 0.7:
                score = float(rng.randint(1, 5))
        else:
            status = "open" if rng.random() < 0.5 else "in_progress"
        self.out.support_tickets.append((
            len(self.out.support_tickets) + 1, c.id, priority, category, status, _ts(created),
            resolved_at, score,
        ))

    def _churn(self, c: _Customer, sub: _Sub, year: int, month: int) -> None:
        end = _random_day(self.rng, year, month)
        sub.ended_at = end
        sub.status = "cancelled"  # subscriptions say 'cancelled' ...
        sub.cancellation_reason = self.rng.choice(CANCELLATION_REASONS)
        c.status = "churned"  # ... customers say 'churned' ... (G3)
        self.out.plan_changes.append((
            c.id, sub.plan, None, sub.mrr, 0.0, "cancellation",  # ... and plan_changes this
            _ts(end), len(self.out.plan_changes) + 1,
        ))

    def _change_plan(self, c: _Customer, sub: _Sub, year: int, month: int) -> None:
        rank = PLANS.index(sub.plan)
        wants_upgrade = self.rng.random() < UPGRADE_SHARE
        # Asymmetries kept on purpose (G21): starter has nowhere to go down, and a top-plan
        # customer drawing "upgrade" is moved down instead.
        if wants_upgrade and rank < len(PLANS) - 1:
            new_rank, kind = rank + 1, "upgrade"
        elif rank > 0:
            new_rank, kind = rank - 1, "downgrade"
        else:
            return
        when = _random_day(self.rng, year, month)
        sub.ended_at = when
        sub.status = "upgraded" if kind == "upgrade" else "downgraded"
        new = self._new_sub(c.id, PLANS[new_rank], sub.billing_cycle, when)
        c.sub = new
        self.out.plan_changes.append((
            c.id, sub.plan, new.plan, sub.mrr, new.mrr, kind, _ts(when),
            len(self.out.plan_changes) + 1,
        ))

    # -- driver ----------------------------------------------------------------------------------
    def run(self) -> WarehouseRows:
        live: list[_Customer] = []
        for (year, month), count in zip(MONTHS, NEW_CUSTOMERS_PER_MONTH, strict=True):
            # Existing customers first: a customer's signup month gets no activity at all (G12).
            for c in live:
                self.simulate_month(c, year, month)
            live = [c for c in live if c.status != "churned"]
            first_new = len(self.customers)
            self.sign_up(year, month, count)
            live.extend(self.customers[first_new:])
        self.out.customers = [c.row() for c in self.customers]
        self.out.subscriptions = [s.row() for s in self.subs]
        return self.out


def generate_rows(seed: int = 42) -> WarehouseRows:
    """Simulate the company for 2024-01..2025-12 and return every table's rows."""
    return _Simulation(seed).run()
