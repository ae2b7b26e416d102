"""A real webhook receiver for tests: an HTTP server on a loopback port, in a thread, that
keeps every request it gets and answers with the status it is told."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from time import monotonic


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    path: str
    at: float  # time.monotonic() on arrival


@dataclass
class Receiver:
    status: int = 204
    delay: float = 0.0  # seconds before answering: a delivery stays in flight that long
    in_flight: int = 0
    requests: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length).decode()
                receiver.requests.append(
                    Received(
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        self.path,
                        monotonic(),
                    )
                )
                with receiver._lock:
                    receiver.in_flight += 1
                try:
                    time.sleep(receiver.delay)
                    self.send_response(receiver.status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender went away (a killed worker): what it sent is kept
                finally:
                    with receiver._lock:
                        receiver.in_flight -= 1

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
