"""A small HTTP server on 127.0.0.1 for the Neo4j Browser: the guide and the stylesheet, with CORS headers.

The local server serves both itself (``browser/plugin.py``); this one is for a Neo4j elsewhere (Docker, a
remote server), whose Browser page fetches ``:play URL`` and ``:style URL`` cross-origin, so the answers need
``Access-Control-Allow-Origin``; ``:play`` also sends ``pragma`` and ``cache-control`` headers, which makes the
web browser ask first with an ``OPTIONS`` preflight. Only the two committed files are served, from memory.

Locked down, since any web page the user opens can reach loopback: it listens on 127.0.0.1 only; it answers
only requests whose ``Host`` is a loopback name (no DNS rebinding); CORS allows only the Browser's own origin
(``http://127.0.0.1:HTTP_PORT`` or ``localhost``, the configured Neo4j HTTP port) and refuses any other
``Origin``; a request must arrive within ``REQUEST_TIMEOUT`` seconds; at most ``MAX_CONNECTIONS`` are served
at once, and further connections are closed at once.
"""

from __future__ import annotations

import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from wbkg.browser.guide import GUIDE_PATH
from wbkg.browser.style import STYLE_PATH
from wbkg.browser.urls import DEFAULT_PORT, GUIDE_NAME, HOST, STYLE_NAME, guide_url, style_url
from wbkg.errors import WbkgError

REQUEST_TIMEOUT = 10.0  # seconds for a client to send its request (and to take the answer)
MAX_CONNECTIONS = 16
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_HOST = re.compile(r"^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$", re.IGNORECASE)

# the URLs live in browser.urls (light, for the CLI's options); re-exported for callers of this module
__all__ = ["DEFAULT_PORT", "MAX_CONNECTIONS", "REQUEST_TIMEOUT", "GuideServer", "browser_origins", "guide_url",
           "style_url"]


def browser_origins(http_port: int) -> frozenset[str]:
    """The origins of the Neo4j Browser page on the configured HTTP port: the only ones CORS admits."""
    return frozenset(f"http://{name}:{http_port}" for name in LOOPBACK_NAMES)


def _files() -> dict[str, tuple[bytes, str]]:
    out = {}
    for name, path, ctype in ((GUIDE_NAME, GUIDE_PATH, "text/html; charset=utf-8"),
                              (STYLE_NAME, STYLE_PATH, "text/plain; charset=utf-8")):
        try:
            out[f"/{name}"] = (path.read_bytes(), ctype)
        except OSError as e:
            raise WbkgError(f"{path}: cannot read it ({e.strerror}); regenerate it with 'wbkg browser --write'") from e
    return out


class _Handler(BaseHTTPRequestHandler):
    server_version = "wbkg-browser"
    timeout = REQUEST_TIMEOUT  # socket timeout: a half-sent request ends the connection, not a thread forever
    files: dict[str, tuple[bytes, str]] = {}
    origins: frozenset[str] = frozenset()

    def _refuse(self, status: HTTPStatus, why: str) -> None:
        data = f"{why}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _allowed(self) -> bool:
        """Refuse (and say so) a non-loopback Host or a foreign Origin; True when the request may go on."""
        if not _HOST.match(self.headers.get("Host", "")):
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "only loopback host names are served")
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.origins:
            self._refuse(HTTPStatus.FORBIDDEN, "only the Neo4j Browser's own origin may fetch these files")
            return False
        return True

    def _cors(self) -> None:
        origin = self.headers.get("Origin")
        if origin is None:
            return
        self.send_header("Access-Control-Allow-Origin", origin)  # one of self.origins (checked)
        self.send_header("Vary", "Origin")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "pragma, cache-control, content-type")
        # Chromium's private network access checks: the Browser page may be served from a container port.
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", "600")

    def do_OPTIONS(self) -> None:  # noqa: N802 (the http.server naming)
        if not self._allowed():
            return
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _answer(self, body: bool) -> None:
        if not self._allowed():
            return
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == "/":
            path = f"/{GUIDE_NAME}"
        found = self.files.get(path)
        if found is None:
            data, ctype, status = b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND
        else:
            (data, ctype), status = found, HTTPStatus.OK
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's signature)
        pass  # quiet: the command prints what matters


class _BoundedServer(ThreadingHTTPServer):
    """A threading server that serves at most ``MAX_CONNECTIONS`` connections at once and closes the rest."""

    daemon_threads = True

    def __init__(self, *args: Any, max_connections: int = MAX_CONNECTIONS, **kwargs: Any) -> None:
        self.slots = threading.BoundedSemaphore(max_connections)
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)  # full: close at once rather than queue a thread
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out or went away is no error of ours


class GuideServer:
    """The threaded server on 127.0.0.1:``port`` for the Browser of the Neo4j HTTP port ``http_port``;
    ``start()`` runs it in a daemon thread, ``stop()`` ends it."""

    def __init__(self, port: int = DEFAULT_PORT, files: dict[str, tuple[bytes, str]] | None = None, *,
                 http_port: int = 7474, max_connections: int = MAX_CONNECTIONS) -> None:
        handler = type("Handler", (_Handler,), {"files": files if files is not None else _files(),
                                                "origins": browser_origins(http_port)})
        try:
            self.httpd = _BoundedServer((HOST, port), handler, max_connections=max_connections)
        except OSError as e:
            raise WbkgError(f"cannot listen on {HOST}:{port} ({e.strerror}): another program uses the port; "
                            "stop it or choose another with --port (or WBKG_BROWSER_PORT)") from e
        self.port = int(self.httpd.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> GuideServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="wbkg-browser", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for serve_forever(), so only when it runs
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()

    def __enter__(self) -> GuideServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
