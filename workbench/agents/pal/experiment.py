"""``workbench eval pal``: does Pal learn how its user works?

Protocol (defaults in ``evals/pal.json``), each script turn one :class:`EvalItem`, each
script session one session id, so turns of a session share chat history and sessions do not:

* **cold** (fresh memory): both users import their notes, then each user's first session:
  drafts before any preference was stated, a first retrieval question (broad search);
* **warm** (memory kept): the rest of both scripts in the schedule's order — preferences
  stated, then drafted against in later fresh sessions, corrections, a private note each,
  retrieval paraphrases, recurring meetings, isolation probes;
* **control** (a separate, empty memory): the same users import their notes, then the warm
  phase's drafting, file-name, retrieval and recurring turns again.

Cold vs warm pairs turns by user and channel (``user_a:email``) or by retrieval question
(a warm paraphrase pairs with its cold question); control vs warm pairs the same turns.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

from workbench.agents.pal import data
from workbench.agents.pal.agent import build_agent, learning_configs
from workbench.agents.pal.measure import (
    leak_metrics,
    output_of,
    recurring_metrics,
    retrieval_metrics,
    rule_metrics,
)
from workbench.agents.pal.policy import pal_policy
from workbench.agents.pal.scoring import detect_leaks
from workbench.agents.pal.tools import PalEnvironment
from workbench.errors import ConfigError
from workbench.eval import EvalItem, Phase, RepeatContext, TaskHooks
from workbench.eval.memory import experiment_machine
from workbench.eval.record import hash_paths

CONFIG_PATH = Path(__file__).resolve().parents[3] / "evals" / "pal.json"
PROBE_KINDS = ("draft", "filename", "retrieval", "recurring")
DEFAULTS: dict[str, Any] = {"users": list(data.USERS), "cold_sessions": 1, "max_session": None,
                            "control": True, "session_start_time": "09:00:00Z",
                            "options": {"embedder": "minilm"}}


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The experiment's defaults: ``evals/pal.json`` over the built-in ones."""
    source = Path(path) if path else CONFIG_PATH
    config = dict(DEFAULTS)
    if source.exists():
        config.update(json.loads(source.read_text(encoding="utf-8")))
    return config


class PalTask(TaskHooks):
    """Pal's learning-over-time experiment (see the module docstring).

    Args:
        config: a path to a JSON config or a dict (default ``evals/pal.json``).
        **overrides: config keys to replace, e.g. ``max_session=2`` or
            ``options={"embedder": "hashing"}`` for a fast slice.
    """

    name = "pal"
    TITLE = "learns how its user works"
    DESCRIPTION = ("Stated preferences are obeyed only after they are stated and recalled "
                   "(adherence per rule, retention over later sessions, the file-conflict "
                   "rule); retrieval takes a targeted path once a Retrieval learning exists; "
                   "two users never see each other's data.")
    HEADLINE = ["pref_adherence", "file_adherence", "retrieval_calls", "sources_touched",
                "retrieval_complete", "leaks"]
    PAIRS = (("cold", "warm"), ("control", "warm"), ("cold", "control"))
    GAIN_METRIC = "pref_adherence"
    GAIN_DIRECTION = "higher"
    STORES = ("user_profile", "user_memory", "session_context", "entity_memory",
              "learned_knowledge")

    def __init__(self, config: str | Path | dict[str, Any] | None = None,
                 **overrides: Any) -> None:
        base = dict(config) if isinstance(config, dict) else load_config(config)
        self.config = {**DEFAULTS, **base, **overrides}
        unknown = set(self.config["users"]) - set(data.USERS)
        if unknown:
            raise ConfigError(f"unknown Pal users {sorted(unknown)}")
        self.users: list[str] = list(self.config["users"])
        self.rules = data.load_rules()
        self.scripts = {u: data.load_script(u) for u in self.users}
        self.expectations = {u: data.load_expectations(u) for u in data.USERS}
        self.notes = {u: data.load_notes(u) for u in self.users}
        self.markers = {u: self.expectations[u].leak_markers for u in data.USERS}
        self._envs: dict[tuple[int, str], PalEnvironment] = {}

    # -- the protocol -----------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        return {**{k: v for k, v in self.config.items() if k != "description"},
                "dataset_hash": hash_paths(data.pal_dir()),
                "turns": sum(len(s) for s in self.scripts.values())}

    def offline_policies(self) -> list:
        return [pal_policy]

    def _schedule(self) -> list[tuple[str, int]]:
        limit = self.config["max_session"]
        return [(u, s) for u, s in data.load_schedule()
                if u in self.users and (limit is None or s <= limit)]

    def _setup_item(self, user: str) -> EvalItem:
        first = self.scripts[user][0].date
        return EvalItem(f"{user}-import", f"Import my notes from inbox/{user}.jsonl.",
                        group="setup", user_id=user, session_id=f"{user}-setup",
                        meta={"user": user, "kind": "setup", "date": first})

    def _item(self, turn: data.ScriptTurn) -> EvalItem:
        exp = self.expectations[turn.user_id].turn(turn.session, turn.turn)
        key = f"{turn.user_id}-s{turn.session}-t{turn.turn}"
        if exp.kind in ("draft", "filename"):
            pair = f"{turn.user_id}:{exp.channel}"
        elif exp.kind == "retrieval":
            gold = self.expectations[turn.user_id].retrieval[exp.retrieval_id or ""]
            pair = gold.warm_of or gold.id
        elif exp.kind == "recurring":
            pair = exp.recurring_id or key
        else:
            pair = key
        return EvalItem(key, turn.text, pair_key=pair, group=exp.kind, user_id=turn.user_id,
                        session_id=f"{turn.user_id}-s{turn.session}",
                        meta={"user": turn.user_id, "session": turn.session, "turn": turn.turn,
                              "date": turn.date, "kind": exp.kind, "channel": exp.channel})

    def phases(self) -> list[Phase]:
        cold_n = int(self.config["cold_sessions"])
        schedule = self._schedule()
        cold_keys = [(u, s) for u, s in schedule if s <= cold_n]
        if schedule[:len(cold_keys)] != cold_keys:
            raise ConfigError("the schedule must run every user's cold sessions first")
        by_key: dict[tuple[str, int], list[EvalItem]] = {}
        for user in self.users:
            for turn in self.scripts[user]:
                by_key.setdefault((user, turn.session), []).append(self._item(turn))
        setup = [self._setup_item(u) for u in self.users]
        cold = setup + [i for k in cold_keys for i in by_key[k]]
        warm = [i for k in schedule[len(cold_keys):] for i in by_key[k]]
        phases = [Phase("cold", cold, memory="fresh"), Phase("warm", warm, memory="keep")]
        if self.config["control"]:
            probes = [i for i in warm if i.meta["kind"] in PROBE_KINDS]
            phases.append(Phase("control", setup + probes, memory="empty"))
        return phases

    # -- memory, agent, clock ---------------------------------------------------------------

    def _rc(self, rc: RepeatContext) -> RepeatContext:
        options = {**self.config.get("options", {}), **rc.options}
        return dataclasses.replace(rc, options=options)

    def make_machine(self, rc: RepeatContext, label: str):
        return experiment_machine(self._rc(rc), label, **learning_configs())

    def make_agent(self, rc: RepeatContext, machine):
        label = Path(machine.data_dir).name
        root = rc.run_dir / "env" / f"r{rc.repeat}" / label
        old = self._envs.pop((rc.repeat, label), None)
        if old is not None:
            old.close()
        if root.exists():  # a restarted repeat: its user data starts over too
            shutil.rmtree(root)
        env = PalEnvironment(root, clock=machine.clock)
        for user in self.users:
            env.seed_user(user, context=data.context_dir(user),
                          notes_file=data.pal_dir() / "notes" / f"{user}.jsonl")
        self._envs[(rc.repeat, label)] = env
        return build_agent(rc.model, machine, env)

    def before_item(self, item: EvalItem, rc: RepeatContext, machine) -> None:
        machine.clock.set(f"{item.meta['date']}T{self.config['session_start_time']}")

    # -- scoring ----------------------------------------------------------------------------

    def score(self, item: EvalItem, result, rc: RepeatContext, agent) -> dict[str, Any]:
        meta = item.meta
        user = meta["user"]
        others = {u: m for u, m in self.markers.items() if u != user}
        row: dict[str, Any] = {"user": user, "session": meta.get("session"),
                               "turn": meta.get("turn"), "kind": meta["kind"],
                               "channel": meta.get("channel")}
        if meta["kind"] == "setup":
            return {**row, **leak_metrics(user, result, result.text, None, None, self.rules,
                                          others)}
        exp = self.expectations[user].turn(meta["session"], meta["turn"])
        text, filename = output_of(result, wants_filename=exp.filename_expected)
        row.update(output=text[:3000], filename=filename)
        row.update(leak_metrics(user, result, text, filename, exp, self.rules, others))
        if exp.rules:
            row.update(rule_metrics(text, filename, exp, self.rules))
        if exp.retrieval_id:
            row.update(retrieval_metrics(result, self.expectations[user], exp.retrieval_id))
        if exp.recurring_id:
            row.update(recurring_metrics(result.text, self.expectations[user],
                                         self.notes[user]))
        return row

    def after_phase(self, phase: Phase, rc: RepeatContext, machine) -> dict[str, Any]:
        """Isolation at rest: every store and the user data, scanned for the other user's
        markers; plus what each user's memory holds."""
        env = self._envs.get((rc.repeat, Path(machine.data_dir).name))
        stored = {u: stored_texts(machine, env, u) for u in self.users}
        hits = detect_leaks(stored, {u: m for u, m in self.markers.items() if u in self.users})
        out: dict[str, Any] = {"store_leaks": len(hits)}
        for user in self.users:
            if machine.user_profile_store is not None:
                out[f"{user}_profile_fields"] = len(machine.user_profile_store.get(user))
            if machine.learned_knowledge_store is not None:
                out[f"{user}_learnings"] = len(machine.learned_knowledge_store.all(user_id=user))
        # Close the databases of user data no later phase of this repeat will use.
        last = phase.name == self.phases()[-1].name
        label = Path(machine.data_dir).name
        for key in [k for k in self._envs if k[0] == rc.repeat and
                    (last or (phase.memory == "empty" and k[1] == label))]:
            self._envs.pop(key).close()
        return out

    def report_figures(self, record) -> list:
        """Extra figures for the demo report: adherence before/after per rule family."""
        from workbench.agents.pal.report import adherence_figure

        return [("Stated-preference adherence per rule, before vs after (95% CI)",
                 adherence_figure(record))]


def stored_texts(machine, env: PalEnvironment | None, user: str) -> list[str]:
    """Everything stored for ``user``: profile, memories, learnings, entities, session
    summaries, notes, drafts and files (stores switched off by an ablation are skipped)."""
    texts: list[str] = []
    if machine.user_profile_store is not None:
        texts.append(json.dumps(machine.user_profile_store.get(user), ensure_ascii=False))
    if machine.user_memory_store is not None:
        texts += [r.data["content"] for r in machine.user_memory_store.memories(user)]
    if machine.learned_knowledge_store is not None:
        texts += [f"{d['title']} {d['learning']} {d.get('context') or ''}"
                  for d in machine.learned_knowledge_store.all(user_id=user)]
    if machine.entity_memory_store is not None:
        scope = machine.entity_memory_store.scope(user)
        texts += [json.dumps(r, ensure_ascii=False, default=str)
                  for r in machine.entity_memory_store.snapshot() if r.get("scope") == scope]
    if machine.session_context_store is not None:
        texts += [json.dumps(r, ensure_ascii=False, default=str)
                  for r in machine.session_context_store.snapshot() if r.get("user_id") == user]
    if env is not None:
        texts += [json.dumps(n, ensure_ascii=False)
                  for n in env.notes.search(user, "", limit=10_000)]
        texts += [d["text"] for d in env.notes.drafts(user)]
        box = env.sandbox(user)
        texts += [box.read(p) for p in box.list()]
    return texts
