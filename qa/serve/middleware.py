"""Plumbing for the HTTP app: body-size limit, Host check, security headers.

Plain ASGI middleware (no per-request task overhead). The metrics are `qa.serve.metrics`,
the write jobs `qa.serve.jobs`. Nothing here knows about questions or articles.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import re

from fastapi import HTTPException

log = logging.getLogger("qa.serve.app")




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


class AllowedHosts:
    """Answers 400 to a request whose Host header is not one the server is meant to be reached
    by, so that a web page whose name was re-pointed at 127.0.0.1 (DNS rebinding) cannot read
    the API through the visitor's browser. `*` allows any. (Starlette's TrustedHostMiddleware
    cuts "[::1]:8000" at the first colon, so IPv6 literals could not be allowed with it.)"""

    def __init__(self, app, hosts: list[str]):
        self.app = app
        self.any = "*" in hosts
        self.hosts = {h.lower().strip("[]") for h in hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.any:
            return await self.app(scope, receive, send)
        raw = dict(scope["headers"]).get(b"host")
        if raw is None:  # HTTP/1.0 without Host: no browser sends that, so no rebinding either
            return await self.app(scope, receive, send)
        host = raw.decode("latin-1").lower()
        name = host[1:host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if name in self.hosts:
            return await self.app(scope, receive, send)
        return await _send_json(send, 400, f"This server is not served under the name {host!r}; add it to "
                                           "QA_ALLOWED_HOSTS (a JSON list) if it should be.")


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_EXTERNAL = re.compile(rb"""\b(?:src|href)\s*=\s*["'](https?://[^/"']+)""", re.IGNORECASE)
BASE_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                (b"referrer-policy", b"no-referrer")]


def page_policy(html: bytes) -> str:
    """A Content-Security-Policy for an HTML page we generate (/docs, /redoc): our own origin,
    the hashes of its inline scripts, and the origins it names for assets (none once the
    Swagger assets are served locally); no framing."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
                      for s in _INLINE_SCRIPT.findall(html))
    origins = " ".join(sorted({o.decode("latin-1") for o in _EXTERNAL.findall(html)}))
    return (f"default-src 'self' {origins}; img-src 'self' data: {origins}; style-src 'self' 'unsafe-inline' {origins}; "
            f"script-src 'self' {hashes} {origins}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class SecurityHeaders:
    """nosniff, no framing and no referrer on every response; a CSP on HTML that has none
    (`page_policy`); `default-src 'none'` on the rest (JSON is never a document to run)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        held: dict = {}

        async def secured(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in BASE_HEADERS if k not in names]
                html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                if b"content-security-policy" in names:
                    return await send({**message, "headers": headers})
                if not html:
                    headers.append((b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"))
                    return await send({**message, "headers": headers})
                held.update(start={**message, "headers": headers}, body=b"")  # the policy needs the whole page
                return None
            if "start" not in held:
                return await send(message)
            held["body"] += message.get("body", b"")
            if message.get("more_body"):
                return None
            start = held["start"]
            start["headers"].append((b"content-security-policy", page_policy(held["body"]).encode()))
            await send(start)
            await send({"type": "http.response.body", "body": held["body"]})

        return await self.app(scope, receive, secured)
