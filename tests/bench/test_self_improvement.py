from __future__ import annotations

import pytest

from workbench.bench.heatmap import gain_heatmap
from workbench.bench.self_improvement import COLUMNS, cells_for, run_grid
from workbench.eval import registry


@pytest.fixture
def toy_registered(monkeypatch):
    monkeypatch.setitem(registry.TASKS, "toy", "tests.eval.toy_task:ToyTask")


GRID = {"agents": ["toy"], "repeats": 1, "k": [1], "embedder": ["hashing"],
        "stores_off": ["learned_knowledge"], "modes": {"learned_knowledge": ["always", "propose"]}}


def test_cells_vary_one_factor_against_the_baseline(toy_registered):
    names = [c.name for c in cells_for("toy", GRID)]
    assert names == ["baseline", "learned_knowledge off", "learned_knowledge=always",
                     "learned_knowledge=propose", "k=1", "embedder=hashing"]


def test_grid_gives_one_tidy_frame_with_documented_columns(toy_registered, tmp_path):
    frame = run_grid(GRID, model="offline", runs_dir=tmp_path, progress=False)
    assert list(frame.columns) == COLUMNS and len(frame) == 6
    by_cell = frame.set_index("cell")
    assert by_cell.loc["baseline", "gain"] == 1.0, "lookups drop from 1 to 0 with memory"
    assert by_cell.loc["learned_knowledge off", "gain"] == 0.0, "no store, no learning"
    assert by_cell.loc["learned_knowledge=propose", "gain"] == 0.0, "unconfirmed: nothing saved"
    assert (frame["status"] == "ok").all() and frame["offline"].all()
    shares = frame[[c for c in COLUMNS if c.startswith("share_")]]
    assert ((shares >= 0) & (shares <= 1.0001)).all().all()
    assert (shares.sum(axis=1) - 1).abs().max() < 0.02, "exclusive shares add up to the run"
    assert (frame["share_model"] > 0).all() and (frame["tokens_main"] > 0).all()
    assert (tmp_path / "self-improvement" / "grid.csv").exists()
    fig = gain_heatmap(frame)
    assert fig.axes and "offline stand-in" in fig.texts[0].get_text()


def test_self_times_subtract_nested_spans():
    from workbench.bench.self_improvement import self_times

    events = [  # a run with a tool call that writes memory (which embeds), then a model call
        {"kind": "embedding", "start": 0.015, "ms": 2},
        {"kind": "memory_write", "start": 0.012, "ms": 6},
        {"kind": "tool_call", "start": 0.010, "ms": 10},
        {"kind": "model_call", "start": 0.025, "ms": 5},
        {"kind": "run", "start": 0.0, "ms": 40},
    ]
    assert self_times(events) == pytest.approx(
        {"embedding": 2, "memory_write": 4, "tool_call": 4, "model_call": 5, "run": 25})
