"""``workbench lab``: JupyterLab on the notebooks, bound to localhost, working offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def lab_command(port: int = 8888, *, open_browser: bool = False,
                root: Path = NOTEBOOKS, token: str | None = None) -> list[str]:
    """The JupyterLab command line the workbench uses (exposed for tests)."""
    args = [sys.executable, "-m", "jupyterlab",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}",
            # Without internet the extension manager's PyPI lookups error; read-only is quiet.
            "--LabApp.extension_manager=readonly",
            "--LabApp.news_url=",
            "--ServerApp.open_browser=" + ("True" if open_browser else "False")]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--ServerApp.allow_root=True")  # containers often run as root
    if token is not None:
        args.append(f"--IdentityProvider.token={token}")
    return args


def start_lab(port: int = 8888, open_browser: bool = False) -> int:
    """Run JupyterLab in the foreground with this environment's kernel (Ctrl-C stops it)."""
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    print(f"JupyterLab on http://127.0.0.1:{port}/lab (notebooks in {NOTEBOOKS}); "
          "the URL with the access token follows.")
    return subprocess.call(lab_command(port, open_browser=open_browser), env=env)
