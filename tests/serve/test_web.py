"""The chat page in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Runs a real uvicorn server with the real embedder, asks the example question, checks the
figure is highlighted inside the cited sentence and the citation names the article, asks
a follow-up, and saves screenshots (desktop and phone width) under the test's tmp dir.
No browser is downloaded: Playwright only drives the system Chromium.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from live_server import live_server

from qa.serve.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUESTION = "How much did Quỳnh Nhai raise?"
SON_LA = "son-la-tao-chuyen-bien-manh-me"

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")]


@pytest.fixture(scope="module")
def server(real_engine):  # conftest: the real embedder, index built once per session
    with live_server(create_app(real_engine.settings, engine=real_engine)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_at(browser, server):
    """Open the page in a fresh context; records console errors and every URL requested."""
    opened = []

    def open_page(width: int = 1100, height: int = 900, locale: str = "en-US"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        page = context.new_page()
        page.problems, page.requested = [], []
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
        page.on("pageerror", lambda exc: page.problems.append(str(exc)))
        page.on("request", lambda request: page.requested.append(request.url))
        page.goto(server)
        opened.append(context)
        return page

    yield open_page
    for context in opened:
        context.close()


def ask(page, message: str, turn: int):
    page.fill("#q", message)
    page.press("#q", "Enter")
    bot = page.locator(".turn").nth(turn - 1).locator(".bot")
    bot.and_(page.locator(":not(.pending)")).wait_for(timeout=60_000)
    return bot


def test_example_question_follow_up_and_screenshot(page_at, server, tmp_path):
    from playwright.sync_api import expect

    title = httpx.get(f"{server}/articles/{SON_LA}").json()["title"]
    page = page_at()
    bot = ask(page, QUESTION, turn=1)
    # The figure, highlighted inside the sentence it was taken from.
    expect(bot.locator(".answer .sentence mark").first).to_have_text("2 tỷ 652 triệu đồng")
    expect(bot.locator(".figure")).to_contain_text("2 tỷ 652 triệu đồng")
    # Its citation names the Sơn La article; opening it shows the passage, title and date.
    rank = bot.locator(".answer .figure .cite").get_attribute("data-rank")
    passage = bot.locator(f"details.passage#p-1-{rank}")
    expect(passage.locator("summary")).to_contain_text(title)
    bot.locator(".answer .figure .cite").click()
    expect(passage).to_have_attribute("open", "")
    expect(passage.locator(".passage-text")).to_contain_text("2 tỷ 652 triệu đồng")
    expect(passage.locator(".passage-text .cited mark")).to_have_text("2 tỷ 652 triệu đồng")
    page.screenshot(path=str(tmp_path / "answer.png"))

    follow = ask(page, "And Mộc Châu?", turn=2)
    expect(follow.locator(".resolved")).to_contain_text("Mộc Châu")
    expect(follow.locator(".figure, .not-found")).to_have_count(1)
    expect(follow.locator(".passage").first).to_be_visible()
    assert page.locator(".turn").count() == 2
    page.wait_for_timeout(500)  # let the smooth scroll to the new answer finish
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)

    assert page.problems == []
    assert all(url.startswith(server) or url.startswith("data:") for url in page.requested), page.requested


def test_phone_width_vietnamese(page_at, tmp_path):
    from playwright.sync_api import expect

    page = page_at(375, 812, locale="vi-VN")
    expect(page.locator("#send")).to_have_text("Gửi")  # the UI follows the browser's language
    bot = ask(page, "Quỳnh Nhai quyên góp được bao nhiêu tiền?", turn=1)
    expect(bot.locator(".figure, .not-found")).to_have_count(1)
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    page.click("#lang")
    expect(page.locator("#send")).to_have_text("Send")
    assert page.problems == []


def test_not_in_the_articles_state(page_at, tmp_path):
    """The page's rendering of `answer: null` (the reply is stubbed, so any engine gives this state)."""
    from playwright.sync_api import expect

    page = page_at(locale="vi-VN")
    passage = {"rank": 1, "score": 0.2, "text": "Một đoạn gần nhất.", "sentence": "Một đoạn gần nhất.",
               "article": {"id": SON_LA, "title": "Sơn La: bài báo", "date": "2022-05-18", "source": None},
               "start": 0, "end": 18}
    reply = {"session_id": "s1", "message": "Giá vàng hôm nay?", "question": "Giá vàng hôm nay?",
             "reply": "Các bài báo không nói điều này.", "language": "vi",
             "result": {"question": "Giá vàng hôm nay?", "answer": None, "also": [], "passages": [passage],
                        "took_ms": 1.0}}
    page.route("**/chat", lambda route: route.fulfill(status=200, content_type="application/json",
                                                       body=json.dumps(reply)))
    bot = ask(page, "Giá vàng hôm nay?", turn=1)
    expect(bot.locator(".not-found")).to_have_text("Các bài báo không nói điều này.")
    expect(bot.locator(".sources.closest .sources-title")).to_contain_text("gần nhất")
    expect(bot.locator(".passage summary")).to_contain_text("Sơn La: bài báo")
    expect(bot.locator("mark")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "not-found.png"), full_page=True)


def test_answers_from_several_articles_each_cite_their_own(page_at):
    from playwright.sync_api import expect

    def passage(rank, article_id, title, sentence):
        return {"rank": rank, "score": 0.5, "text": f"Trước. {sentence} Sau.", "sentence": sentence,
                "article": {"id": article_id, "title": title, "date": "2023-01-02", "source": None},
                "start": 0, "end": 10}

    def answer(text, sentence, rank):
        return {"text": text, "sentence": sentence, "passage": rank, "confidence": 0.7, "kind": "place",
                "value": None, "unit": None}

    first, second = "Huyện Sìn Hồ làm mô hình Thứ bảy cùng dân.", "Thanh Liêm cũng làm mô hình này."
    reply = {"session_id": "s2", "message": "Ai làm mô hình?", "question": "Ai làm mô hình?", "reply": "Sìn Hồ",
             "language": "vi", "result": {
                 "question": "Ai làm mô hình?", "answer": answer("Sìn Hồ", first, 1),
                 "also": [answer("Thanh Liêm", second, 2)],
                 "passages": [passage(1, "sin-ho", "Bài Sìn Hồ", first), passage(2, "thanh-liem", "Bài Thanh Liêm", second)],
                 "took_ms": 1.0}}
    page = page_at()
    page.route("**/chat", lambda route: route.fulfill(status=200, content_type="application/json",
                                                       body=json.dumps(reply)))
    bot = ask(page, "Ai làm mô hình?", turn=1)
    expect(bot.locator(".sentence mark")).to_have_text(["Sìn Hồ", "Thanh Liêm"])
    bot.locator(".also-item .cite").click()
    expect(bot.locator("#p-1-2")).to_have_attribute("open", "")
    expect(bot.locator("#p-1-2 summary")).to_contain_text("Bài Thanh Liêm")
    expect(bot.locator("#p-1-2 .cited mark")).to_have_text("Thanh Liêm")


def test_an_error_reply_is_shown_not_swallowed(page_at):
    from playwright.sync_api import expect

    page = page_at()
    page.route("**/chat", lambda route: route.fulfill(status=422, content_type="application/json",
                                                       body=json.dumps({"detail": "message: is blank"})))
    bot = ask(page, "anything", turn=1)
    expect(bot).to_have_class("bubble bot error")
    expect(bot).to_contain_text("message: is blank")


def test_api_docs_render_with_the_network_blocked(browser, server, tmp_path):
    """/docs (Swagger UI) loads everything from this server: with every request to another
    host aborted, the operations are still listed and open."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    blocked, problems = [], []

    def only_loopback(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith("data:") or host == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{server}/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("qa")
        ask_op = page.locator(".opblock-post .opblock-summary-path", has_text="/ask").first
        expect(ask_op).to_be_visible(timeout=30_000)
        assert page.locator(".opblock").count() >= 8  # every route is listed
        ask_op.click()  # an operation opens, with its request body schema
        expect(page.locator(".opblock-post.is-open .opblock-body")).to_contain_text("question")
        page.screenshot(path=str(tmp_path / "docs.png"), full_page=True)

    finally:
        context.close()
    assert blocked == [] and problems == []
