"""Questions about the articles themselves: when one was published, who wrote it, its source, its title.

`field_asked` tells "Bài về Kon Plông được đăng ngày nào?", "When was the article about Kon
Plông published?", "Ai là tác giả bài …?", "Nguồn của bài …?" from content questions: it needs
a word for an article and a word for one of its fields (`qa/data/meta.json`). `answer` reads
the field from the article the question is about (the first retrieved article whose title names
the asked entity, else the best retrieved one), citing that article's best passage; a field the
article lacks is said so, never filled from another article. Does not retrieve.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Mapping, Sequence

from qa.chat import cues
from qa.chat.about import entity_of, names
from qa.lang.wordlists import table
from qa.records import Answer, Article, Passage

MISSING = {"vi": "Bài “{title}” không ghi {field}.", "en": "The article “{title}” does not give its {field}."}
FIELD_NAMES = {"vi": {"date": "ngày đăng", "author": "tác giả", "source": "nguồn", "title": "tiêu đề"},
               "en": {"date": "date", "author": "author", "source": "source", "title": "title"}}


@lru_cache(maxsize=1)
def _data() -> dict:
    return table("meta")


def field_asked(question: str) -> str | None:
    """"date", "author", "source" or "title" when `question` asks about an article itself; else None."""
    data = _data()
    if not cues.has(question, data["article_words"]):
        return None
    for field in data["order"]:
        if cues.has(question, data["fields"][field]):
            return field
    return None


def strip_cues(question: str) -> str:
    """The question without its article and field words: what to retrieve the article by."""
    data = _data()
    words = data["article_words"] + [w for ws in data["fields"].values() for w in ws]
    out, last = [], 0
    for m in cues.find(question, words):
        out.append(question[last:m.start()])
        last = m.end()
    rest = " ".join("".join(out + [question[last:]]).split())
    return rest if any(c.isalnum() for c in rest) else question


def answer(question: str, field: str, passages: Sequence[Passage], articles: Mapping[str, Article],
           gazetteer: frozenset[str], language: str) -> tuple[Answer | None, tuple[Passage, ...], str | None]:
    """(answer, passages with the cited one first, note) for a question about an article's `field`."""
    if not passages:
        return None, (), None
    entity = entity_of(question, gazetteer)
    chosen = next((p for p in passages if entity and names(p.article.title, entity)), passages[0])
    shown = (chosen,) + tuple(p for p in passages if p is not chosen)
    shown = tuple(replace(p, rank=i + 1) for i, p in enumerate(shown))
    article = articles[chosen.article.id]
    value = getattr(article, field)
    lang = "en" if language == "en" else "vi"
    if not value:
        return None, shown, MISSING[lang].format(title=article.title, field=FIELD_NAMES[lang][field])
    return Answer(text=value, sentence=article.title, passage=1, confidence=1.0, kind=field), shown, None
