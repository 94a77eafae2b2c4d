"""A small HTTP server on 127.0.0.1 for the Neo4j Browser: the guide and the stylesheet, with CORS headers.

The Browser fetches ``:play URL`` and ``:style URL`` from the page's origin (its own server), so the answers
need ``Access-Control-Allow-Origin``; ``:play`` also sends ``pragma`` and ``cache-control`` headers, which
makes the web browser ask first with an ``OPTIONS`` preflight. Only the two committed files are served, from
memory; the server listens on the loopback interface only.
"""

from __future__ import annotations

import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from wbkg.browser.guide import GUIDE_PATH
from wbkg.browser.style import STYLE_PATH
from wbkg.browser.urls import DEFAULT_PORT, GUIDE_NAME, HOST, STYLE_NAME, guide_url, post_connect_cmd, style_url
from wbkg.errors import WbkgError

# the URLs live in browser.urls (light, for the CLI's options); re-exported for callers of this module
__all__ = ["DEFAULT_PORT", "GuideServer", "guide_url", "post_connect_cmd", "style_url"]


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
    files: dict[str, tuple[bytes, str]] = {}

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "pragma, cache-control, content-type")
        # Chromium's private network access checks: the Browser page may be served from a container port.
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", "600")

    def do_OPTIONS(self) -> None:  # noqa: N802 (the http.server naming)
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _answer(self, body: bool) -> None:
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


class GuideServer:
    """The threaded server on 127.0.0.1:``port``; ``start()`` runs it in a daemon thread, ``stop()`` ends it."""

    def __init__(self, port: int = DEFAULT_PORT, files: dict[str, tuple[bytes, str]] | None = None) -> None:
        handler = type("Handler", (_Handler,), {"files": files if files is not None else _files()})
        try:
            self.httpd = ThreadingHTTPServer((HOST, port), handler)
        except OSError as e:
            raise WbkgError(f"cannot listen on {HOST}:{port} ({e.strerror}): another program uses the port; "
                            "stop it or choose another with --port (or WBKG_BROWSER_PORT)") from e
        self.httpd.daemon_threads = True
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
