"""One rule for what an article may be: whatever the builder would skip is refused at the door
(HTTP, `qa add`) with the builder's own reason, and a file whose parser fails costs only
that file. Fake embedder."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from live_server import home_with_seeds, live_server

from qa.engine import Engine
from qa.errors import BadArticle
from qa.ingest import articles
from qa.ingest.articles import load_articles
from qa.serve.app import create_app
from qa.settings import Settings

TOKEN = "test-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = "Huyện Mường Tè đã trồng 12.345 cây xanh trong năm 2022, theo báo cáo của huyện ủy."
BAD = {  # text the builder skips, and a word of the reason it gives
    "nul": (f"Tiêu đề\n\n{BODY}\x00 và thêm", "binary"),
    "controls": ("Tiêu đề\n\n" + "".join(f"{w}\x01\x02" for w in BODY.split()), "binary"),
    "too big": ("Tiêu đề\n\n" + BODY * 40, "limit"),
}


def reason(message: str) -> str:
    return message.split(": ", 1)[1]  # the file's name (or "the article") first


@pytest.mark.parametrize("kind", sorted(BAD))
def test_the_door_refuses_what_the_builder_skips_with_the_same_reason(fake_settings, kind):
    settings = fake_settings.model_copy(update={"max_article_bytes": 2000})
    text, word = BAD[kind]
    skipped_as = settings.home / "probe" / "probe.txt"
    skipped_as.parent.mkdir()
    skipped_as.write_text(text + "\n", encoding="utf-8")
    _, problems = load_articles(skipped_as.parent, settings.max_article_bytes)
    assert len(problems) == 1 and word in problems[0][1]
    before = sorted(p.name for p in settings.articles_dir.iterdir())
    with pytest.raises(BadArticle) as refused:
        Engine(settings).accept_text(text)
    assert reason(str(refused.value)) == reason(problems[0][1])
    added, refused_files, _ = Engine(settings).add([skipped_as])  # `qa add`: the same words
    assert added == [] and reason(refused_files[0][1]) == reason(problems[0][1])
    assert sorted(p.name for p in settings.articles_dir.iterdir()) == before  # nothing written


def test_a_parser_that_raises_skips_its_file_and_the_build_goes_on(fake_settings, monkeypatch):
    (fake_settings.articles_dir / "trang.html").write_text("<html><body><p>Bài báo.</p></body></html>", "utf-8")

    def broken(raw):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setitem(articles._PARSERS, ".html", broken)
    engine = Engine(fake_settings)
    report = engine.rebuild()
    assert report.articles == 5
    assert [(Path(p).name, "RecursionError" in why) for p, why in report.problems] == [("trang.html", True)]
    with pytest.raises(BadArticle, match="could not be parsed"):
        articles.parse_article("<p>x</p>", ".html", "x.html")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    home = home_with_seeds(tmp_path_factory.mktemp("validation"))
    with live_server(create_app(Settings(home=home, embedder="fake", api_token=TOKEN))) as url, \
            httpx.Client(base_url=url, timeout=60) as c:
        yield c, home


@pytest.mark.parametrize("kind", ["nul", "controls"])
def test_http_refuses_binary_text_with_a_422_and_writes_nothing(client, kind):
    c, home = client
    before = sorted(p.name for p in (home / "seeds").iterdir())
    response = c.post("/articles", json={"text": BAD[kind][0]}, headers=AUTH)
    assert response.status_code == 422 and "binary" in response.json()["detail"], response.text
    assert sorted(p.name for p in (home / "seeds").iterdir()) == before
    assert len(c.get("/articles").json()) == 5


def test_http_rebuild_reports_the_files_it_skipped(client):
    c, home = client
    (home / "seeds" / "rong.txt").write_text("   \n", encoding="utf-8")
    try:
        job = c.post("/index/rebuild", headers=AUTH).json()
        import time

        for _ in range(600):
            job = c.get(f"/jobs/{job['id']}", headers=AUTH).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
        assert job["status"] == "done", job
        assert [p["file"].endswith("rong.txt") and "empty" in p["reason"] for p in job["result"]["problems"]] == [True]
    finally:
        (home / "seeds" / "rong.txt").unlink()
