"""Issue 14's smaller failures, each reproduced: bounded metrics and chat sessions, no
traceback on bytes that are not UTF-8 or on a bad eval file, strict request fields, the
Host check, security headers, NFC-counted question length, CURRENT orphans, removals in
one second. Fake embedder; one real server on a loopback port."""
from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import httpx
import pytest
from live_server import home_with_seeds, live_server

from qa.engine import Engine
from qa.ingest import collection
from qa.serve.app import create_app
from qa.serve.sessions import ChatSessions
from qa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = home_with_seeds(tmp_path_factory.mktemp("hardening"))
    with live_server(create_app(Settings(home=home, embedder="fake", api_token="t0ken-for-tests"))) as url, \
            httpx.Client(base_url=url, timeout=60) as c:
        yield c


def test_metrics_keep_a_fixed_set_of_method_labels(server):
    for n in range(300):
        server.request(f"JUNK{n}", "/health")
    text = server.get("/metrics").text
    methods = set(re.findall(r'method="([^"]*)"', text))
    assert "other" in methods and methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
    assert len(text) < 20_000


def test_chat_sessions_are_bounded_in_bytes(fake_settings):
    result = Engine(fake_settings).ask("Quỳnh Nhai huy động được bao nhiêu?", k=10)
    sessions = ChatSessions(max_sessions=1000, max_bytes=50_000)
    for n in range(200):
        session_id, conversation = sessions.open()
        for _ in range(5):
            conversation.add("Quỳnh Nhai?", "Quỳnh Nhai huy động được bao nhiêu?", result)
        sessions.account(session_id)
        assert sessions.held_bytes() <= 50_000 or len(sessions) == 1
    assert 1 <= len(sessions) < 200
    assert sessions.get(session_id) is not None  # the newest one is kept


def run_cli(home: Path, *args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "QA_HOME": str(home), "QA_EMBEDDER": "fake", "LC_ALL": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, timeout=120)


def test_ask_given_bytes_that_are_not_utf8_says_so(home):
    done = run_cli(home, "ask", os.fsdecode(b"Qu\xff\xfenh Nhai?"))
    assert done.returncode == 2 and b"not UTF-8" in done.stderr and b"Traceback" not in done.stderr


def test_chat_survives_a_line_that_is_not_utf8(home):
    done = run_cli(home, "chat", stdin=b"Qu\xffnh Nhai?\nQuynh Nhai huy dong duoc bao nhieu?\n")
    out = " ".join(done.stdout.decode().split())
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert "not UTF-8" in out and "2 tỷ 652 triệu đồng" in out  # and the next question was answered


@pytest.mark.parametrize("content, words", [(b"", b"no evaluation cases"), (b"\x00\xff\xfe\x00binary", b"not UTF-8"),
                                            (b"5\n", b"not an evaluation case")])
def test_eval_of_an_empty_or_binary_file_says_so(home, tmp_path, content, words):
    path = tmp_path / "cases.jsonl"
    path.write_bytes(content)
    done = run_cli(home, "eval", str(path))
    assert done.returncode == 2 and words in done.stderr and b"Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("k", [True, "5", 2.5])
def test_k_must_be_a_whole_number(server, k):
    response = server.post("/ask", json={"question": "Quỳnh Nhai huy động bao nhiêu?", "k": k})
    assert response.status_code == 422 and "k" in response.json()["detail"]


def test_a_body_that_is_not_utf8_gets_a_documented_400(server):
    response = server.post("/ask", content=b'{"question": "Qu\xff"}', headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["detail"]
    assert "400" in server.get("/openapi.json").json()["paths"]["/ask"]["post"]["responses"]


def test_other_host_names_are_refused(server):
    port = server.base_url.port
    assert server.get("/health", headers={"Host": "rebound.example"}).status_code == 400
    assert server.get("/health", headers={"Host": f"evil.example:{port}"}).status_code == 400
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
        assert server.get("/health", headers={"Host": host}).status_code == 200, host


def test_docs_and_page_send_security_headers(server):
    docs = server.get("/docs")
    policy = docs.headers["content-security-policy"]
    for script in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", docs.text, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy  # the inline Swagger set-up may run, nothing else inline
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    for response in (docs, server.get("/"), server.get("/openapi.json")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    assert server.get("/").headers["content-security-policy"].startswith("default-src 'self'")


def test_a_990_character_question_typed_decomposed_is_accepted(server):
    base = "Huyện Quỳnh Nhai đã huy động được bao nhiêu tiền để xây nhà cho hộ nghèo "
    question = (base * 20)[:989].rstrip() + "?"
    question = question + "a" * (990 - len(question))
    decomposed = unicodedata.normalize("NFD", question)
    assert len(question) == 990 and len(decomposed) > 1000
    assert server.post("/ask", json={"question": decomposed}).status_code == 200
    too_long = server.post("/ask", json={"question": question + "b" * 11})
    assert too_long.status_code == 422 and "NFC" in too_long.json()["detail"]


def test_current_orphans_are_cleaned_by_the_next_build(fake_settings):
    engine = Engine(fake_settings)
    engine.rebuild()
    orphan = fake_settings.index_dir / ".CURRENT.0123456789abcdef"
    orphan.write_text("000001-x\n")  # a writer killed between writing it and renaming it
    engine.rebuild(force=True)
    assert not orphan.exists()


def test_two_removals_of_one_id_in_one_second_keep_both_copies(fake_settings, monkeypatch):
    monkeypatch.setattr(time, "strftime", lambda fmt, *a: "20260101T000000")
    folder = fake_settings.articles_dir
    path = folder / "kon-plong-chuyen-bien.txt"
    first_text = path.read_text("utf-8")
    first = collection.remove(folder, "kon-plong-chuyen-bien")
    path.write_text("Kon Plông\n\nMột bài khác cùng tên.\n", encoding="utf-8")
    second = collection.remove(folder, "kon-plong-chuyen-bien")
    assert first != second and first.read_text("utf-8") == first_text
    assert "bài khác" in second.read_text("utf-8")
