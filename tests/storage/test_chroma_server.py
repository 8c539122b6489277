"""ChromaDB server mode: a real ``chroma run`` on loopback, and a machine using it by URL."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from workbench import Agent
from workbench.errors import EmbedderMismatchError
from workbench.learn import EntityMemoryConfig, LearningMachine, LearningMode, UserMemoryConfig
from workbench.models import ScriptedModel, call

pytestmark = pytest.mark.server

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path):
    if not CHROMA.exists():
        pytest.skip(f"no chroma executable next to {sys.executable}")
    port = free_port()
    log = (tmp_path / "chroma.log").open("w")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"chroma run exited early: {(tmp_path / 'chroma.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chroma run did not answer within 30 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_machine_round_trip_through_a_chroma_server(chroma_url, tmp_path):
    def machine(embedder="hashing"):
        return LearningMachine(user_memory=UserMemoryConfig(mode=LearningMode.AGENTIC),
                               entity_memory=EntityMemoryConfig(), learned_knowledge=True,
                               embedder=embedder, chroma_url=chroma_url,
                               data_dir=tmp_path / "unused")

    writer = machine()
    model = ScriptedModel([[
        call("remember_user_fact", content="Prefers answers in metric units."),
        call("add_fact", entity="Acme", entity_type="company", attribute="hq",
             value="Lisbon"),
        call("add_relationship", source="Sarah Chen", source_type="person",
             relation="works_at", target="Acme"),
        call("save_learning", title="units", learning="Answer in metric units.")], "Saved."])
    result = Agent("a", model=model, learning=writer).run("remember all that", user_id="u1")
    assert [c.error for c in result.tool_calls] == [None] * 4

    reader = machine()
    turn = reader.recall("Which metric units should I use for Acme in Lisbon?", user_id="u1")
    assert {i.store for i in turn.recalled} == {"user_memory", "entity_memory",
                                                "learned_knowledge"}
    store = reader.entity_memory_store
    acme = store.find("global", "acme")
    assert [f["value"] for f in store.graph.facts(acme)] == ["Lisbon"]
    assert [e["relation"] for e in store.graph.edges(acme)] == ["works_at"]
    assert reader.snapshot() == writer.snapshot()
    assert not (tmp_path / "unused").exists(), "server mode writes no local files"

    with pytest.raises(EmbedderMismatchError):
        machine(embedder="hashing-64").recall("units", user_id="u1")
