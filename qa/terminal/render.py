"""Terminal rendering with rich: answers, citations, build and evaluation reports.

Presentation only; shared by `cli.py` and the terminal chat. Does not compute anything.
"""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from qa.records import Answer, AskResult, Passage

NOT_IN_ARTICLES = {"vi": "Các bài báo không nói điều này.", "en": "The articles do not say."}
CLOSEST = {"vi": "Những đoạn gần nhất (không trả lời câu hỏi):", "en": "Closest passages (they do not answer it):"}
SOURCES = {"vi": "Nguồn:", "en": "Sources:"}


def language(question: str) -> str:
    """Vietnamese when the question has diacritics or reads Vietnamese; else English."""
    from qa.chat.conversation import reply_language

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


def took(res: AskResult) -> str:
    ms = res.took_ms
    return f"answered in {ms:.1f} ms" if ms < 10 else f"answered in {ms:,.0f} ms"


def _line(console: Console, markup: str) -> None:
    """One line, cut with "…" at the console's width rather than wrapped."""
    console.print(markup, no_wrap=True, overflow="ellipsis")


def result(console: Console, res: AskResult, *, verbose: bool = False, more: str = "-v") -> None:
    """The answer, its cited sentence (a window around the answer) and at most two short
    sources, then the timing; `verbose` shows every answer's whole sentence and every passage
    (`more` names the way to ask for that: `-v` on the command line, /sources in the chat)."""
    lang = language(res.question)
    window = 120 if verbose else 60
    if res.answer is None:
        console.print(f"[bold]{escape(res.note or NOT_IN_ARTICLES[lang])}[/bold]")
        if res.passages:
            console.print(f"[dim]{CLOSEST[lang]}[/dim]")
        for p in res.passages if verbose else res.passages[:2]:
            if verbose:
                console.print(f"  [dim]{cite(p)}[/dim]\n    {escape(p.sentence)}")
            else:
                _line(console, f"  [dim]{cite(p)}[/dim]")
                _line(console, f"    {escape(p.sentence)}")
        _parts(console, res, lang, window)
    else:
        answers = (res.answer, *res.also) if verbose else (res.answer,)
        for answer in answers:
            passage = res.passages[answer.passage - 1]
            console.print(f"[bold green]{escape(answer.text)}[/bold green]  [cyan]{cite(passage)}[/cyan]")
            console.print(f"  {highlighted(answer.sentence, answer, window)}")
        if res.note:  # a computed answer's figures, side by side
            console.print(f"[dim]{escape(res.note)}[/dim]")
        _parts(console, res, lang, window)
        if verbose:
            console.print(f"\n[dim]{SOURCES[lang]}[/dim]")
            for p in res.passages:
                console.print(f"[cyan]{cite(p)}[/cyan]\n  [dim]{escape(p.text)}[/dim]")
        else:
            _short_sources(console, res, lang)
    hint = "" if verbose or len(res.passages) < 2 else f"; all {len(res.passages)} passages: {more}"
    console.print(f"[dim]{escape(took(res) + hint)}[/dim]")


def _short_sources(console: Console, res: AskResult, lang: str) -> None:
    """Other articles than the cited one, those of other answers first: one line each, two at most."""
    cited = res.passages[res.answer.passage - 1].article.id
    ranks = [a.passage for a in res.also] + [p.rank for p in res.passages]
    others, seen = [], {cited}
    for rank in ranks:  # one line per other article: a second passage of one article adds nothing here
        passage = res.passages[rank - 1]
        if passage.article.id not in seen and len(others) < 2:
            others.append(passage)
            seen.add(passage.article.id)
    if others:
        _line(console, f"[dim]{SOURCES[lang]}[/dim] " + "  ".join(f"[cyan]{cite(p)}[/cyan]" for p in others[:1]))
        for p in others[1:]:
            _line(console, f"{' ' * len(SOURCES[lang])} [cyan]{cite(p)}[/cyan]")


def _parts(console: Console, res: AskResult, lang: str, window: int) -> None:
    """The later parts of a multi-part question, each answered and cited, or said unanswered."""
    for part in res.parts:
        console.print(f"[bold]{escape(part.question)}[/bold]")
        if part.answer is None:
            console.print(f"  {escape(part.note or NOT_IN_ARTICLES[lang])}")
            continue
        passage = res.passages[part.answer.passage - 1]
        console.print(f"  [bold green]{escape(part.answer.text)}[/bold green]  [cyan]{cite(passage)}[/cyan]")
        console.print(f"  {highlighted(part.answer.sentence, part.answer, window)}")


def sources(console: Console, res: AskResult) -> None:
    for p in res.passages:
        console.print(f"[cyan]{cite(p)}[/cyan]\n  {escape(p.text)}")


def build_report(console: Console, report) -> None:
    if report.unchanged:
        console.print(f"Index is up to date (build {report.version}: {report.articles} articles, {report.chunks} chunks).")
    else:
        console.print(f"Built index {report.version}: {report.articles} articles, {report.chunks} chunks; "
                      f"embedded {report.embedded} new texts, reused {report.reused}, in {report.seconds:.1f} s.")
        if getattr(report, "resumed", 0):
            console.print(f"Resumed {report.resumed} embeddings saved by an interrupted build.")
    for path, message in report.problems:
        console.print(f"[yellow]Skipped {escape(str(path))}:[/yellow] {escape(message)}")


def first_build(console: Console, folder: Path, report, seconds: float) -> None:
    """"Building the index from seeds/ (first run)…", then what was built and how long it took."""
    if report is None:
        try:
            shown = f"{folder.relative_to(Path.cwd())}/"
        except ValueError:
            shown = str(folder)
        console.print(f"[dim]Building the index from {escape(shown)} (first run)…[/dim]")
    else:
        console.print(f"[dim]…built: {report.articles} articles, {report.chunks} passages in {seconds:.0f} s[/dim]")


def added(console: Console, errors: Console, items, refused, report) -> None:
    for item in items:
        console.print(f"Added {escape(item.id)}: {escape(item.title)}")
    for path, message in refused:  # the message may start with the file's name already: said once
        message = message.removeprefix(f"{Path(path).name}: ")
        errors.print(f"[yellow]Not added[/yellow] {escape(path)}: {escape(message)}")
    if report is not None:
        build_report(console, report)


def articles(console: Console, items, counts: dict[str, int]) -> None:
    """A table when the whole ids fit beside a readable title; else one article per block,
    id on its own line. Titles are text, never markup or emoji codes."""
    widest = max((len(a.id) for a in items), default=2)
    if console.width >= widest + 60:
        table = Table()
        table.add_column("id", no_wrap=True, min_width=widest)
        table.add_column("title", ratio=1, overflow="fold")
        for column in ("date", "source", "chunks"):
            table.add_column(column, overflow="fold")
        for a in items:
            table.add_row(*(Text(v) for v in (a.id, a.title, a.date or "", a.source or "", str(counts.get(a.id, 0)))))
        console.print(table)
        return
    for a in items:
        details = " · ".join(x for x in (a.date, a.source, f"{counts.get(a.id, 0)} chunks") if x)
        console.print(Text(a.id, style="bold"), no_wrap=True, overflow="ignore", crop=False)
        console.print(Padding(Text(a.title), (0, 0, 0, 2)))
        console.print(Padding(Text(details, style="dim"), (0, 0, 0, 2)))


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
