"""Plumbing for the HTTP app: body-size limit, Prometheus metrics, security headers.

Plain ASGI middleware (no per-request task overhead). The write jobs are `qa.jobs`.
Nothing here knows about questions or articles.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from bisect import bisect_left

from fastapi import HTTPException


log = logging.getLogger("qa.api")


class BodyLimit:
    """Answers 413 (JSON, naming the limit) to a body over the limit, by Content-Length or
    while a chunked body streams in. POST /articles carries an article, so it gets more."""

    def __init__(self, app, limit: int, upload_limit: int):
        self.app, self.limit, self.upload_limit = app, limit, upload_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        is_upload = scope["method"] == "POST" and scope["path"] == "/articles"
        limit = self.upload_limit if is_upload else self.limit
        message = f"The request body is over the limit of {limit:,} bytes."
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _send_json(send, 413, message)
        seen = 0

        async def counted():
            nonlocal seen
            received = await receive()
            seen += len(received.get("body", b""))
            if seen > limit:  # FastAPI turns this into the 413 response while reading the body
                raise HTTPException(413, message)
            return received

        return await self.app(scope, counted, send)


async def _send_json(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Request counts by route and status, and a latency histogram by route."""

    def __init__(self):
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = {}
        self.latency: dict[str, list[float]] = {}  # route -> bucket counts + [sum, count]

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            key = (method, route, status)
            self.requests[key] = self.requests.get(key, 0) + 1
            row = self.latency.setdefault(route, [0.0] * (len(BUCKETS) + 2))
            i = bisect_left(BUCKETS, seconds)
            if i < len(BUCKETS):
                row[i] += 1
            row[-2] += seconds
            row[-1] += 1

    def render(self, index_version: str | None) -> str:
        lines = ["# HELP qa_http_requests_total HTTP requests by method, route and status.",
                 "# TYPE qa_http_requests_total counter"]
        with self._lock:
            for (method, route, status), n in sorted(self.requests.items()):
                lines.append(f'qa_http_requests_total{{method="{method}",route="{_esc(route)}",status="{status}"}} {n}')
            lines += ["# HELP qa_http_request_duration_seconds Time to answer a request, by route.",
                      "# TYPE qa_http_request_duration_seconds histogram"]
            for route, row in sorted(self.latency.items()):
                label, cumulative = _esc(route), 0.0
                for bound, n in zip(BUCKETS, row):
                    cumulative += n
                    lines.append(f'qa_http_request_duration_seconds_bucket{{route="{label}",le="{bound}"}} {cumulative:g}')
                lines.append(f'qa_http_request_duration_seconds_bucket{{route="{label}",le="+Inf"}} {row[-1]:g}')
                lines.append(f'qa_http_request_duration_seconds_sum{{route="{label}"}} {row[-2]:.6f}')
                lines.append(f'qa_http_request_duration_seconds_count{{route="{label}"}} {row[-1]:g}')
        lines += ["# HELP qa_index_info The index build the server answers from.", "# TYPE qa_index_info gauge",
                  f'qa_index_info{{version="{_esc(index_version or "none")}"}} 1']
        return "\n".join(lines) + "\n"


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class MetricsMiddleware:
    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def watched(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"  # a template, not the raw path
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - started)
