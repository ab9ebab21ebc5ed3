"""The `qa` command: a thin typer layer over `qa.Engine` (parse, call, render)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from qa import render
from qa.engine import Engine
from qa.errors import QAError
from qa.settings import Settings

app = typer.Typer(help="Ask questions of Vietnamese news articles; answers are cited.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
out = Console(width=None if sys.stdout.isatty() else 160, highlight=False)  # tables stay whole in pipes and logs
err = Console(stderr=True, soft_wrap=True)  # a message stays one line, whatever the width


def engine() -> Engine:
    return Engine(Settings(), progress=sys.stderr.isatty())


def fail(exc: QAError) -> None:
    err.print(f"[red]Error:[/red] {exc}", highlight=False)
    raise typer.Exit(2)


@app.command()
def ask(question: str, k: int = typer.Option(5, "-k", help="How many passages to show."),
        article: Optional[str] = typer.Option(None, help="Only this article id."),
        as_json: bool = typer.Option(False, "--json", help="Print the JSON answer contract.")):
    """Answer QUESTION from the articles, with cited passages."""
    try:
        result = engine().ask(question, k=k, article=article)
    except QAError as exc:
        fail(exc)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        render.result(out, result)


@app.command()
def chat(k: int = typer.Option(5, "-k", help="Passages per answer.")):
    """Chat in the terminal; follow-ups like "Còn Mộc Châu thì sao?" work. /sources /reset /quit."""
    from qa import console

    eng = engine()
    console.run(eng, out, history=eng.settings.index_dir / "chat_history", k=k)


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
          port: int = typer.Option(8000, help="Port to listen on.")):
    """Serve the HTTP API (/docs) and the chat page (/)."""
    import uvicorn

    from qa.api import create_app

    uvicorn.run(create_app(Settings()), host=host, port=port, log_level="info")


@app.command("index")
def index_cmd(force: bool = typer.Option(False, help="Rebuild even when nothing changed."),
              rollback: bool = typer.Option(False, "--rollback", help="Switch back to the previous build.")):
    """Build the index from the articles folder (only new text is embedded)."""
    try:
        eng = engine()
        if rollback:
            out.print(f"Rolled back to build {eng.rollback()}")
            return
        report = eng.rebuild(force=force)
    except QAError as exc:
        fail(exc)
    render.build_report(out, report, eng.last_problems)


@app.command()
def add(paths: list[Path] = typer.Argument(..., help="Article files: .txt, .md or saved .html pages."),
        force: bool = typer.Option(False, help="Add near-duplicates too.")):
    """Copy articles into the collection under ids from their titles, then rebuild."""
    try:
        added, refused, report = engine().add(paths, force=force)
    except QAError as exc:
        fail(exc)
    render.added(out, err, added, refused, report)
    if refused:
        raise typer.Exit(1)


@app.command()
def remove(article_id: str = typer.Argument(..., metavar="ID")):
    """Take an article out of the collection (kept in .removed/), then rebuild."""
    try:
        moved, report = engine().remove(article_id)
    except QAError as exc:
        fail(exc)
    out.print(f"Removed {article_id} (moved to {moved}).")
    render.build_report(out, report, [])


@app.command()
def articles():
    """List the indexed articles."""
    try:
        eng = engine()
        items, counts = eng.articles(), eng.chunk_counts()
    except QAError as exc:
        fail(exc)
    render.articles(out, items, counts)


@app.command()
def facts(place: Optional[str] = typer.Option(None, "--place", help="Only the figures about this place or body."),
          as_json: bool = typer.Option(False, "--json", help="Print JSON.")):
    """List every figure the articles state: what it counts, whose it is, the date and the sentence."""
    try:
        eng = engine()
        found, titles = eng.facts(place), {a.id: a.title for a in eng.articles()}
    except QAError as exc:
        fail(exc)
    if as_json:
        print(json.dumps([f.to_json(titles.get(f.article_id)) for f in found], ensure_ascii=False, indent=2))
    else:
        render.facts(out, found, titles, place)


@app.command("eval")
def eval_cmd(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL: question, answers, article."),
             k: int = typer.Option(5, "-k"), as_json: bool = typer.Option(False, "--json")):
    """Report hit@1, hit@3, answer accuracy, abstention and latency per language."""
    from qa import evaluate

    try:
        report = evaluate.run(engine(), evaluate.load_cases(file), k=k)
    except QAError as exc:
        fail(exc)
    if as_json:
        print(json.dumps({"groups": report.rows()}, ensure_ascii=False, indent=2))
    else:
        render.eval_report(out, report)


if __name__ == "__main__":
    app()
