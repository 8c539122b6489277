"""The question bank: structure, coverage, and THE guard that stored values match the data."""

from __future__ import annotations

import json
import math
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from workbench.agents.dash import questions as qmod
from workbench.agents.dash.checking import check_answer
from workbench.agents.dash.knowledge import datasets_dir
from workbench.agents.dash.questions import (
    ANSWER_TYPES,
    Question,
    compute_gold,
    compute_variant,
    load_questions,
    questions_path,
)

QUESTIONS = load_questions()
BY_ID = {q.id: q for q in QUESTIONS}


def same(a: Any, b: Any) -> bool:
    """Equal, with floats compared to the 6 decimals they are stored with."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


# -- structure ------------------------------------------------------------------------------------

def test_bank_location_is_the_repo_datasets_folder() -> None:
    assert questions_path() == datasets_dir() / "dash" / "questions.jsonl"
    assert (datasets_dir().parent / "workbench").is_dir()


def test_cold_items_cover_the_probe_bank() -> None:
    cold = [q for q in QUESTIONS if q.variant == "cold"]
    assert len(cold) >= 22
    assert {f"D{i:02d}" for i in range(1, 23)} <= {q.id for q in cold}


def test_every_family_has_two_paraphrases_and_a_transfer() -> None:
    families = {q.family for q in QUESTIONS}
    assert len(families) >= 15
    for family in families:
        kinds = Counter(q.variant for q in QUESTIONS if q.family == family)
        assert kinds["cold"] >= 1 and kinds["paraphrase"] >= 2 and kinds["transfer"] >= 1, family


def test_fields_are_well_formed() -> None:
    for q in QUESTIONS:
        assert q.answer.type in ANSWER_TYPES
        assert q.gotchas and all(re.fullmatch(r"G([1-9]|1\d|2[0-3])", g) for g in q.gotchas), q.id
        assert q.gold_sql.strip() and q.question.strip()
        if q.of is not None:
            parent = BY_ID[q.of]
            assert parent.variant == "cold" and parent.family == q.family, q.id
        if q.variant == "paraphrase":
            assert q.gold_sql == BY_ID[q.of].gold_sql and q.question != BY_ID[q.of].question
        if q.variant == "transfer":
            assert q.gold_sql != BY_ID[q.of].gold_sql, q.id
        for caveat in q.required_caveats:
            for pattern in caveat.patterns:
                re.compile(pattern)
        for v in (*q.known_wrong, *q.also_accept):
            assert v.why and (v.sql or v.value is not None), (q.id, v.id)
    for q in QUESTIONS:
        if q.family == "stale_dates":
            assert q.today == "2026-04-15"
            assert "data_ends_2025_12_31" in {c.id for c in q.required_caveats}


def test_round_trip_through_json() -> None:
    lines = questions_path().read_text(encoding="utf-8").splitlines()
    for line, q in zip(lines, QUESTIONS, strict=True):
        assert json.dumps(q.to_dict(), ensure_ascii=False) == line
        assert Question.from_dict(json.loads(line)) == q


def test_load_rejects_duplicates_and_dangling_of(tmp_path: Path) -> None:
    line = questions_path().read_text(encoding="utf-8").splitlines()[0]
    dup = tmp_path / "dup.jsonl"
    dup.write_text(line + "\n" + line + "\n")
    with pytest.raises(ValueError, match="duplicate"):
        load_questions(dup)
    orphan = json.loads(line) | {"id": "X1", "variant": "paraphrase", "of": "NOPE"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(orphan) + "\n")
    with pytest.raises(ValueError, match="'of'"):
        load_questions(bad)


def test_datasets_folder_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "dash").mkdir()
    first = questions_path().read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "dash" / "questions.jsonl").write_text(first + "\n")
    monkeypatch.setenv("WORKBENCH_DATASETS", str(tmp_path))
    assert [q.id for q in load_questions()] == [QUESTIONS[0].id]


# -- THE guard: every stored value is what the SQL computes on the generated data ---------------

@pytest.mark.parametrize("q", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_stored_values_match_the_warehouse(q: Question, dash_conn: sqlite3.Connection) -> None:
    assert same(compute_gold(q, dash_conn), q.gold), f"{q.id}: gold drifted; run --write-gold"
    for v in (*q.known_wrong, *q.also_accept):
        fresh = compute_variant(q, v, dash_conn)
        assert same(fresh.value, v.value) and fresh.error == v.error, (q.id, v.id)


def test_empty_questions_are_empty_and_rows_are_sizeable() -> None:
    for q in QUESTIONS:
        if q.answer.type == "empty":
            assert q.gold == 0, q.id
        if q.answer.type == "rows":
            assert len(q.gold) >= 5, q.id


def test_error_traps_record_sqlite_errors() -> None:
    errors = {(q.id, v.id): v.error for q in QUESTIONS for v in q.known_wrong if v.error}
    assert errors[("D23", "date_trunc")] == "no such function: DATE_TRUNC"
    assert errors[("D24", "invoice_date")] == "no such column: invoice_date"
    assert "syntax error" in errors[("D23.t2", "interval_literal")]


def test_check_command_detects_drift_and_write_gold_repairs_it(
        tmp_path: Path, dash_warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "questions.jsonl"
    shutil.copy(questions_path(), path)
    common = ["--path", str(path), "--db", str(dash_warehouse)]
    assert qmod.main(["--check", *common]) == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    tampered = json.loads(lines[0]) | {"gold": 12345}
    path.write_text("\n".join([json.dumps(tampered), *lines[1:]]) + "\n", encoding="utf-8")
    assert qmod.main(["--check", *common]) == 1
    assert tampered["id"] in capsys.readouterr().out
    assert qmod.main(["--write-gold", *common]) == 0
    assert path.read_bytes() == questions_path().read_bytes()


# -- gold and trap values are told apart by the checker --------------------------------------------

def render(q: Question, value: Any) -> str:
    """A plain answer that states ``value`` the way the question's answer type stores it."""
    kind = q.answer.type
    if kind == "empty":
        return "There are no matching records." if value == 0 else f"The answer is {value}."
    if kind == "rows":
        return "; ".join(value)
    if kind == "top":
        return f"The top one is {value['label']} with {value['value']}."
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items() if v is not None)
    return f"The answer is {value}."


CHECKABLE = [q for q in QUESTIONS if q.answer.type != "verdict"]


@pytest.mark.parametrize("q", CHECKABLE, ids=[q.id for q in CHECKABLE])
def test_gold_text_is_correct_and_trap_text_is_trapped(q: Question) -> None:
    good = check_answer(q, render(q, q.gold))
    assert good.correct and not good.trap_hit, good.detail
    for wrong in q.known_wrong:
        if wrong.value is None:
            continue
        bad = check_answer(q, render(q, wrong.value))
        assert not bad.correct and bad.trap_hit and wrong.id in bad.traps_mentioned, (
            q.id, wrong.id, bad.detail)
    for alt in q.also_accept:
        assert alt.id in check_answer(q, render(q, alt.value)).alternates_matched, (q.id, alt.id)
