"""A fake SMS provider for the tests: a real HTTP server on a loopback port, in a thread, that
keeps every request it gets and answers the queued `replies` (status codes) first, then 200."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Posted:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    #: The status the provider answered.
    status: int


@dataclass
class FakeProvider:
    url: str = ""
    replies: list[int] = field(default_factory=list)
    requests: list[Posted] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def accepted(self) -> list[Posted]:
        return [posted for posted in self.requests if posted.status == 200]

    def with_id(self, key: str) -> list[Posted]:
        return [posted for posted in self.accepted if posted.body["id"] == key]

    def answer(self, path: str, headers: dict[str, str], raw: bytes) -> int:
        with self.lock:
            status = self.replies.pop(0) if self.replies else 200
            self.requests.append(Posted(path, headers, json.loads(raw), status))
        return status


@contextmanager
def running_provider() -> Iterator[FakeProvider]:
    provider = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            status = provider.answer(self.path, dict(self.headers), raw)
            reply = json.dumps({"ok": status == 200, "said": f"status {status}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test's assertions say what it got

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    # How often the loop looks for `shutdown`: a test's teardown waits that long.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
