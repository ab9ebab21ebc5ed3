"""Pydantic request and response models of the HTTP API (docs/answer-contract.md).

Requests are validated here so that every bad request gets a 4xx with a message before
the engine sees it; their limits (question length, k, article size) are the `Settings` the
app is made with (`request_models`), so QA_* changes them for HTTP as for the CLI, and the
OpenAPI schema shows them. Responses mirror `AskResult.to_json()` field for field. No logic.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from qa.records import Article
from qa.settings import Settings

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
PAGE_HEADERS = {  # the page loads nothing from outside, and says so to the browser
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def _encodable(text: str) -> str:
    """JSON can carry lone surrogates ("\\ud800"); they are not text and cannot be answered."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text holds invalid characters (lone surrogates)") from None
    return text


def _has_words(text: str) -> str:
    if not text.strip():
        raise ValueError("is blank")
    return text


NOT_BLANK = {"pattern": r"\S"}  # documents _has_words in the schema (which keeps the clearer message)


def _at_most(chars: int):
    def short_enough(text: str) -> str:
        """The limit counts characters after NFC, so a question typed decomposed (NFD) is not
        refused for the combining marks it carries."""
        if len(unicodedata.normalize("NFC", text)) > chars:
            raise ValueError(f"should have at most {chars} characters (counted after NFC composition)")
        return text
    return AfterValidator(short_enough)


def _whole_number(value: object) -> object:
    """`k: true` and `k: "5"` are refused, not read as 1 and 5; 5.0 is 5 (JSON Schema's integer)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a whole number, not a string or true/false")
    return value


Encodable = AfterValidator(_encodable)
ArticleIdField = Annotated[str, Field(pattern=ID_PATTERN, max_length=200)]
DateFilter = Annotated[str, Field(pattern=DATE_PATTERN, description="YYYY, YYYY-MM or YYYY-MM-DD prefix")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Requests:
    """The request models of one app, with its settings' limits."""
    AskIn: type[Strict]
    ChatIn: type[Strict]
    AddArticleIn: type[Strict]


def request_models(settings: Settings) -> Requests:
    chars = settings.max_question_chars
    # NFD can take a few code points a character: the schema's bound is loose, the validator exact.
    Question = Annotated[str, Field(min_length=1, max_length=4 * chars, examples=["How much did Quỳnh Nhai raise?"],
                                    description=f"At most {chars} characters after NFC composition.",
                                    json_schema_extra=NOT_BLANK),
                         Encodable, AfterValidator(_has_words), _at_most(chars)]
    K = Annotated[int, Field(ge=1, le=settings.max_k, description=f"How many passages to return (1–{settings.max_k}; "
                                                                  f"default {settings.top_k})."),
                  BeforeValidator(_whole_number)]

    class AskIn(Strict):
        question: Question
        k: K | None = None
        article: ArticleIdField | None = Field(None, description="Only this article's passages.")
        date: DateFilter | None = Field(None, description="Only articles whose date starts with this.")

    class ChatIn(Strict):
        session_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = Field(
            None, description="Omit to start a conversation; the reply carries the id to send next.")
        message: Question
        k: K | None = None

    class AddArticleIn(Strict):
        # Characters, not bytes: the reader's byte limit is checked on the article's UTF-8 after this.
        text: Annotated[str, Field(min_length=1, max_length=settings.max_article_bytes, description=(
            "The article: a title line, then the body (a date line and a source line may follow the "
            "title, as in seeds/). With `title`, the text is the body only."), json_schema_extra=NOT_BLANK),
                        Encodable, AfterValidator(_has_words)]
        title: Annotated[str, Field(min_length=1, max_length=500, json_schema_extra=NOT_BLANK),
                         Encodable, AfterValidator(_has_words)] | None = None
        force: StrictBool = Field(False, description="Add it even if it looks like a near-duplicate of an article.")

    return Requests(AskIn, ChatIn, AddArticleIn)


class ArticleRefOut(BaseModel):
    id: str
    title: str
    date: str | None
    source: str | None


class PassageOut(BaseModel):
    rank: int
    score: float
    text: str
    sentence: str
    article: ArticleRefOut
    start: int
    end: int


class AnswerOut(BaseModel):
    text: str
    sentence: str
    passage: int = Field(description="Rank of the cited passage (1-based).")
    confidence: float
    kind: str
    value: float | None
    unit: str | None


class PartOut(BaseModel):
    question: str
    answer: AnswerOut | None = Field(description="null when this part is unanswered.")
    note: str | None = None


class AskOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": "`note` and `parts` appear only when set."})
    question: str
    answer: AnswerOut | None = Field(description="null when nothing in the articles answers.")
    also: list[AnswerOut] = Field(description="Further answers from other articles.")
    passages: list[PassageOut]
    took_ms: float
    note: str | None = Field(None, description="Why there is no answer, when the articles say nothing about "
                                               "the asked entity; or a remark on a computed answer.")
    parts: list[PartOut] | None = Field(None, description="The later parts of a multi-part question, "
                                                          "each answered (citing a passage) or not.")


class ChatOut(BaseModel):
    session_id: str
    message: str
    question: str = Field(description="The message with any follow-up resolved.")
    reply: str = Field(description="What the bot says, in the language of the message.")
    language: str
    result: AskOut


class ArticleOut(BaseModel):
    id: str
    title: str
    date: str | None
    source: str | None
    chunks: int | None


class ArticleDetailOut(ArticleOut):
    author: str | None
    text: str


class JobOut(BaseModel):
    id: str
    kind: str
    status: str = Field(description="queued, running, done or failed")
    error_kind: str | None = Field(None, description="On failure: DuplicateArticle, BadArticle, ...")
    error_status: int | None = Field(None, description="On failure: the HTTP status the error maps to.")
    created: float
    finished: float | None
    result: dict | None
    error: str | None


class HealthOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: str
    index_version: str | None
    articles: int | None = None
    chunks: int | None = None
    embedder: dict | str | None = None
    jobs_running: int
    newer_build_not_loaded: dict | None = Field(
        None, description="A newer build that could not be loaded (version, error); the one above still answers.")


class FactOut(BaseModel):
    """One figure an article states (`qa.chat.facts.Fact`); offsets index the article's text."""
    article_id: str
    article_title: str | None
    value: float
    text: str
    kind: str
    unit: str | None
    counts: str = Field(description="What it counts: the noun after it, else its unit.")
    owner: str | None = Field(description="The place or body it belongs to.")
    owner_kind: str | None
    owner_source: str = Field(description="sentence, title, article (the place it names most) or none.")
    date: str | None
    sentence: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int


class ErrorOut(BaseModel):
    detail: str


ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422)}
ERRORS[400]["description"] = "The body is not UTF-8 JSON, or the Host header is not served."
WRITE_ERRORS = {**ERRORS, 429: {"model": ErrorOut, "description": "Too many write jobs wait; see Retry-After."}}


def article_summary(article: Article, chunks: int | None) -> dict:
    return {"id": article.id, "title": article.title, "date": article.date, "source": article.source,
            "chunks": chunks}
