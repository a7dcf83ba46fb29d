"""Serving the emulator over real HTTP/1.1 with keep-alive, one thread per connection.

Built on the standard library's ``wsgiref`` server: werkzeug's development
server closes every connection after one response, and clients (the SDK,
benchmarks) should be able to reuse theirs as they would against Feishu.
"""

from __future__ import annotations

import json
import logging
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.wire import (
    INVALID_PARAM,
    UNREAD_BODY,
    LostResponse,
    ResponseTimeout,
    log_id,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

_IDLE_TIMEOUT_S = 60


class _ResponseHandler(ServerHandler):
    """One request/response exchange; answers in HTTP/1.1 and notes a lost response."""

    http_version = "1.1"
    dropped = False

    def run(self, application: WSGIApplication) -> None:
        def guarded(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
            try:
                return application(environ, start_response)
            except LostResponse:
                self.dropped = True
                raise  # wsgiref treats ConnectionResetError as a dropped client: no output
            except ResponseTimeout as timeout:
                # Silence until a client's read timeout fires, then hang up without a word.
                time.sleep(timeout.seconds)
                self.dropped = True
                raise LostResponse(str(timeout)) from None

        super().run(guarded)

    def log_exception(self, exc_info: Any) -> None:
        log.error("emulator request failed", exc_info=exc_info)


class _RequestHandler(WSGIRequestHandler):
    """Keeps the connection open between requests, like any HTTP/1.1 server."""

    protocol_version = "HTTP/1.1"
    timeout = _IDLE_TIMEOUT_S
    # wsgiref writes the head and the body separately: without TCP_NODELAY, Nagle's
    # algorithm and delayed ACKs add ~40 ms to every kept-alive response.
    disable_nagle_algorithm = True

    def handle(self) -> None:
        BaseHTTPRequestHandler.handle(self)  # the keep-alive loop wsgiref leaves out

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (TimeoutError, ConnectionError):
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            self.close_connection = True
            return
        if not self.parse_request():
            return
        environ = self.get_environ()
        handler = _ResponseHandler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            environ,
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        if handler.dropped or chunked or environ.get(UNREAD_BODY):
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed HTTP gets a JSON envelope too, never http.server's HTML page."""
        reason = message or self.responses.get(code, ("error",))[0]
        body = json.dumps({"code": INVALID_PARAM, "msg": reason, "data": {}}).encode()
        self.log_error("code %d, message %s", code, reason)
        if self.request_version == "HTTP/0.9":
            # An unparsable request line leaves http.server assuming HTTP/0.9, which has
            # no status line or headers; nobody speaks 0.9, so answer in 1.0.
            self.request_version = "HTTP/1.0"
        self.send_response(code, reason)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Tt-Logid", log_id())
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class EmulatorServer(socketserver.ThreadingMixIn, WSGIServer):
    """A threaded WSGI server; connection threads never block shutdown."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # socketserver's default backlog of 5 resets bursts of new connections.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client vanishing mid-exchange is routine; socketserver would print a traceback.
        log.debug("connection from %s failed", client_address, exc_info=True)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def make_server(app: EmulatorApp, host: str = "127.0.0.1", port: int = 8080) -> EmulatorServer:
    """A bound server (port 0 picks a free port); call ``serve_forever`` to run it."""
    server = EmulatorServer((host, port), _RequestHandler)
    server.set_app(app)
    return server


def serve(app: EmulatorApp, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve until interrupted."""
    with make_server(app, host, port) as server:
        log.info("emulator serving on %s", server.base_url)
        server.serve_forever()


@contextmanager
def serving(app: EmulatorApp, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on a free port in a background thread; yields the base URL."""
    server = make_server(app, host, 0)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="emulator-server"
    )
    thread.daemon = True
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
