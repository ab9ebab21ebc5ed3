"""Prometheus metrics of the HTTP app, through `prometheus-client`: request counts by method,
route and status, a latency histogram by route, the build answered from, and the client's
process and Python collectors (memory, CPU, open files, GC).

Each app has its own `CollectorRegistry`, not the library's global one, so two apps in one
process (tests) count apart. Label values come from fixed sets only, so that no client can
grow the series without bound: route templates (or "unmatched"), the methods below (any
other is "other"), the status code. Does not serve the route itself (`app`).
"""
from __future__ import annotations

import threading
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """One app's metrics: `observe` each request, `render` the exposition text."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("qa_http_requests", "HTTP requests by method, route and status.",
                                ("method", "route", "status"), registry=self.registry)
        self.latency = Histogram("qa_http_request_duration_seconds", "Time to answer a request, by route.",
                                 ("route",), buckets=BUCKETS, registry=self.registry)
        self.index = Gauge("qa_index_info", "The index build the server answers from.", ("version",),
                           registry=self.registry)
        self._index_lock = threading.Lock()  # the build gauge is cleared and set as one step
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method if method in METHODS else "other", route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def render(self, index_version: str | None) -> str:
        with self._index_lock:
            self.index.clear()  # only the build answered from now: one series, not one per build ever loaded
            self.index.labels(index_version or "none").set(1)
            return generate_latest(self.registry).decode("utf-8")


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
