"""Tests for qa.chat.entities and qa.chat.followup: mentions by kind, and follow-ups rewritten on them."""
from __future__ import annotations

import pytest

from qa.chat import followup
from qa.chat.conversation import Conversation
from qa.chat.entities import kind_of, mentions
from qa.records import Answer, ArticleRef, AskResult, Passage

GAZETTEER = frozenset(["Quỳnh Nhai", "Mộc Châu", "Sìn Hồ", "Kon Plông", "Thanh Liêm", "Sơn La", "Mai Sơn"])


def kinds(text: str, gazetteer=GAZETTEER) -> list[tuple[str, str]]:
    return [(m.kind, m.name) for m in mentions(text, gazetteer)]


@pytest.mark.parametrize("text, expected", [
    ("Ai là Phó Bí thư Thường trực Huyện ủy Kon Plông?", [("place", "Kon Plông")]),
    ("Đoàn Thanh niên huyện Thanh Liêm làm gì năm 2021?",
     [("org", "Đoàn Thanh niên"), ("place", "Thanh Liêm"), ("time", "2021")]),
    ("Ông Nguyễn Văn An nói gì?", [("person", "Nguyễn Văn An")]),
    ("quynh nhai huy dong duoc bao nhieu", [("place", "Quỳnh Nhai")]),
    ("Mai Sơn có bao nhiêu mô hình?", [("place", "Mai Sơn")]),  # a surname, but a known place
    ("Dân số của Fresno là bao nhiêu?", [("name", "Fresno")]),  # unknown kind, mid-sentence
    ("Ban Thường vụ họp mấy lần?", []),  # a board, not a village ("bản")
    # A form of address mid-sentence marks a person, with diacritics as without.
    ("Hôm qua ông Jane Smith nói gì?", [("person", "Jane Smith")]),
    ("hom qua ong Jane Smith noi gi?", [("person", "Jane Smith")]),
    ("Sáng nay bà María López đến đâu?", [("person", "María López")]),
])
def test_mentions_have_kinds(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text, expected", [
    # Invented sentences. A family name is matched with its marks: "Quảng", "Quang" and "Tà"
    # only fold to the surnames "Quàng" and "Tạ".
    ("Chiều dài của hang Tà Lồng ở Quảng Bình là bao nhiêu?", [("name", "Tà Lồng"), ("name", "Quảng Bình")]),
    ("Khu công nghiệp Quang Minh có bao nhiêu lao động?", [("name", "Quang Minh")]),
    ("Ông Tạ Văn Long nói gì?", [("person", "Tạ Văn Long")]),
    # The capitalised first syllable of a common word in a body's name is no name: "Đa khoa",
    # "Quản lý", "Giao thông", "Quốc lộ" (pyvi's lexicon).
    ("Bệnh viện Đa khoa tỉnh Quảng Trị có bao nhiêu giường?", [("place", "Quảng Trị")]),
    ("Ban Quản lý dự án nói gì?", []),
    ("Bộ Giao thông vận tải họp khi nào?", []),
    ("Dự án BOT Quốc lộ 1 thu phí bao nhiêu?", [("name", "BOT")]),
    # After a name the syllable stays: "Long An toàn bộ" is Long An.
    ("Năm nay tỉnh Long An toàn bộ đã xong.", [("place", "Long An")]),
    # A company's or a school's name is its own, not a place; a person glued after it is read apart.
    ("Công ty Minh Phát Land nộp bao nhiêu thuế?", [("org", "Minh Phát Land")]),
    ("Giám đốc Minh Phát Land Lê Văn Tùng nói gì?", [("name", "Minh Phát Land"), ("person", "Lê Văn Tùng")]),
    # English: a possessive is no part of a name; a place head may come after the name.
    ("How many applications has Binh Son's portal received?", [("name", "Binh Son")]),
    ("Who presided over the trial in Ho Chi Minh City?", [("place", "Ho Chi Minh")]),
    ("Who is the mayor of Thanh Liem District?", [("place", "Thanh Liem")]),
    ("How many birds were released into the Cuc Phuong forest?", [("name", "Cuc Phuong")]),  # "Phuong" is no "phường"
])
def test_mentions_read_news_names(text, expected):
    assert kinds(text, frozenset()) == expected


def test_a_known_place_is_matched_as_written():
    # "La Gi" is a town; "là gì" asks "what is it". Typed bare, "la gi" may be either.
    assert kinds("Số lô của thuốc là gì?", frozenset({"La Gi"})) == []
    assert kinds("Cảng cá La Gi đón bao nhiêu tàu?", frozenset({"La Gi"})) == [("place", "La Gi")]
    assert kinds("cang ca la gi don bao nhieu tau", frozenset({"La Gi"})) == [("place", "La Gi")]


def test_kind_of_a_bare_follow_up_subject():
    assert kind_of("2022") == "time"
    assert kind_of("Quỳnh Nhai", GAZETTEER) == "place"
    assert kind_of("Tân Uyên", head="huyện") == "place"
    assert kind_of("Hội Phụ nữ") == "org"
    assert kind_of("Nguyễn Thị Hoa") == "person"
    assert kind_of("Jacksonville") == "name"


def answered(question: str, answer: str | None = "12 tỷ đồng") -> AskResult:
    passage = Passage(rank=1, score=0.9, text="…", sentence="…", article=ArticleRef(id="a", title="Tin"),
                      start=0, end=1, sentence_start=0, sentence_end=1)
    found = Answer(text=answer, sentence=answer, passage=1, confidence=0.8) if answer else None
    return AskResult(question=question, answer=found, passages=(passage,), took_ms=1.0)


def conversation(*questions: str, answer: str | None = "12 tỷ đồng") -> Conversation:
    c = Conversation(gazetteer=GAZETTEER)
    for q in questions:
        c.add(q, q, answered(q, answer))
    return c


@pytest.mark.parametrize("previous, message, expected", [
    ("Ai là Phó Bí thư Thường trực Huyện ủy Kon Plông?", "and in Thanh Liêm?",
     "Ai là Phó Bí thư Thường trực Huyện ủy Thanh Liêm?"),
    ("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?", "Còn Quỳnh Nhai thì sao?",
     "Quỳnh Nhai làm được bao nhiêu nhà đại đoàn kết?"),
    ("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?", "con quynh nhai?",
     "Quỳnh Nhai làm được bao nhiêu nhà đại đoàn kết?"),
    ("How many households demolished fences in Thanh Liêm?", "and in Sìn Hồ?",
     "How many households demolished fences in Sìn Hồ?"),
    ("Năm 2021 Quỹ Chỉ thị 05 của Quỳnh Nhai trích bao nhiêu tiền?", "Còn năm 2022 thì sao?",
     "Năm 2022 Quỹ Chỉ thị 05 của Quỳnh Nhai trích bao nhiêu tiền?"),  # the year goes, the place stays
    ("Dân số của Fresno là bao nhiêu?", "Còn Jacksonville thì sao?", "Dân số của Jacksonville là bao nhiêu?"),
    ("Đoàn Thanh niên Thanh Liêm làm gì?", "Còn Hội Phụ nữ thì sao?", "Hội Phụ nữ Thanh Liêm làm gì?"),
    ("Ông Nguyễn Văn An giữ chức gì?", "Còn Trần Thị Bình thì sao?", "Ông Trần Thị Bình giữ chức gì?"),
])
def test_a_follow_up_replaces_the_entity_of_its_kind_and_keeps_the_rest(previous, message, expected):
    assert conversation(previous).resolve(message) == expected


@pytest.mark.parametrize("message, expected", [
    ("how many houses did they build?", "how many houses did Mộc Châu build?"),
    ("What is their population?", "What is Mộc Châu's population?"),
    ("Họ huy động được bao nhiêu tiền?", "Mộc Châu huy động được bao nhiêu tiền?"),
    ("Huyện này huy động được bao nhiêu tiền?", "Huyện Mộc Châu huy động được bao nhiêu tiền?"),
    ("Ở đó có bao nhiêu đảng viên?", "Ở Mộc Châu có bao nhiêu đảng viên?"),
])
def test_pronouns_and_deictics_take_the_last_entity(message, expected):
    assert conversation("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?").resolve(message) == expected


@pytest.mark.parametrize("junk", ["clear", "reset", "thanks", "Cảm ơn!", "???"])
def test_junk_is_recognised(junk):
    assert followup.is_junk(junk)


def test_junk_and_unanswered_turns_are_never_context():
    c = conversation("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?")
    c.add("thanks", "thanks", answered("thanks"))  # junk, even with something answered
    c.add("Giá vàng hôm nay là bao nhiêu?", "Giá vàng hôm nay là bao nhiêu?", answered("q", answer=None))
    assert c.resolve("Còn Quỳnh Nhai thì sao?") == "Quỳnh Nhai làm được bao nhiêu nhà đại đoàn kết?"
    assert [t.context for t in c.turns] == [True, False, False]


def test_an_unresolvable_fragment_is_not_context():
    c = Conversation(gazetteer=GAZETTEER)
    c.add("Còn Quỳnh Nhai thì sao?", "Còn Quỳnh Nhai thì sao?", answered("x"))  # nothing to follow
    assert c.context() == ()


def test_clear_resets_and_is_answered_without_asking():
    c = conversation("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?")
    turn = c.non_question("clear")
    assert turn is not None and not turn.context
    assert turn.result.note in ("Conversation cleared.", "Đã xóa cuộc trò chuyện.")
    assert c.turns == ()
    assert c.non_question("Mộc Châu có bao nhiêu mô hình?") is None


def test_a_message_naming_its_own_place_is_not_rewritten():
    c = conversation("Mộc Châu làm được bao nhiêu nhà đại đoàn kết?")
    assert c.resolve("Quỳnh Nhai huy động được bao nhiêu tiền?") == "Quỳnh Nhai huy động được bao nhiêu tiền?"
