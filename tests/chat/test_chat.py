"""Tests for qa.chat.conversation: follow-up rewriting, place names, commands, language, session store."""
from __future__ import annotations

import threading

import pytest

from qa.chat.conversation import NOT_FOUND, Command, Conversation, parse_command, place_names, reply_language
from qa.errors import BadQuestion
from qa.records import Answer, ArticleRef, AskResult, Passage
from qa.serve.sessions import ChatSessions

GAZETTEER = ["Quỳnh Nhai", "Mộc Châu", "Sìn Hồ", "Kon Plông", "Thanh Liêm", "Sơn La", "Chiềng Lề", "Dọi"]
EN_QUESTION = "How much did Quỳnh Nhai raise?"
VI_QUESTION = "Quỹ Chỉ thị 05 của Quỳnh Nhai đã trích bao nhiêu tiền?"
SIN_HO_QUESTION = "How many civil servants in Sìn Hồ built commitment plans?"


def result(question: str, answer: str | None = None, kind: str = "other", title: str = "Tin tức") -> AskResult:
    ref = ArticleRef(id="a", title=title)
    passage = Passage(rank=1, score=0.9, text="…", sentence="…", article=ref, start=0, end=1,
                      sentence_start=0, sentence_end=1)
    found = Answer(text=answer, sentence=answer, passage=1, confidence=0.8, kind=kind) if answer else None
    return AskResult(question=question, answer=found, passages=(passage,), took_ms=1.0)


def after(question: str, gazetteer=GAZETTEER, **answer) -> Conversation:
    """A conversation whose one turn asked `question` and got an answer (a turn without one is no context)."""
    conversation = Conversation(gazetteer=gazetteer)
    conversation.add(question, question, result(question, **{"answer": "12 tỷ đồng", **answer}))
    return conversation


FOLLOW_UPS = ["Còn Mộc Châu thì sao?", "Còn Mộc Châu?", "Mộc Châu thì sao?", "Thế còn Mộc Châu?",
              "Vậy còn huyện Mộc Châu?", "con moc chau thi sao", "con moc chau?", "And Mộc Châu?",
              "What about Mộc Châu?", "How about Moc Chau?", "what about in Mộc Châu district"]


@pytest.mark.parametrize("message", FOLLOW_UPS)
@pytest.mark.parametrize("previous", [EN_QUESTION, VI_QUESTION])
def test_follow_up_swaps_the_place(previous, message):
    assert after(previous).resolve(message) == previous.replace("Quỳnh Nhai", "Mộc Châu")


def test_follow_up_canonicalises_unaccented_names_from_the_gazetteer():
    assert after(EN_QUESTION).resolve("How about Sin Ho?") == "How much did Sìn Hồ raise?"


def test_follow_up_without_gazetteer_still_works_when_the_form_is_unmistakable():
    conversation = after(EN_QUESTION, gazetteer=())
    assert conversation.resolve("con moc chau thi sao") == "How much did Moc Chau raise?"
    assert conversation.resolve("Còn Mộc Châu?") == "How much did Mộc Châu raise?"
    # Bare "còn" + lowercase unknown words could be anything ("con" is also "child"): left alone.
    assert conversation.resolve("con moc chau?") == "con moc chau?"


def test_follow_up_adds_the_place_when_the_previous_question_named_none():
    assert (after("How many collectives did the provincial police commend?").resolve("What about Sìn Hồ?")
            == "How many collectives did the provincial police commend in Sìn Hồ?")
    assert (after("Công an tỉnh biểu dương bao nhiêu tập thể?").resolve("Còn Sìn Hồ thì sao?")
            == "Công an tỉnh biểu dương bao nhiêu tập thể ở Sìn Hồ?")


def test_follow_ups_chain_on_the_resolved_question():
    conversation = after(EN_QUESTION)
    question = conversation.resolve("Còn Mộc Châu?")
    conversation.add("Còn Mộc Châu?", question, result(question, answer="2 tỷ 800 triệu đồng"))
    assert conversation.resolve("And Thanh Liêm?") == "How much did Thanh Liêm raise?"


@pytest.mark.parametrize("message, expected", [
    ("How many party members are there?", "How many party members are in Sìn Hồ?"),
    ("How many party members does that district have?", "How many party members does Sìn Hồ have?"),
    ("Are there funds for poor students?", "Are there funds for poor students in Sìn Hồ?"),
    ("Có bao nhiêu đảng viên ở đó?", "Có bao nhiêu đảng viên ở Sìn Hồ?"),
    ("Tại đó có bao nhiêu mô hình?", "Tại Sìn Hồ có bao nhiêu mô hình?"),
    ("Huyện đó có bao nhiêu đảng viên?", "Huyện Sìn Hồ có bao nhiêu đảng viên?"),
    ("co bao nhieu dang vien o do", "co bao nhieu dang vien o Sìn Hồ"),
])
def test_there_refers_to_the_last_place(message, expected):
    assert after(SIN_HO_QUESTION).resolve(message) == expected


@pytest.mark.parametrize("gazetteer, kind", [(GAZETTEER, "other"), ((), "org"), ((), "place")])
def test_there_prefers_a_place_given_as_the_last_answer(gazetteer, kind):
    conversation = after("Mô hình “Việc tốt” của Sơn La là của đảng bộ nào?", gazetteer, answer="Mộc Châu", kind=kind)
    assert conversation.resolve("Có bao nhiêu đảng viên ở đó?") == "Có bao nhiêu đảng viên ở Mộc Châu?"


def test_an_answer_that_is_not_a_place_is_not_taken_for_one():
    conversation = after(SIN_HO_QUESTION, answer="Võ Kim Thạch", kind="person")
    assert conversation.resolve("How many party members are there?") == "How many party members are in Sìn Hồ?"


def test_there_falls_back_to_the_cited_article():
    conversation = Conversation()
    conversation.add("m", "Mô hình nào được nhân rộng?",
                     result("q", answer="cá niêng", title="Kon Plông: Chuyển biến giữa việc học"))
    assert conversation.resolve("How many models are there?") == "How many models are in Kon Plông?"


@pytest.mark.parametrize("message", [
    "How many models in Kon Plông have been maintained since 2021?",
    "how many party members are there in kon plong",  # its own place, typed without diacritics
    "Giá vàng hôm nay là bao nhiêu?",
    "Còn bao nhiêu tiền chưa giải ngân?",
    "Khu 5 thị trấn Sìn Hồ có những dân tộc nào sinh sống?",
])
def test_a_standalone_question_is_left_alone(message):
    assert after(EN_QUESTION).resolve(message) == message


def test_nothing_is_rewritten_before_the_first_turn():
    assert Conversation(gazetteer=GAZETTEER).resolve("  What about Mộc Châu? ") == "What about Mộc Châu?"


def test_turns_are_bounded_and_reset_forgets_them():
    conversation = Conversation(max_turns=2)
    for n in range(3):
        conversation.add(f"m{n}", f"q{n}", result(f"q{n}"))
    assert [t.question for t in conversation.turns] == ["q1", "q2"]
    assert conversation.last.message == "m2"
    conversation.reset()
    assert conversation.last is None and conversation.turns == ()
    assert conversation.resolve("What about Mộc Châu?") == "What about Mộc Châu?"
    with pytest.raises(ValueError):
        Conversation(max_turns=0)


def test_place_names_come_after_place_words():
    text = ("Nông dân bản Dọi, xã Tân Lập, huyện Mộc Châu thu hái chè. Ban Thường vụ Huyện ủy Kon Plông "
            "chỉ đạo. Đảng bộ Công an tỉnh và Thành phố Sơn La; phát triển kinh tế - xã hội. Huyện Ba Bể xử lý.")
    assert place_names([text]) == {"Dọi", "Tân Lập", "Mộc Châu", "Kon Plông", "Sơn La", "Ba Bể"}


def test_a_phrase_the_texts_mostly_write_in_lower_case_is_no_place():
    # Invented: "Mặt Trời" after "bộ" (a body's head) once, "mặt trời" (the sun) as a common noun twice.
    texts = ["Vệ tinh vào quỹ đạo đồng bộ Mặt Trời ở độ cao 680 km.",
             "Nhà máy điện mặt trời nổi; điện mặt trời áp mái.", "Huyện Quỳnh Nhai có 11 xã."]
    assert place_names(texts) == {"Quỳnh Nhai"}


def test_single_syllable_names_need_their_diacritics():
    # "Dọi" typed as "doi" would also be "đội", "đổi", "đời": it must not count as a place.
    conversation = after("Bản Dọi có bao nhiêu hộ?")
    assert conversation.resolve("co bao nhieu doi o do") == "co bao nhieu doi o Dọi"


@pytest.mark.parametrize("message, kind, name, arg", [
    ("/sources", "sources", "sources", ""), (" /SOURCES 2 ", "sources", "sources", "2"),
    ("/reset", "reset", "reset", ""), ("/quit", "quit", "quit", ""), ("/exit", "quit", "exit", ""),
    ("/help", "help", "help", ""), ("/foo bar", "unknown", "foo", "bar"), ("/", "unknown", "", ""),
])
def test_parse_command(message, kind, name, arg):
    assert parse_command(message) == Command(kind, name, arg)


@pytest.mark.parametrize("message", ["How much?", "sources", "a /reset"])
def test_parse_command_ignores_ordinary_messages(message):
    assert parse_command(message) is None


@pytest.mark.parametrize("message, language", [
    ("Quỹ đã trích bao nhiêu tiền?", "vi"), ("Còn Mộc Châu?", "vi"), ("Mộc Châu thì sao?", "vi"),
    ("kon plong co tat ca bao nhieu mo hinh", "vi"), ("con moc chau thi sao", "vi"),
    ("How much did Quỳnh Nhai raise?", "en"), ("What about Mộc Châu?", "en"), ("How about Sin Ho?", "en"),
    ("How many party members are there?", "en"), ("And Sin Ho?", "en"),
])
def test_reply_language(message, language):
    assert reply_language(message) == language
    assert NOT_FOUND[language]


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sessions_expire_after_ttl_of_idleness():
    clock = FakeClock()
    sessions = ChatSessions(ttl_seconds=60, clock=clock)
    session_id, conversation = sessions.open()
    clock.now += 50
    assert sessions.get(session_id) is conversation  # a use renews the session
    clock.now += 50
    assert sessions.open(session_id) == (session_id, conversation)
    clock.now += 60
    assert sessions.get(session_id) is None and len(sessions) == 0
    again_id, again = sessions.open(session_id)  # a stale id from the browser starts afresh
    assert again_id == session_id and again is not conversation


def test_sessions_evict_the_least_recently_used():
    sessions = ChatSessions(max_sessions=2, clock=FakeClock())
    a, _ = sessions.open("a")
    b, _ = sessions.open("b")
    sessions.get(a)
    sessions.open("c")
    assert len(sessions) == 2 and sessions.get(b) is None and sessions.get(a) is not None


def test_sessions_bound_turns():
    sessions = ChatSessions(max_turns=1, clock=FakeClock())
    session_id, conversation = sessions.open()
    for n in range(3):
        conversation.add("m", EN_QUESTION, result("q"))
    assert len(conversation.turns) == 1
    assert sessions.drop(session_id) and not sessions.drop(session_id)


@pytest.mark.parametrize("bad", ["", "x" * 65, "a b", "../etc"])
def test_sessions_refuse_odd_ids(bad):
    with pytest.raises(BadQuestion):
        ChatSessions().open(bad)


def test_sessions_stay_bounded_under_concurrent_use():
    sessions = ChatSessions(max_sessions=5)
    threads = [threading.Thread(target=lambda n=n: [sessions.open(f"s{n}-{i}") for i in range(50)]) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sessions) == 5


def _run_console(fake_settings, monkeypatch, typed: str) -> str:
    """The terminal chat over piped input; what it printed, as plain text (the intro on one line)."""
    import io
    import sys

    from rich.console import Console

    from qa.engine import Engine
    from qa.terminal import console

    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    screen = io.StringIO()
    console.run(Engine(fake_settings), Console(file=screen, width=400, color_system=None), history=None)
    return screen.getvalue()


def test_terminal_help_lists_the_commands(fake_settings, monkeypatch):
    shown = _run_console(fake_settings, monkeypatch, "/help\n/quit\n")
    after_intro = shown.split("\n", 1)[1]
    for name in ("/sources", "/reset", "/help", "/quit"):
        assert name in after_intro
    assert "Follow-ups work" not in after_intro  # the commands, not the intro again


def test_terminal_unknown_command_says_so_and_lists_the_commands(fake_settings, monkeypatch):
    shown = _run_console(fake_settings, monkeypatch, "/foo\n/quit\n")
    after_intro = shown.split("\n", 1)[1]
    assert "Unknown command /foo" in after_intro
    assert all(name in after_intro for name in ("/sources", "/reset", "/help", "/quit"))
