"""Answering questions about contacts from memory only (the offline policy's reading side).

Every answer is built from what memory showed the model: entity cards (recalled or returned by
``search_entities`` / ``get_entity``), the ``<user_profile>`` block and ``recall_sessions``
results. A name the cards do not cover is unknown, and the answer says so instead of guessing.
The routine is the one a careful model follows: search the names in the question, look the
answer up on the right card (fetching linked cards or history with ``get_entity`` when the
first look is not enough), and answer briefly.
"""

from __future__ import annotations

import re
from datetime import date

from workbench.agents.contacts._cards import Card, profile, sessions, visible_cards
from workbench.agents.contacts._dates import month_window, parse_today
from workbench.agents.contacts._mentions import key, names_in
from workbench.models.offline import OfflineView, Reply, call

ATTRIBUTES = {   # question cue -> the stored attributes that answer it
    "title": ("title", "role", "job", "job_title", "position"),
    "email": ("email", "email_address"),
    "phone": ("phone", "mobile", "phone_number"),
    "place": ("location", "city", "based_in", "hq"),
    "expertise": ("expertise", "strength", "speciality", "specialty", "skill"),
    "focus": ("focus", "product", "business"),
    "funding_stage": ("funding_stage", "funding", "stage", "round"),
    "stack": ("stack", "tech_stack", "technology"),
    "status": ("status", "state"),
    "deadline": ("deadline", "due", "due_date"),
}
_CUES = [
    ("email", r"\be-?mail"), ("phone", r"\b(?:phone|mobile|number|cell)\b"),
    ("deadline", r"\b(?:due|deadline)\b"), ("status", r"\b(?:status|holding .* up|state of)\b"),
    ("stack", r"\b(?:tech|stack|technolog|run on|runs on|built on|built with)"),
    ("funding_stage", r"\b(?:funding|stage|round|raised)\b"),
    ("expertise", r"\b(?:good at|expertise|strength|speciali[sz]|skilled|expert)"),
    ("place", r"\b(?:where (?:is|are|does|do) .*(?:based|live|located)|which city|what city|"
              r"based|headquartered)\b"),
    ("title", r"\b(?:job|title|role|position|what does .* do)\b"),
    ("focus", r"\bwhat (?:does|do) .* (?:make|build|sell|do)\b|\bfocus\b"),
]
_LABEL = {"funding_stage": "funding stage", "place": "location", "title": "title"}
_HISTORY = re.compile(r"\b(?:before|previous(?:ly)?|used to|originally|formerly|earlier)\b", re.I)
_RELATIONS = [   # (question pattern, direction, relations)
    (r"\bwho (?:do i know|works?|is there) (?:at|in|from)\b|\bwho(?:'s| is)? at\b", "in",
     ("works_at",)),
    (r"\bwho (?:introduced me to|put me in touch with|connected me)|\bhow did i meet\b", "out",
     ("introduced_by",)),
    (r"\bwho does .* report to\b|\bwho is .*'s (?:manager|boss)\b", "out", ("reports_to",)),
    (r"\bwho reports to\b", "in", ("reports_to",)),
    (r"\bwho (?:leads|runs|heads|is leading|owns)\b", "in", ("leads",)),
    (r"\bwho(?:'s| is| are)? (?:working on|involved in|on the)\b", "in", ("leads", "involved_in")),
    (r"\b(?:which|what) (?:investor|fund|vc)s?\b|\bwho (?:backed|invested in|funded)\b", "in",
     ("invested_in",)),
    (r"\b(?:which|what) compan(?:y|ies) does .* advise\b|\bwho does .* advise\b", "out",
     ("advises",)),
    (r"\bwhere does .* work\b|\bwho does .* work for\b|\bis .* still (?:at|with)\b|\b(?:which|what) "
     r"company (?:is|was) .* at\b", "out", ("works_at",)),
]
_QUESTION_WORDS = re.compile(r"^(?:what|who|which|when|where|why|how|is|are|do|does|did|can|"
                             r"could|tell|remind|give|list|show|any)\b", re.I)


def is_question(text: str) -> bool:
    """A request for information rather than something to remember."""
    text = text.strip()
    return text.endswith("?") or bool(re.match(r"^(?:tell me|remind me|what do you know|list|"
                                               r"show me|give me)\b", text, re.I))


def _fmt_date(iso: str | None) -> str:
    if not iso:
        return "an unknown date"
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day:%B} {day.day}, {day.year} ({iso[:10]})"


def _bullets(view: OfflineView, items: list[str], *, always: bool = False) -> str:
    """A list, as bullets when the user asked for bullet points (their profile says so)."""
    prefs = " ".join(profile(view).values()).lower()
    if (always or "bullet" in prefs) and len(items) > 1:
        return "\n".join(f"- {i}" for i in items)
    return "; ".join(items)


class Lookup:
    """The question's entities resolved against the visible cards."""

    def __init__(self, view: OfflineView) -> None:
        self.view = view
        self.question = view.last_user
        self.cards = visible_cards(view)
        self.known = {k: c for c in self.cards.values() for k in c.keys()}
        self.targets: list[Card] = []
        self.first_names: dict[str, list[Card]] = {}
        self.unknown: list[str] = []
        self.runs: list[str] = []
        self._resolve()

    def _resolve(self) -> None:
        toks = key(self.question).split()
        covered: list[tuple[int, int, Card]] = []
        for n in range(5, 0, -1):
            for i in range(len(toks) - n + 1):
                span = " ".join(toks[i:i + n])
                card = self.known.get(span) or self.known.get(f"project {span}")
                if card and not any(a < i + n and i < b for a, b, _ in covered):
                    covered.append((i, i + n, card))
        runs = [r.surface for r in names_in(self.question, 0, {})
                if not _QUESTION_WORDS.match(r.surface)]
        self.runs = runs
        drop: set[int] = set()
        for run in runs:
            rt = key(run).split()
            hits = [(a, b, c) for a, b, c in covered if set(toks[a:b]) & set(rt)]
            if len(rt) == 1 and all(c.type == "person" for _, _, c in hits):
                # A bare first name: every stored person called that is a candidate, even
                # when one of them also carries it as an alias.
                people = [c for c in self.cards.values() if c.type == "person"
                          and (key(c.name).split()[0] == rt[0] or rt[0] in c.keys())]
                if people:
                    self.first_names[run] = people
                    drop |= {id(c) for _, _, c in hits}
                    continue
            words = {w for _, _, c in hits for k in c.keys() for w in k.split()} | {"project"}
            if hits and set(rt) <= words:
                continue
            self.unknown.append(run)
            drop |= {id(c) for _, _, c in hits}
        for _, _, card in sorted(covered):
            if id(card) not in drop and card not in self.targets:
                self.targets.append(card)

    def searched(self) -> set[str]:
        return {key(str((c.arguments or {}).get("query") or (c.arguments or {}).get("entity")))
                for c in self.view.calls_made() if c.name in ("search_entities", "get_entity")}

    def fetched(self) -> set[str]:
        return {key(str((c.arguments or {}).get("entity"))) for c in self.view.calls_made("get_entity")}

    def card(self, name: str) -> Card | None:
        return self.known.get(key(name))


def _pick(candidates: list[Card], question: str, view: OfflineView) -> Card | None:
    """Which of several same-first-name people the question describes ("the designer",
    "the Sarah from Quillfeather", "who lives near me")."""
    words = set(key(question).split()) - {"which", "who", "is", "the", "what", "s", "of",
                                           "where", "does", "from", "based", "a", "email"}
    near_me = re.search(r"\bnear me\b|\bclose to me\b|\bwhere i live\b", question, re.I)
    home = key(profile(view).get("location", "")) if near_me else ""
    best, best_score = None, 0.0
    for card in candidates:
        text = set(key(card.text()).split())
        first = key(card.name).split()[0]
        score = len((words - {first}) & text) + (3 if home and home in key(card.text()) else 0)
        score += sum(0.5 for w in words if len(w) > 4 and any(t.startswith(w[:5]) for t in text))
        if score > best_score:
            best, best_score = card, score
    return best


def _attribute_cue(question: str) -> str | None:
    low = question.lower()
    for name, pattern in _CUES:
        if re.search(pattern, low):
            return name
    return None


def answer(view: OfflineView) -> Reply:
    """The next step for a question: a tool call, or the final answer."""
    q = view.last_user
    low = q.lower()
    prof = profile(view)
    if re.search(r"\b(?:am i|my (?:time ?zone|role|name|location)|i like your (?:replies|"
                 r"answers)|should you (?:reply|answer|format))\b", low):
        return _profile_answer(low, prof)
    if re.search(r"\b(?:plan|planning|steps|trying to|getting ready|goal|structure|wanted to|"
                 r"want to|mission)\b", low) and re.search(r"\b(?:i|my|steps)\b", low):
        return _goal_answer(view)
    look = Lookup(view)
    searched = look.searched()
    # Names the recalled memory already covers need no search; unknown and bare first names
    # do (to confirm nothing is known, or to see every person of that name).
    wanted = [r for r in look.runs if key(r) not in searched
              and (r in look.unknown or r in look.first_names)]
    can_search = "search_entities" in view.tools
    if wanted and not view.calls_made() and can_search:
        return [call("search_entities", query=r, limit=8) for r in dict.fromkeys(wanted)]
    if not look.targets and not look.first_names:
        if look.unknown:
            who = " or ".join(look.unknown)
            return f"I don't have any information about {who} — nothing is recorded in memory."
        if not view.calls_made() and can_search:
            return call("search_entities", query=q, limit=5)
        return "I don't have anything in memory that answers that."
    target = look.targets[0] if look.targets else None
    cue = _attribute_cue(q)
    for run, people in look.first_names.items():
        chosen = _pick(people, q, view) if len(people) > 1 else people[0]
        if chosen is None:
            names = ", ".join(p.name for p in people)
            return f"I know several people called {run}: {names}. Which one do you mean?"
        if re.match(r"^which\b", low) and not cue:
            return f"That's {chosen.name}" + (f" ({_summary_line(chosen)})." if
                                                _summary_line(chosen) else ".")
        if len(people) > 1:   # "the Sarah who runs Falcon": the rest of the question described her
            return _attribute_answer(look, chosen, cue) if cue else _summary(look, chosen)
        target = chosen
        break
    if target is None:
        return "I don't have anything in memory that answers that."
    if look.unknown:
        return (f"I don't have any information about {' or '.join(look.unknown)} — nothing "
                "is recorded in memory.")
    if low.startswith("when") and cue != "deadline":
        return _event_answer(look, target)
    for pattern, direction, relations in _RELATIONS:
        if re.search(pattern, low):
            return _relation_answer(look, target, direction, relations)
    owner_title = re.search(r"\bwho is (?P<org>.+?)(?:'s|’s) (?P<title>[^?]+)\?", q, re.I)
    if owner_title:
        return _who_holds_title(look, target, owner_title.group("title"))
    if cue:
        return _attribute_answer(look, target, cue)
    return _summary(look, target)


def _profile_answer(low: str, prof: dict[str, str]) -> str:
    if not prof:
        return "I don't have anything about you in your profile yet."
    if "zone" in low or "time" in low:
        value = prof.get("timezone")
        return f"Your time zone: {value}." if value else "I don't know your time zone yet."
    if "repl" in low or "answer" in low or "format" in low:
        value = prof.get("communication_preference")
        return f"You like: {value}." if value else "You haven't told me how you like replies."
    field = "role" if "role" in low else "location" if "location" in low else "name"
    value = prof.get(field)
    return f"Your {field}: {value}." if value else f"I don't have your {field} yet."


def _goal_answer(view: OfflineView) -> Reply:
    q = view.last_user
    done = view.calls_made("recall_sessions")
    if not done:
        if "recall_sessions" not in view.tools:
            return "I don't have earlier sessions to look at."
        today = parse_today(view.system) or date.today()
        window = month_window(q, today)
        args = {"query": q}
        if window:
            args.update(date_from=window[0], date_to=window[1])
        return call("recall_sessions", **args)
    notes = sessions(view.last_result("recall_sessions") or "")
    if not notes:
        return "I don't have a record of that plan — nothing was saved for those sessions."
    note = notes[0]
    plan = "; ".join(note.plan) if note.plan else "no steps were recorded"
    return (f"In the session of {_fmt_date(note.date)} your goal was: {note.goal or 'not stated'}."
            f" Plan: {plan}.")


def _summary_line(card: Card) -> str:
    title = card.values(ATTRIBUTES["title"]) + card.values(ATTRIBUTES["focus"])
    employer = [t for r, t in card.out if r == "works_at"]
    bits = [title[-1]] if title else []
    bits += [f"at {employer[0]}"] if employer else []
    return " ".join(bits)


_LINKS = ("works_at", "leads", "involved_in", "advises", "invested_in", "reports_to")


def _summary(look: Lookup, card: Card) -> Reply:
    """Everything memory holds on one entity: facts, the people and organisations linked to it
    (with their titles, fetching their cards when the first look did not show them), events."""
    linked = [n for r, n in card.inc if r in _LINKS]
    todo = [n for n in dict.fromkeys(linked) if (look.card(n) is None or not look.card(n).facts)
            and key(n) not in look.fetched()][:6]
    if todo and "get_entity" in look.view.tools:
        return [call("get_entity", entity=n) for n in todo]
    items = [f"{a}: {v}" for a, v, _ in card.facts]
    items += [f"{r.replace('_', ' ')} {t}" for r, t in card.out]
    for relation, name in card.inc:
        other = look.card(name)
        title = other.values(ATTRIBUTES["title"]) if other else []
        who = f"{name} ({title[-1]})" if title else name
        items.append(f"{who} {relation.replace('_', ' ')} {card.name}")
    items += [f"{_fmt_date(d)}: {e}" for d, e in card.events]
    head = f"{card.name} ({card.type})" + (f" — {card.description}" if card.description else "")
    if not items:
        return f"{head}: I have the name but no details recorded."
    return f"What I know about {head}:\n" + _bullets(look.view, items, always=True)


def stem(word: str) -> str:
    """A crude stem so that "launch" meets "launched" and "meetups" meets "meetup"."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


_EVENT_STOP = {"when", "did", "was", "is", "the", "my", "i", "with", "last", "do", "does",
               "where", "what", "of", "a", "s", "it", "its", "their", "first", "next"}


def _event_answer(look: Lookup, target: Card) -> str:
    words = {stem(w) for w in key(look.question).split()} - {
        stem(w) for w in key(target.name).split()} - _EVENT_STOP
    best, best_score = None, 0.0
    for card in [target, *[c for c in look.cards.values() if c is not target]]:
        for when, desc in card.events:
            dt = {stem(w) for w in key(desc).split()}
            score = len(words & dt)
            if card is not target and not set(key(target.name).split()) & set(key(desc).split()):
                score -= 0.5   # another entity's event must at least mention the target
            score += 0.25 if card is target else 0.0
            if score > best_score:
                best, best_score = (when, desc, card), score
    if best is None or best_score < 1:
        return f"I don't have a date for that — no matching event is recorded for {target.name}."
    when, desc, card = best
    return f"{_fmt_date(when)} — {desc} ({card.name})."


def _relation_answer(look: Lookup, target: Card, direction: str,
                     relations: tuple[str, ...]) -> Reply:
    edges = target.inc if direction == "in" else target.out
    names = list(dict.fromkeys(n for r, n in edges if r in relations))
    low = look.question.lower()
    if "works_at" in relations and direction == "out":
        if _HISTORY.search(low) or "before" in low:
            return _previous_employer(look, target)
        if re.search(r"\bstill\b", low):
            asked = [c for c in look.targets if c is not target]
            if names and asked and key(asked[0].name) not in {key(n) for n in names}:
                return f"No — {target.name} now works at {names[0]}, not at {asked[0].name}."
            if names:
                return f"Yes — {target.name} works at {names[0]}."
    if not names:
        what = " or ".join(r.replace("_", " ") for r in relations)
        return f"I don't have that recorded — no '{what}' link for {target.name} is in memory."
    if direction == "out" and relations == ("introduced_by",):
        return f"{target.name} was introduced to you by {_and(names)}."
    if direction == "out":
        rel = relations[0].replace("_", " ")
        return f"{target.name} {rel} {_and(names)}."
    return _bullets(look.view, names) if len(names) > 1 else f"{names[0]}."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _previous_employer(look: Lookup, target: Card) -> Reply:
    for _, desc in target.events:
        m = re.search(r"\b(?:after leaving|left|from) ([A-Z][\w&-]*(?: [A-Z][\w&-]*)*)", desc)
        if m:
            return f"Before that, {target.name} was at {m.group(1)}."
    return (f"I only have {target.name}'s current employer; no earlier one is recorded.")


def _who_holds_title(look: Lookup, org: Card, title: str) -> Reply:
    staff = [n for r, n in org.inc if r == "works_at"]
    missing = [n for n in staff if look.card(n) is None or not look.card(n).facts]
    todo = [n for n in missing if key(n) not in look.fetched()]
    if todo and "get_entity" in look.view.tools:
        return [call("get_entity", entity=n) for n in todo]
    wanted = set(key(title).split())
    for name in staff:
        card = look.card(name)
        for value in card.values(ATTRIBUTES["title"]) if card else []:
            if wanted <= set(key(value).split()):
                return f"{card.name} is {org.name}'s {value}."
    return f"No {title.strip()} at {org.name} has been mentioned — I don't know who that is."


def _attribute_answer(look: Lookup, target: Card, cue: str) -> Reply:
    history = bool(_HISTORY.search(look.question))
    if history and key(target.name) not in look.fetched() and "get_entity" in look.view.tools:
        return call("get_entity", entity=target.name, include_history=True)
    label = _LABEL.get(cue, cue.replace("_", " "))
    if history:
        old = [v for a, v, _, _ in target.previous
               if key(a).replace(" ", "_") in ATTRIBUTES[cue]]
        if old:
            return f"Before, {target.name}'s {label} was {old[-1]}."
        return f"I don't have an earlier {label} for {target.name} on record."
    values = target.values(ATTRIBUTES[cue])
    if not values:
        return f"I don't have {'an' if label[0] in 'aeiou' else 'a'} {label} for {target.name}."
    if cue == "deadline":
        due = _fmt_date(values[-1]) if re.match(r"\d{4}-", values[-1]) else values[-1]
        return f"{target.name} is due {due}."
    return f"{target.name} — {label}: {'; '.join(values)}."
