"""Terminal rendering with rich: answers, citations, build and evaluation reports.

Presentation only; shared by `cli.py` and the terminal chat. Does not compute anything.
"""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .records import Answer, AskResult, Passage

NOT_IN_ARTICLES = {"vi": "Các bài báo không nói điều này.", "en": "The articles do not say."}
CLOSEST = {"vi": "Những đoạn gần nhất (không trả lời câu hỏi):", "en": "Closest passages (they do not answer it):"}
SOURCES = {"vi": "Nguồn:", "en": "Sources:"}


def language(question: str) -> str:
    """Vietnamese when the question has diacritics or reads Vietnamese; else English."""
    from .chat import reply_language

    return reply_language(question)


def cite(passage: Passage) -> str:
    ref = passage.article
    when = f", {ref.date}" if ref.date else ""
    return f"[{passage.rank}] {escape(ref.title)}{escape(when)}"


def highlighted(sentence: str, answer: Answer | None, window: int = 120) -> str:
    """The sentence with the answer in bold; a long sentence is cut to a window around it."""
    if answer and answer.text in sentence:
        head, _, tail = sentence.partition(answer.text)
        if len(head) > window:
            head = "…" + head[-window:].split(" ", 1)[-1]
        if len(tail) > window:
            tail = tail[:window].rsplit(" ", 1)[0] + "…"
        return f"{escape(head)}[bold yellow]{escape(answer.text)}[/bold yellow]{escape(tail)}"
    return escape(sentence)


def result(console: Console, res: AskResult, *, full: bool = True) -> None:
    lang = language(res.question)
    if res.answer is None:
        console.print(f"[bold]{escape(res.note or NOT_IN_ARTICLES[lang])}[/bold]")
        if res.passages:
            console.print(f"[dim]{CLOSEST[lang]}[/dim]")
        for p in res.passages[: 3 if not full else len(res.passages)]:
            console.print(f"  [dim]{cite(p)}[/dim]\n    {escape(p.sentence)}")
        _parts(console, res, lang)
        console.print(f"[dim]{res.took_ms:.1f} ms[/dim]")
        return
    for answer in (res.answer, *res.also):
        passage = res.passages[answer.passage - 1]
        console.print(f"[bold green]{escape(answer.text)}[/bold green]  [cyan]{cite(passage)}[/cyan]")
        console.print(f"  {highlighted(answer.sentence, answer)}")
    if res.note:  # a computed answer's figures, side by side
        console.print(f"[dim]{escape(res.note)}[/dim]")
    _parts(console, res, lang)
    if full and len(res.passages) > 1:
        console.print(f"\n[dim]{SOURCES[lang]}[/dim]")
        for p in res.passages:
            console.print(f"[cyan]{cite(p)}[/cyan]\n  [dim]{escape(p.text)}[/dim]")
    console.print(f"[dim]{res.took_ms:.1f} ms[/dim]")



def _parts(console: Console, res: AskResult, lang: str) -> None:
    """The later parts of a multi-part question, each answered and cited, or said unanswered."""
    for part in res.parts:
        console.print(f"[bold]{escape(part.question)}[/bold]")
        if part.answer is None:
            console.print(f"  {escape(part.note or NOT_IN_ARTICLES[lang])}")
            continue
        passage = res.passages[part.answer.passage - 1]
        console.print(f"  [bold green]{escape(part.answer.text)}[/bold green]  [cyan]{cite(passage)}[/cyan]")
        console.print(f"  {highlighted(part.answer.sentence, part.answer)}")


def sources(console: Console, res: AskResult) -> None:
    for p in res.passages:
        console.print(f"[cyan]{cite(p)}[/cyan]\n  {escape(p.text)}")


def build_report(console: Console, report, problems) -> None:
    if report.unchanged:
        console.print(f"Index is up to date (build {report.version}: {report.articles} articles, {report.chunks} chunks).")
    else:
        console.print(f"Built index {report.version}: {report.articles} articles, {report.chunks} chunks; "
                      f"embedded {report.embedded} new texts, reused {report.reused}, in {report.seconds:.1f} s.")
    for path, message in problems:
        console.print(f"[yellow]Skipped {escape(str(path))}:[/yellow] {escape(message)}")


def added(console: Console, errors: Console, items, refused, report) -> None:
    for item in items:
        console.print(f"Added {escape(item.id)}: {escape(item.title)}")
    for path, message in refused:
        errors.print(f"[yellow]Not added[/yellow] {escape(path)}: {escape(message)}")
    if report is not None:
        build_report(console, report, [])


def articles(console: Console, items, counts: dict[str, int]) -> None:
    table = Table()
    for column in ("id", "title", "date", "source", "chunks"):
        table.add_column(column)
    for a in items:
        table.add_row(a.id, a.title, a.date or "", a.source or "", str(counts.get(a.id, 0)))
    console.print(table)


def eval_report(console: Console, report) -> None:
    rows = report.rows()
    table = Table(title="qa eval")
    for column in rows[0]:
        table.add_column(column, justify="left" if column == "group" else "right", no_wrap=True)
    for row in rows:
        table.add_row(*["-" if v is None else str(v) for v in row.values()])
    console.print(table)
    misses = [o for o in report.outcomes if o.case.answers and not (o.hit1 and o.correct)]
    for o in misses:
        got = o.result.answer.text if o.result.answer else None
        console.print(f"[dim]miss: {escape(o.case.question)} | want {o.case.answers} | got {got!r} | "
                      f"hit@1={o.hit1} hit@3={o.hit3}[/dim]")


def facts(console: Console, found, titles: dict[str, str], place: str | None) -> None:
    """The facts table; every cell wraps, so the whole sentence stays readable."""
    if not found:
        console.print(f"No figures about {escape(place)} in the articles." if place else "No figures in the articles.")
        return
    table = Table(title=f"Figures about {escape(place)}" if place else "Figures in the articles", show_lines=True)
    for column in ("figure", "counts", "whose", "date", "article", "sentence"):
        table.add_column(column, overflow="fold")
    for f in found:
        whose = f"{f.owner} ({f.owner_source})" if f.owner else "-"
        table.add_row(escape(f.text), escape(f.counts), escape(whose), f.date or "",
                      escape(titles.get(f.article_id, f.article_id)), escape(f.sentence))
    console.print(table)
    console.print(f"[dim]{len(found)} figures[/dim]")
