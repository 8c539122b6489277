"""`workbench demo` writes one self-contained HTML report and prints a summary."""

from __future__ import annotations

import re

import pytest

from workbench.eval import registry


@pytest.fixture
def toy_only(monkeypatch):
    monkeypatch.setitem(registry.TASKS, "toy", "tests.eval.toy_task:ToyTask")


def test_demo_writes_a_self_contained_report_naming_the_model(toy_only, tmp_path, capsys):
    from workbench.cli import main

    assert main(["demo", "--agents", "toy", "--repeats", "2", "--runs-dir", str(tmp_path),
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "lookups" in out and "report:" in out
    report = next(tmp_path.glob("demo-*/report.html"))
    html = report.read_text()
    assert "offline stand-in model" in html, "offline numbers are labelled as such"
    assert "chromadb" in html, "package versions are named"
    images = re.findall(r"src='data:image/png;base64,", html)
    assert len(images) >= 2, "plots are embedded, not linked"
    assert "<script" not in html and "http" not in html.split("<body>")[1].replace(
        "http://www.w3.org", ""), "no external assets"
