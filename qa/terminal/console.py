"""The terminal chat: a prompt with history, answers with numbered citations, slash commands.

A loop over `Engine.chat` and `qa.chat.conversation.Conversation`; all it adds is input and output.
With a terminal it uses prompt_toolkit (history, line editing); with piped input it reads
plain lines, so it can be scripted. Does not resolve follow-ups itself.
"""
from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from qa.chat.conversation import Conversation, parse_command
from qa.errors import QAError
from qa.terminal import render

HELP = ("Ask about the articles, in Vietnamese or English. Follow-ups work: \"Còn Mộc Châu thì sao?\", "
        "\"And there?\". Commands: /sources, /reset, /help, /quit.")
COMMANDS = (("/sources", "the full passages of the last answer"), ("/reset", "forget the conversation so far"),
            ("/help", "this list"), ("/quit", "leave (also /exit or Ctrl-D)"))


def commands(console: Console) -> None:
    for name, meaning in COMMANDS:
        console.print(f"  [bold]{name}[/bold]  {meaning}")


def _reader(history: Path | None):
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        session = PromptSession(history=FileHistory(str(history)) if history else InMemoryHistory())
        return lambda: session.prompt("› ")

    def plain() -> str:
        raw = getattr(sys.stdin, "buffer", None)  # bytes, so that a line that is not UTF-8 still arrives
        line = raw.readline() if raw is not None else sys.stdin.readline().encode("utf-8", "surrogateescape")
        if not line:
            raise EOFError
        return line.decode("utf-8", "surrogateescape").rstrip("\r\n")  # not UTF-8: the engine says so

    return plain


def run(engine, console: Console, history: Path | None = None, k: int | None = None) -> None:
    conversation = Conversation(max_turns=engine.settings.chat_max_turns)
    read = _reader(history)
    console.print(f"[dim]{escape(HELP)}[/dim]")
    while True:
        try:
            message = read().strip()
        except (EOFError, KeyboardInterrupt):
            return
        except UnicodeError:  # prompt_toolkit could not keep a line that is not UTF-8 in its history
            console.print("[red]That line is not UTF-8 text; check the terminal's encoding and type it again.[/red]")
            continue
        if not message:
            continue
        command = parse_command(message)
        if command is not None:
            if command.kind == "quit":
                return
            if command.kind == "reset":
                conversation.reset()
                console.print("[dim]Conversation cleared.[/dim]")
            elif command.kind == "sources" and conversation.last:
                render.sources(console, conversation.last.result)
            elif command.kind == "sources":
                console.print("[dim]Nothing asked yet.[/dim]")
            elif command.kind == "help":
                commands(console)
            else:
                console.print(f"Unknown command /{escape(command.name)}. The commands are:")
                commands(console)
            continue
        try:
            turn = engine.chat(conversation, message, k=k)
        except QAError as exc:
            console.print(f"[red]{escape(str(exc))}[/red]")
            continue
        if turn.question != message:
            console.print(f"[dim]→ {escape(turn.question)}[/dim]")
        render.result(console, turn.result, more="/sources")
