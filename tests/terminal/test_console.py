"""The terminal chat, driven through a real pseudo-terminal (pexpect) with the real embedder."""
import os
import re
import sys

import pytest

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|[\x08\r]")
PROMPT = "›"


def turn(child, message: str, until: str = r"answered in [\d,.]+ ms") -> str:
    """Type a message, wait for `until` (by default the timing line that ends an answer) and
    return what was printed up to it, as plain text."""
    child.sendline(message)
    child.expect(until)
    return " ".join(ANSI.sub("", child.before).split())


def test_three_turns_with_a_follow_up_and_an_unanswerable_question(real_engine):
    env = {**os.environ, "QA_HOME": str(real_engine.settings.home), "TERM": "xterm"}
    child = pexpect.spawn(sys.executable, ["-c", "from cli import app; app()", "chat"], cwd=ROOT, env=env,
                          encoding="utf-8", timeout=120, dimensions=(50, 200))
    try:
        child.expect(PROMPT)
        first = turn(child, "How much did Quỳnh Nhai raise?")
        assert re.search(r"2 tỷ 652 triệu đồng \[1\] Sơn La: Tạo chuyển biến", first), first
        second = turn(child, "And Mộc Châu?")
        assert "How much did Mộc Châu raise" in second  # the resolved follow-up is shown
        assert re.search(r"2 tỷ 800 triệu đồng \[\d\] Sơn La", second), second
        third = turn(child, "Giá vàng hôm nay là bao nhiêu?")
        assert "Các bài báo không nói điều này" in third and "2 tỷ" not in third.split("Những đoạn")[0]
        sources = turn(child, "/sources", until=r"\[3\] ")
        assert "[1] " in sources and "[2] " in sources
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
