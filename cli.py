"""The `qa` command: a thin typer layer over `qa.Engine` (parse, call, render)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from qa.engine import Engine
from qa.errors import QAError
from qa.settings import Settings
from qa.terminal import render

app = typer.Typer(help="Ask questions of Vietnamese news articles; answers are cited.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)


def _consoles() -> tuple[Console, Console]:
    """stdout at the terminal's width (COLUMNS if set; 160 in pipes, so tables stay whole in
    logs), and stderr, where a message stays one line. Article text is never markup or emoji."""
    piped = not sys.stdout.isatty() and not os.environ.get("COLUMNS", "").isdigit()
    return (Console(width=160 if piped else None, highlight=False, emoji=False),
            Console(stderr=True, soft_wrap=True, highlight=False, emoji=False))


out, err = _consoles()


@app.callback()
def _start() -> None:
    # Consoles made per run, so COLUMNS and the terminal are read when a command runs.
    global out, err
    out, err = _consoles()


def settings() -> Settings:
    """The QA_* settings; a bad value is one line saying which variable and why, not a traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        for problem in exc.errors():
            name = "QA_" + "_".join(str(part) for part in problem["loc"]).upper()
            err.print(f"[red]Error:[/red] {escape(name)}: {escape(problem['msg'])}")
        raise typer.Exit(2) from None


def engine() -> Engine:
    """The engine; a first question's index build is announced on stderr (stdout stays --json)."""
    return Engine(settings(), progress=sys.stderr.isatty(),
                  on_first_build=lambda folder, report, seconds: render.first_build(err, folder, report, seconds))


def fail(exc: QAError) -> None:
    err.print(f"[red]Error:[/red] {escape(str(exc))}")
    raise typer.Exit(2)


@app.command()
def ask(question: str, k: Optional[int] = typer.Option(None, "-k", help="How many passages to show (default QA_TOP_K)."),
        article: Optional[str] = typer.Option(None, help="Only this article id."),
        verbose: bool = typer.Option(False, "-v", "--sources", help="Show every passage in full."),
        as_json: bool = typer.Option(False, "--json", help="Print the JSON answer contract.")):
    """Answer QUESTION from the articles: the answer, its cited sentence and sources."""
    try:
        result = engine().ask(question, k=k, article=article)
    except QAError as exc:
        fail(exc)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        render.result(out, result, verbose=verbose)


@app.command()
def chat(k: Optional[int] = typer.Option(None, "-k", help="Passages per answer (default QA_TOP_K).")):
    """Chat in the terminal; follow-ups like "Còn Mộc Châu thì sao?" work. /sources /reset /quit."""
    from qa.terminal import console

    eng = engine()
    console.run(eng, out, history=eng.settings.index_dir / "chat_history", k=k)


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
          port: int = typer.Option(8000, help="Port to listen on.")):
    """Serve the HTTP API (/docs) and the chat page (/)."""
    import uvicorn

    from qa.serve.app import create_app

    config = settings()
    if host not in ("0.0.0.0", "::") and host not in config.allowed_hosts:  # its own address is a name it has
        config = config.model_copy(update={"allowed_hosts": [*config.allowed_hosts, host]})
    uvicorn.run(create_app(config), host=host, port=port, log_level="info")


@app.command("index")
def index_cmd(force: bool = typer.Option(False, help="Rebuild even when nothing changed."),
              rollback: bool = typer.Option(False, "--rollback", help="Switch back N builds (default 1); the "
                                            "articles that undoes are moved to .removed/."),
              steps: Optional[int] = typer.Argument(None, metavar="[N]", min=1, help="With --rollback: how many builds.")):
    """Build the index from the articles folder (only new text is embedded)."""
    if steps is not None and not rollback:
        err.print("[red]Error:[/red] N is for --rollback: qa index --rollback N")
        raise typer.Exit(2)
    try:
        eng = engine()
        if rollback:
            version, moved = eng.rollback(steps or 1)
            out.print(f"Rolled back to build {version}", highlight=False)
            for path in moved:
                out.print(f"Undone article moved out of the collection to {path}", highlight=False, markup=False)
            return
        report = eng.rebuild(force=force)
    except QAError as exc:
        fail(exc)
    render.build_report(out, report)


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
    removed = Path(moved.name.split("-", 1)[-1]).stem  # moved: .removed/<time>-<id>.<ext>
    out.print(f"Removed {escape(removed)} (moved to {escape(str(moved))}).")
    render.build_report(out, report)


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
