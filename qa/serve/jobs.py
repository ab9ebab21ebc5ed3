"""Write jobs of the HTTP app: journalled on disk, bounded, coalesced, resumed after a restart.

Each job is one small JSON file in `index/jobs/` (written to a temporary name, fsynced,
renamed), saved before the request that made it is answered, so an acknowledged write
survives a SIGTERM, a crash or a power cut: a restarted server finds it queued (or
running) and does it. Every job is finished by a rebuild, so one worker thread takes all
waiting jobs at once and runs one rebuild for them; a rebuild asked for while another
waits is that same job. At most `max_queued` jobs wait; past that `submit` raises
`QueueFull` (429 with Retry-After). Finished jobs are remembered for `GET /jobs/{id}`
(`keep` of them, for `keep_s` seconds); a waiting job is never forgotten. Knows nothing
of HTTP, articles or indexes: the caller passes the work to do for a batch.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

from qa.errors import IndexBusy, JobNotFound, QAError, QueueFull
from qa.files import fsync_dir, write_text
from qa.settings import default

log = logging.getLogger("qa.serve.jobs")
WAITING = ("queued", "running")
BUSY_RETRY_S = 2.0  # another process holds the writer lock: try again after this long


@dataclasses.dataclass
class Job:
    id: str
    kind: str  # add, remove, rebuild
    status: str = "queued"  # queued -> running -> done | failed
    created: float = dataclasses.field(default_factory=time.time)
    finished: float | None = None
    result: dict | None = None
    error: str | None = None
    error_kind: str | None = None
    error_status: int | None = None
    article: dict | None = None  # add/remove: {"id", "title"} of the article, known when accepted

    def to_json(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "article"}


# The work for a batch: jobs in, one outcome per job id out ({"result": ...} or {"error": QAError}).
Runner = Callable[[list[Job]], dict[str, dict]]


class JobQueue:
    def __init__(self, folder: Path, run: Runner, *, max_queued: int = default("jobs_max_queued"),
                 keep: int = default("jobs_keep"), keep_s: float = default("jobs_keep_s"),
                 clock: Callable[[], float] = time.time):
        self.folder, self._run, self.max_queued, self.keep, self.keep_s = Path(folder), run, max_queued, keep, keep_s
        self._clock = clock
        self._cond = threading.Condition()
        self._jobs: dict[str, Job] = {}
        self._reserved = 0  # accepts in progress (their article is being written)
        self._stopping = False
        self._busy = False
        self._last_batch_s = 1.0
        self._thread: threading.Thread | None = None
        self._load()

    # -- the journal --------------------------------------------------------------------
    def _load(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for leftover in self.folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
        for path in sorted(self.folder.glob("*.json")):
            try:
                job = Job(**json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError) as exc:
                log.warning("ignoring unreadable job file %s (%s)", path, exc)
                continue
            if job.status == "running":  # the server stopped before it finished: do it again
                job.status = "queued"
            self._jobs[job.id] = job
        self._prune()

    def _save(self, job: Job) -> None:
        tmp = self.folder / f".{job.id}.json.tmp"
        write_text(tmp, json.dumps(dataclasses.asdict(job), ensure_ascii=False))
        os.replace(tmp, self.folder / f"{job.id}.json")
        fsync_dir(self.folder)

    def _prune(self) -> None:
        """Forget finished jobs beyond `keep` or older than `keep_s` (oldest first)."""
        finished = sorted((j for j in self._jobs.values() if j.status not in WAITING), key=lambda j: j.finished or 0)
        now = self._clock()
        doomed = finished[:max(0, len(finished) - self.keep)] + \
            [j for j in finished[-self.keep:] if now - (j.finished or now) > self.keep_s]
        for job in doomed:
            self._jobs.pop(job.id, None)
            (self.folder / f"{job.id}.json").unlink(missing_ok=True)

    # -- accepting ------------------------------------------------------------------------
    def submit(self, kind: str, accept: Callable[[], dict | None] = lambda: None, *, coalesce: bool = False) -> Job:
        """Journal a job, after `accept()` (which does the durable part of the write, e.g. puts
        the article into the collection, and returns what to remember of it). Raises QueueFull
        before `accept` runs when `max_queued` jobs wait."""
        with self._cond:
            if self._stopping:
                raise QueueFull("The server is shutting down; try again in a moment.", self.retry_after())
            if coalesce:
                for job in self._jobs.values():
                    if job.kind == kind and job.status == "queued":
                        return job  # a waiting rebuild will do: one rebuild for them all
            if self.waiting() + self._reserved >= self.max_queued:
                raise QueueFull(f"{self.max_queued} write jobs are waiting already (QA_JOBS_MAX_QUEUED); "
                                "try again later.", self.retry_after())
            self._reserved += 1
        try:
            article = accept()
            job = Job(id=uuid.uuid4().hex[:16], kind=kind, created=self._clock(), article=article)
            self._save(job)  # on disk before the caller answers 202
        finally:
            with self._cond:
                self._reserved -= 1
        with self._cond:
            self._jobs[job.id] = job
            self._cond.notify_all()
        return job

    def retry_after(self) -> int:
        return max(1, math.ceil(self._last_batch_s))

    def waiting(self) -> int:
        """Jobs queued (not yet running)."""
        return sum(j.status == "queued" for j in self._jobs.values())

    def running(self) -> int:
        with self._cond:
            return sum(j.status in WAITING for j in self._jobs.values())

    def get(self, job_id: str) -> Job:
        with self._cond:
            job = self._jobs.get(job_id)
        if job is None:
            raise JobNotFound(f"No job with id {job_id!r} (finished jobs are kept for {self.keep_s:g} s, "
                              f"the latest {self.keep} of them).")
        return job

    # -- the worker -----------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._work, name="qa-jobs", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and not any(j.status == "queued" for j in self._jobs.values()):
                    self._cond.wait()
                if self._stopping:
                    return
                batch = sorted((j for j in self._jobs.values() if j.status == "queued"), key=lambda j: j.created)
                for job in batch:
                    job.status = "running"
                self._busy = True
            started = time.monotonic()
            for job in batch:
                self._save(job)
            try:
                outcomes = self._run(batch)
            except IndexBusy as exc:  # another writer: the jobs wait, they do not fail
                log.warning("%s; retrying in %.0f s", exc, BUSY_RETRY_S)
                self._requeue(batch)
                time.sleep(BUSY_RETRY_S)
                continue
            except Exception as exc:  # noqa: BLE001 - a batch that fails records why, never vanishes
                if self._stopping:
                    self._requeue(batch)  # cancelled by the shutdown: the journal keeps them for the restart
                    return
                if not isinstance(exc, QAError):
                    log.exception("write jobs %s failed", [j.id for j in batch])
                outcomes = {j.id: {"error": exc} for j in batch}
            finally:
                self._last_batch_s = time.monotonic() - started
            self._finish(batch, outcomes)

    def _requeue(self, batch: list[Job]) -> None:
        with self._cond:
            for job in batch:
                job.status = "queued"
            self._busy = False

    def _finish(self, batch: list[Job], outcomes: dict[str, dict]) -> None:
        now = self._clock()
        for job in batch:
            outcome = outcomes.get(job.id) or {"error": RuntimeError("no outcome")}
            error = outcome.get("error")
            if error is None:
                job.result, job.status = outcome.get("result"), "done"
            else:
                job.error = str(error) if isinstance(error, QAError) else f"{type(error).__name__}: {error}"
                job.error_kind = type(error).__name__
                job.error_status = error.http_status if isinstance(error, QAError) else 500
                job.status = "failed"
            job.finished = now
            self._save(job)
        with self._cond:
            self._busy = False
            self._prune()
            self._cond.notify_all()

    def shutdown(self, drain_s: float, cancel: threading.Event | None = None) -> None:
        """Take no new batch; let the running one finish for up to `drain_s`, then ask it to stop
        (`cancel`). Whatever is unfinished stays in the journal: the next start does it."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is None:
            return
        self._thread.join(drain_s)
        if self._thread.is_alive() and cancel is not None:
            cancel.set()
            self._thread.join(5.0)

    def idle(self) -> bool:
        with self._cond:
            return not self._busy and not any(j.status in WAITING for j in self._jobs.values())
