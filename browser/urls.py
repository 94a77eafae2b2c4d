"""Where the guide server answers: its port and the URLs of the guide and the style.

Kept apart from ``browser.serve`` (which loads the HTTP server) so that the CLI can build its options,
and ``wbkg --help`` can print them, without importing it.
"""

from __future__ import annotations

HOST = "127.0.0.1"
DEFAULT_PORT = 7475
GUIDE_NAME = "guide.html"
STYLE_NAME = "style.grass"


def guide_url(port: int = DEFAULT_PORT) -> str:
    return f"http://{HOST}:{port}/{GUIDE_NAME}"


def style_url(port: int = DEFAULT_PORT) -> str:
    return f"http://{HOST}:{port}/{STYLE_NAME}"


def post_connect_cmd(port: int = DEFAULT_PORT) -> str:
    """The value of ``browser.post_connect_cmd``: apply the style, then open the guide."""
    return f"style {style_url(port)}; play {guide_url(port)}"
