"""Self-describing run records: a folder per run that pandas loads in one line.

A run folder holds ``config.json`` (task, model, whether it was the offline stand-in, dataset
hash, git revision, package versions, knobs), ``samples.jsonl`` (one row per item run, with
its metrics and trace summary), ``phases.jsonl`` (store-level metrics after phases) and the
per-repeat memory. ``load_run(path).samples`` is a DataFrame.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

PACKAGES = ("learning-workbench", "chromadb", "openai", "networkx", "pandas", "numpy",
            "matplotlib", "tokenizers")
SCHEMA_VERSION = 1


def git_revision(cwd: Path | None = None) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             cwd=cwd or Path(__file__).resolve().parent, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True,
                               cwd=cwd or Path(__file__).resolve().parent, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def hash_paths(*paths: str | Path) -> str:
    """sha256 over the bytes of files (folders walked in sorted order)."""
    digest = hashlib.sha256()
    for root in paths:
        root = Path(root)
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            digest.update(str(file.relative_to(root.parent)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def make_run_dir(root: str | Path, task: str, model: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    safe_model = "".join(c if c.isalnum() or c in "-._" else "_" for c in model)
    base = Path(root) / f"{stamp}-{task}-{safe_model}"
    path, n = base, 1
    while True:
        try:
            path.mkdir(parents=True, exist_ok=False)
            return path
        except FileExistsError:
            n += 1
            path = base.with_name(f"{base.name}-{n}")


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    os.replace(tmp, path)


def append_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a torn last line from a crash: everything before it is intact
    return rows


@dataclass
class RunRecord:
    """A loaded run: its config and its samples/phases as DataFrames."""

    path: Path
    config: dict[str, Any]
    samples: pd.DataFrame
    phases: pd.DataFrame

    @property
    def model(self) -> str:
        return self.config.get("model", "?")

    @property
    def offline(self) -> bool:
        return bool(self.config.get("offline"))

    @property
    def label(self) -> str:
        """How figures name the model: offline numbers are always marked as such."""
        return f"{self.model} (offline stand-in)" if self.offline else self.model

    def __repr__(self) -> str:
        return (f"RunRecord({self.config.get('task')!r}, model={self.label!r}, "
                f"samples={len(self.samples)}, path={str(self.path)!r})")


def load_run(path: str | Path) -> RunRecord:
    """Load a run folder written by the harness."""
    path = Path(path)
    config = json.loads((path / "config.json").read_text())
    samples = pd.DataFrame(read_jsonl(path / "samples.jsonl"))
    phases = pd.DataFrame(read_jsonl(path / "phases.jsonl"))
    return RunRecord(path, config, samples, phases)


def load_runs(root: str | Path, task: str | None = None) -> pd.DataFrame:
    """All samples of all runs under ``root`` (optionally one task), with run columns."""
    frames = []
    for config_path in sorted(Path(root).glob("*/config.json")):
        record = load_run(config_path.parent)
        if task and record.config.get("task") != task:
            continue
        frame = record.samples.copy()
        frame["run"] = config_path.parent.name
        frame["model_label"] = record.label
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def environment_summary() -> dict[str, Any]:
    return {"platform": platform.platform(), "python": sys.version.split()[0],
            "cpus": os.cpu_count()}
