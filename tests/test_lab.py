"""`workbench lab` starts JupyterLab on the notebooks: localhost only, offline, widgets ready."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.request

import pytest

from workbench.lab import NOTEBOOKS, lab_command


@contextlib.contextmanager
def _running_lab(tmp_path, root=NOTEBOOKS):
    """Start `workbench lab`'s command on a free port; yield (base URL, token)."""
    port, token = _free_port(), "workbench-test-token"
    env = {**os.environ, "HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    proc = subprocess.Popen(lab_command(port, token=token, root=root), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_command_is_local_offline_and_rooted_at_the_notebooks():
    args = lab_command(9999)
    assert "--ServerApp.ip=127.0.0.1" in args
    assert "--LabApp.extension_manager=readonly" in args
    assert f"--ServerApp.root_dir={NOTEBOOKS}" in args


def _executed_widget_notebook(folder):
    """Execute a tiny notebook with an ipywidget (as `workbench lab` users would) and save it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import ipywidgets as w\nw.IntSlider(value=7)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    path = folder / "widget-check.ipynb"
    nbformat.write(nb, path)
    return path.name


@pytest.mark.server
@pytest.mark.slow
def test_lab_serves_an_executed_notebooks_widget_output(tmp_path):
    root = tmp_path / "nbs"
    root.mkdir()
    name = _executed_widget_notebook(root)
    with _running_lab(tmp_path, root) as (base, token):
        with urllib.request.urlopen(f"{base}/api/contents/{name}?token={token}",
                                    timeout=10) as r:
            model = json.loads(r.read())["content"]
        outputs = model["cells"][0]["outputs"]
        view = next(o["data"]["application/vnd.jupyter.widget-view+json"] for o in outputs
                    if "application/vnd.jupyter.widget-view+json" in o.get("data", {}))
        state = model["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
        assert view["model_id"] in state["state"], "the widget's state is saved with its view"
        assert state["state"][view["model_id"]]["state"]["value"] == 7
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
            html = page.read().decode()
        assert "@jupyter-widgets/jupyterlab-manager" in html, "the renderer is federated"


@pytest.mark.server
@pytest.mark.slow
def test_lab_serves_the_lab_page_notebooks_and_the_widgets_extension(tmp_path):
    with _running_lab(tmp_path) as (base, token):
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
