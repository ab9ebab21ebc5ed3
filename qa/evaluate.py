"""Evaluation: run questions through an `Engine` and report the metrics of docs/evaluation.md per language.

Metrics: hit@1 / hit@3 (an expected answer string inside a returned passage), answer
accuracy (inside `answer.text`), abstention on unanswerable questions, answered rate on
answerable ones, and warm in-process latency. Does not print; the CLI renders the report.
"""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import BadQuestion
from qa.lang.language import detect_language
from qa.lang.text import normalize
from qa.records import AskResult

LANGUAGES = ("vi", "vi-nodiacritics", "en")


def _contains(haystack: str, needles: list[str]) -> bool:
    hay = normalize(haystack).casefold()
    return any(normalize(n).casefold() in hay for n in needles)


@dataclass(frozen=True)
class Case:
    question: str
    answers: list[str]
    article: str | None = None
    language: str = "vi"


@dataclass(frozen=True)
class Outcome:
    case: Case
    result: AskResult

    @property
    def hit1(self) -> bool:
        return bool(self.result.passages) and _contains(self.result.passages[0].text, self.case.answers)

    @property
    def hit3(self) -> bool:
        return any(_contains(p.text, self.case.answers) for p in self.result.passages[:3])

    @property
    def correct(self) -> bool:
        return self.result.answer is not None and _contains(self.result.answer.text, self.case.answers)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def rows(self) -> list[dict]:
        groups = {lang: [o for o in self.outcomes if o.case.language == lang] for lang in LANGUAGES}
        groups["all"] = self.outcomes
        return [self._row(name, items) for name, items in groups.items() if items]

    @staticmethod
    def _row(name: str, items: list[Outcome]) -> dict:
        answerable = [o for o in items if o.case.answers]
        unanswerable = [o for o in items if not o.case.answers]
        latencies = sorted(o.result.took_ms for o in items)

        def rate(values):
            return round(sum(values) / len(values), 3) if values else None

        return {
            "group": name, "questions": len(items), "answerable": len(answerable),
            "hit@1": rate([o.hit1 for o in answerable]), "hit@3": rate([o.hit3 for o in answerable]),
            "answer_acc": rate([o.correct for o in answerable]),
            "answered": rate([o.result.answer is not None for o in answerable]),
            "abstained": rate([o.result.answer is None for o in unanswerable]),
            "p50_ms": round(statistics.median(latencies), 2),
            "p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 2),
        }


def load_cases(path: Path) -> list[Case]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadQuestion(f"{path}: not UTF-8 text (byte {exc.start}); expected JSONL, one case a line") from None
    cases = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            cases.append(Case(str(item["question"]), list(item.get("answers", [])), item.get("article"),
                              item.get("language") or detect_language(str(item["question"]))))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BadQuestion(f"{path}:{n}: not an evaluation case ({exc}); expected JSON with question and answers") from None
    if not cases:
        raise BadQuestion(f"{path}: no evaluation cases in it; expected JSONL lines like "
                          '{"question": "...", "answers": ["..."]}')
    return cases


def run(engine, cases: list[Case], k: int = 5) -> Report:
    engine.ask("warm-up: câu hỏi khởi động", k=k)  # loads/builds the index outside the timings
    return Report([Outcome(case, engine.ask(case.question, k=k)) for case in cases])
