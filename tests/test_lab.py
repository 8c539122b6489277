"""`workbench lab` starts JupyterLab on the notebooks: localhost only, offline, widgets ready."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request

import pytest

from workbench.lab import NOTEBOOKS, lab_command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_command_is_local_offline_and_rooted_at_the_notebooks():
    args = lab_command(9999)
    assert "--ServerApp.ip=127.0.0.1" in args
    assert "--LabApp.extension_manager=readonly" in args
    assert f"--ServerApp.root_dir={NOTEBOOKS}" in args


@pytest.mark.server
@pytest.mark.slow
def test_lab_serves_the_lab_page_notebooks_and_the_widgets_extension(tmp_path):
    port, token = _free_port(), "workbench-test-token"
    env_home = tmp_path / "home"
    env_home.mkdir()
    proc = subprocess.Popen(lab_command(port, token=token), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env={**__import__("os").environ, "HOME": str(env_home),
                                 "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start: " + (proc.stdout.read() if proc.stdout else ""))
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
            html = page.read().decode()
        assert page.status == 200 and "jupyter-config-data" in html
        config = json.loads(html.split('id="jupyter-config-data"')[1].split(">", 1)[1]
                            .split("</script>", 1)[0])
        federated = {e["name"] for e in config.get("federated_extensions", [])}
        assert "@jupyter-widgets/jupyterlab-manager" in federated, "ipywidgets must render"
        with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=10) as r:
            listing = json.loads(r.read())
        names = {item["name"] for item in listing["content"]}
        assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} <= names
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
