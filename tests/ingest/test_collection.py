"""`qa add` / `qa remove` / `qa articles`: files land under safe ids, duplicates and bad input
change nothing, removed articles leave the index. Fake embedder: no model is loaded."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from conftest import NEW_ARTICLE as BAC_YEN
from conftest import to_cp1258
from typer.testing import CliRunner

from qa.engine import Engine
from qa.errors import ArticleNotFound
from qa.ingest.articles import load_article, load_articles
from qa.lang.text import normalize
from qa.store import index as index_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
SON_LA = "son-la-tao-chuyen-bien-manh-me"

NEW_ARTICLE = BAC_YEN + "\nLò Thị Xuân\n"  # with a byline


def write(folder: Path, name: str, data: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def state(settings) -> dict:
    """Everything a refused write must leave alone: article files (name -> sha256) and CURRENT."""
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in settings.articles_dir.rglob("*") if p.is_file()}
    pointer = settings.index_dir / "CURRENT"
    return {"files": files, "current": pointer.read_text() if pointer.exists() else None,
            "builds": index_store.list_builds(settings.index_dir)}


@pytest.fixture
def engine(fake_settings):
    eng = Engine(fake_settings)
    eng.rebuild()
    return eng


def ids(engine) -> set[str]:
    return {a.id for a in engine.articles()}


# -- adding ------------------------------------------------------------------------------
def test_txt_md_and_html_are_added_under_ids_from_their_titles_and_indexed(engine, fake_settings, tmp_path):
    txt = write(tmp_path / "in", "whatever-name.txt", NEW_ARTICLE)
    added, refused, report = engine.add([txt, FIXTURES / "tin-mau-md.md", FIXTURES / "tin-mau-html.html"])
    assert refused == []
    assert [(a.id, a.path.name) for a in added] == [
        ("bac-yen-trong-moi-7-321-cay-mac-ca-tren-dat-doc", "bac-yen-trong-moi-7-321-cay-mac-ca-tren-dat-doc.txt"),
        ("quynh-nhai-quy-chi-thi-05-giup-ho-ngheo-lam-nha", "quynh-nhai-quy-chi-thi-05-giup-ho-ngheo-lam-nha.md"),
        ("moc-chau-nong-dan-thu-hoach-che-vu-xuan", "moc-chau-nong-dan-thu-hoach-che-vu-xuan.html"),
    ]
    for item in added:
        assert item.path.parent == fake_settings.articles_dir
        assert item.article == load_article(item.path)  # what the stored file reads back as
    assert report.articles == 8 and not report.unchanged
    assert ids(engine) >= {a.id for a in added}
    html = engine.article("moc-chau-nong-dan-thu-hoach-che-vu-xuan")
    assert html.title == normalize("Mộc Châu: Nông dân thu hoạch chè vụ xuân") and html.date.startswith("2023-04-12")
    assert "<" not in html.text and "Trang chủ" not in html.text
    top = engine.ask("Bắc Yên trồng mới bao nhiêu cây mắc ca?", k=3).passages[0]
    assert top.article.id == added[0].id and "7.321 cây mắc ca" in top.text


def test_the_same_article_twice_is_indexed_once(engine, fake_settings, tmp_path):
    first, refused, _ = engine.add([FIXTURES / "tin-mau-md.md"])
    assert len(first) == 1 and refused == []
    before = state(fake_settings)
    copy = write(tmp_path / "in", "ban-sao.md", (FIXTURES / "tin-mau-md.md").read_text("utf-8"))
    added, refused, report = engine.add([FIXTURES / "tin-mau-md.md", copy])
    assert added == [] and report is None
    assert len(refused) == 2
    for _path, message in refused:
        assert "already in the collection" in message and first[0].id in message
    assert state(fake_settings) == before
    assert sorted(a.id for a in engine.articles()).count(first[0].id) == 1


def test_one_file_given_twice_in_one_call_is_added_once(engine, tmp_path):
    txt = write(tmp_path / "in", "a.txt", NEW_ARTICLE)
    added, refused, report = engine.add([txt, txt])
    assert len(added) == 1 and len(refused) == 1 and "already in the collection" in refused[0][1]
    assert report.articles == 6


def test_a_seed_under_another_title_is_an_exact_duplicate(engine, fake_settings, tmp_path):
    lines = (fake_settings.articles_dir / f"{SON_LA}.txt").read_text("utf-8").splitlines()
    retitled = write(tmp_path / "in", "dang-lai.txt", "\n".join(["Bài đăng lại: học tập và làm theo Bác ở Sơn La"]
                                                                 + lines[1:]))
    before = state(fake_settings)
    added, refused, _ = engine.add([retitled], force=True)  # force does not let an identical text in
    assert added == [] and SON_LA in refused[0][1]
    assert state(fake_settings) == before


def test_a_near_duplicate_is_reported_and_skipped_unless_forced(engine, fake_settings, tmp_path):
    lines = (fake_settings.articles_dir / f"{SON_LA}.txt").read_text("utf-8").splitlines()
    syndicated = "\n".join(["Học tập và làm theo Bác: Sơn La tạo nhiều chuyển biến (bài đăng lại)", "",
                            "Bài viết được đăng lại từ Báo Sơn La điện tử với sự đồng ý của tòa soạn."] + lines[1:])
    path = write(tmp_path / "in", "dang-lai.txt", syndicated)
    before = state(fake_settings)
    added, refused, report = engine.add([path])
    assert added == [] and report is None
    message = refused[0][1]
    assert SON_LA in message and "syndicated copy" in message and "--force" in message
    assert state(fake_settings) == before
    added, refused, report = engine.add([path], force=True)
    assert len(added) == 1 and refused == [] and report.articles == 6
    assert added[0].id in ids(engine)


# -- bad input ---------------------------------------------------------------------------


def test_a_windows_1258_file_is_converted_to_the_same_article(engine, fake_settings, tmp_path):
    original = write(tmp_path / "utf8", "bac-yen.txt", NEW_ARTICLE)
    legacy = write(tmp_path / "in", "bac-yen-1258.txt", to_cp1258(NEW_ARTICLE))
    with pytest.raises(UnicodeDecodeError):
        legacy.read_bytes().decode("utf-8")
    added, refused, _ = engine.add([legacy])
    assert refused == [] and len(added) == 1
    stored = added[0].path.read_bytes().decode("utf-8")  # kept as UTF-8 from now on
    assert stored == NEW_ARTICLE
    assert added[0].article == load_article(added[0].path)
    expected = load_article(original)
    indexed = engine.article(added[0].id)
    assert (indexed.title, indexed.text, indexed.date, indexed.content_hash) == \
        (expected.title, expected.text, expected.date, expected.content_hash)


BAD_FILES = {
    "empty": ("rong.txt", b"", "empty"),
    "blank": ("trang.txt", b"  \n\n\t \n", "empty"),
    "binary": ("anh.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64, "binary"),
    "10 MB": ("lon.txt", ("Tiêu đề bài rất dài\n\n" + "Nội dung bài báo rất dài. " * 400_000).encode(),
              "5,000,000-byte limit"),
    "other encoding": ("nga.txt", ("Съешь же ещё этих мягких французских булок. " * 20).encode("koi8-r"),
                       "not UTF-8"),
    "unsupported type": ("bai.pdf", b"%PDF-1.4\n", "unsupported file type"),
    "title only": ("chi-tieu-de.txt", "Chỉ có tiêu đề\n".encode(), ""),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_files_get_a_clear_message_and_change_nothing(engine, fake_settings, tmp_path, kind):
    name, data, why = BAD_FILES[kind]
    path = write(tmp_path / "in", name, data)
    if kind == "10 MB":
        assert path.stat().st_size >= 10_000_000
    before = state(fake_settings)
    added, refused, report = engine.add([path])
    assert added == [] and report is None
    assert len(refused) == 1 and refused[0][0] == str(path)
    assert name in refused[0][1] and why in refused[0][1]
    assert state(fake_settings) == before
    assert not [p for p in fake_settings.articles_dir.iterdir() if p.name.startswith(".")], "no temp files left"


def test_missing_file_and_folder_are_refused(engine, fake_settings, tmp_path):
    before = state(fake_settings)
    _, refused, _ = engine.add([tmp_path / "khong-co.txt", tmp_path])
    assert "no such file" in refused[0][1] and "not a regular file" in refused[1][1]
    assert state(fake_settings) == before


def test_a_bad_file_does_not_stop_the_good_ones(engine, tmp_path):
    good = write(tmp_path / "in", "tot.txt", NEW_ARTICLE)
    empty = write(tmp_path / "in", "rong.txt", b"")
    added, refused, report = engine.add([empty, good])
    assert [a.path.name for a in added] == ["bac-yen-trong-moi-7-321-cay-mac-ca-tren-dat-doc.txt"]
    assert [p for p, _ in refused] == [str(empty)] and report.articles == 6


def test_an_id_taken_by_another_article_gets_a_suffix(engine, fake_settings, tmp_path):
    write(fake_settings.articles_dir, "bac-yen-trong-moi-7-321-cay-mac-ca-tren-dat-doc.txt",
          "Một bài khác\n\nBài này có cùng tên tệp nhưng nội dung hoàn toàn khác với bài về mắc ca ở Tây Bắc.\n")
    added, _, _ = engine.add([write(tmp_path / "in", "a.txt", NEW_ARTICLE)])
    assert added[0].id == "bac-yen-trong-moi-7-321-cay-mac-ca-tren-dat-doc-2"


# -- removing ----------------------------------------------------------------------------
def test_remove_moves_the_file_aside_and_the_article_leaves_the_index(engine, fake_settings):
    assert "kon-plong-chuyen-bien" in ids(engine)
    moved, report = engine.remove("kon-plong-chuyen-bien")
    assert moved.parent == fake_settings.articles_dir / ".removed" and moved.name.endswith("-kon-plong-chuyen-bien.txt")
    assert moved.read_bytes() == (SEEDS / "kon-plong-chuyen-bien.txt").read_bytes()
    assert not (fake_settings.articles_dir / "kon-plong-chuyen-bien.txt").exists()
    assert report.articles == 4 and "kon-plong-chuyen-bien" not in ids(engine)
    passages = engine.ask("Kon Plông học tập và làm theo Bác", k=10).passages
    assert all(p.article.id != "kon-plong-chuyen-bien" for p in passages)
    assert {a.id for a in load_articles(fake_settings.articles_dir).articles} == ids(engine)  # .removed is not read
    added, refused, _ = engine.add([moved])  # and it can come back
    assert refused == [] and len(added) == 1 and len(ids(engine)) == 5


@pytest.mark.parametrize("bad_id", ["../son-la-tao-chuyen-bien-manh-me", "../../etc/passwd", "..", "/etc/passwd",
                                    "seeds/../son-la-tao-chuyen-bien-manh-me", ".removed", "", "khong-co-bai-nay"])
def test_remove_of_a_bad_or_unknown_id_changes_nothing(engine, fake_settings, bad_id):
    outside = fake_settings.home / "son-la-tao-chuyen-bien-manh-me.txt"
    outside.write_text("Một tệp ngoài thư mục bài\n\nKhông được đụng tới.\n", encoding="utf-8")
    before = state(fake_settings)
    with pytest.raises(ArticleNotFound) as err:
        engine.remove(bad_id)
    assert "qa articles" in str(err.value)
    assert state(fake_settings) == before and outside.exists()
    assert not (fake_settings.articles_dir / ".removed").exists()


# -- the CLI -----------------------------------------------------------------------------
@pytest.fixture
def cli(fake_settings, monkeypatch):
    from cli import app

    monkeypatch.setenv("QA_HOME", str(fake_settings.home))
    monkeypatch.setenv("QA_EMBEDDER", "fake")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def test_cli_add_remove_articles(cli, fake_settings, tmp_path):
    listed = cli("articles")
    assert listed.exit_code == 0, listed.output
    assert SON_LA in listed.stdout
    added = cli("add", write(tmp_path / "in", "a.txt", NEW_ARTICLE), FIXTURES / "tin-mau-md.md")
    assert added.exit_code == 0, added.output
    assert "Added bac-yen-trong-moi-7-321-cay-mac-ca-tren-dat-doc" in added.stdout
    assert "Added quynh-nhai-quy-chi-thi-05-giup-ho-ngheo-lam-nha" in added.stdout
    assert "7 articles" in added.stdout
    again = cli("add", FIXTURES / "tin-mau-md.md")
    assert again.exit_code == 1
    said = " ".join(again.stderr.split())
    assert re.search(r"Not added \S*tin-mau-md\.md: already in the collection as 'quynh-nhai-[\w-]+' \(the same "
                     r"text\)\.$", said), said
    assert said.count("tin-mau-md.md") == 1 and "not added" not in said  # each thing said once
    removed = cli("remove", "quynh-nhai-quy-chi-thi-05-giup-ho-ngheo-lam-nha")
    assert removed.exit_code == 0, removed.output
    assert "Removed quynh-nhai-quy-chi-thi-05-giup-ho-ngheo-lam-nha" in removed.stdout and "6 articles" in removed.stdout
    listed = cli("articles")
    assert "quynh-nhai" not in listed.stdout and "bac-yen-trong-moi" in listed.stdout


def test_cli_refuses_bad_input_with_a_message_and_non_zero_exit(cli, fake_settings, tmp_path):
    before = state(fake_settings)
    empty = cli("add", write(tmp_path / "in", "rong.txt", b""))
    assert empty.exit_code == 1 and "rong.txt" in empty.stderr and "empty" in empty.stderr
    escape = cli("remove", "../seeds/son-la-tao-chuyen-bien-manh-me")
    assert escape.exit_code == 2 and "is not an article id" in escape.stderr
    unknown = cli("remove", "khong-co-bai-nay")
    assert unknown.exit_code == 2 and "No article with id 'khong-co-bai-nay'" in unknown.stderr
    assert "Traceback" not in empty.output + escape.output + unknown.output
    assert state(fake_settings) == before

