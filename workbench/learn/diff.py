"""Diff two memory snapshots (``LearningMachine.snapshot()``): what was added, removed, changed."""

from __future__ import annotations

from typing import Any

import pandas as pd

IGNORED = {"updated_at", "created_at", "run_id", "recorded_at", "history", "provenance"}


def _label(item: dict[str, Any]) -> str:
    for key in ("title", "name", "content", "decision", "value", "description", "summary"):
        if item.get(key):
            return str(item[key])[:80]
    return item.get("id", "")


def diff_snapshots(before: dict[str, list[dict[str, Any]]],
                   after: dict[str, list[dict[str, Any]]], *,
                   ignore: set[str] = IGNORED) -> pd.DataFrame:
    """One row per item that differs: store, id, change (added/removed/changed), what changed.

    Timestamps and provenance are ignored by default, so two runs that learned the same
    things at different moments compare equal.
    """
    rows = []
    for store in sorted(set(before) | set(after)):
        old = {i["id"]: i for i in before.get(store, [])}
        new = {i["id"]: i for i in after.get(store, [])}
        for item_id in sorted(set(old) | set(new)):
            a, b = old.get(item_id), new.get(item_id)
            if a is None:
                rows.append({"store": store, "id": item_id, "change": "added",
                             "item": _label(b), "fields": ""})
            elif b is None:
                rows.append({"store": store, "id": item_id, "change": "removed",
                             "item": _label(a), "fields": ""})
            else:
                fields = sorted(k for k in set(a) | set(b)
                                if k not in ignore and a.get(k) != b.get(k))
                if fields:
                    detail = "; ".join(f"{k}: {a.get(k)!r} → {b.get(k)!r}" for k in fields)
                    rows.append({"store": store, "id": item_id, "change": "changed",
                                 "item": _label(b), "fields": detail[:300]})
    return pd.DataFrame(rows, columns=["store", "id", "change", "item", "fields"])
