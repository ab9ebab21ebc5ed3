"""The terminal chat, driven through a real pseudo-terminal (pexpect) with the real embedder."""
import os
import sys

import pytest

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_three_turns_with_a_follow_up_and_an_unanswerable_question(real_engine):
    env = {**os.environ, "QA_HOME": str(real_engine.settings.home), "TERM": "xterm", "COLUMNS": "200"}
    child = pexpect.spawn(sys.executable, ["-c", "from cli import app; app()", "chat"], cwd=ROOT, env=env,
                          encoding="utf-8", timeout=120, dimensions=(50, 200))
    try:
        child.expect("/quit")  # the help line
        child.sendline("How much did Quỳnh Nhai raise?")
        child.expect(r"2 tỷ 652 triệu đồng\s+\[1\] Sơn La: Tạo chuyển biến")
        child.sendline("And Mộc Châu?")
        child.expect("How much did Mộc Châu raise")  # the resolved follow-up is shown
        child.expect(r"2 tỷ 800 triệu đồng\s+\[\d\] Sơn La")
        child.sendline("Giá vàng hôm nay là bao nhiêu?")
        child.expect("Các bài báo không nói điều này")
        child.sendline("/sources")
        child.expect(r"\[1\] ")
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
