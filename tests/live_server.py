"""Test helper (not a test): run the qa app under a real uvicorn server on a loopback port.

The socket is bound before the server starts (port 0: the system picks a free port), so
two test runs never race for a port. The server runs in a daemon thread of the test
process and stops when the context exits.
"""
from __future__ import annotations

import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import uvicorn

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


def home_with_seeds(path: Path) -> Path:
    """A QA_HOME folder holding a copy of the seed articles (kept if already there)."""
    if not (path / "seeds").is_dir():
        shutil.copytree(SEEDS, path / "seeds")
    return path


@contextmanager
def live_server(app, startup_timeout: float = 600.0) -> Iterator[str]:
    """Serve `app` on 127.0.0.1:<free port>; yields the base URL once start-up has finished."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    deadline = time.monotonic() + startup_timeout
    try:
        while not server.started:  # the lifespan (index load or build) runs before this flips
            if not thread.is_alive():
                raise RuntimeError("the server stopped during start-up (see the log above)")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server did not start within {startup_timeout:.0f} s")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()
