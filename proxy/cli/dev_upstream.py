"""``modproxy dev-upstream``: the development echo backend on its own port."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dev-upstream",
        help="run a development echo backend (not an LLM) speaking the OpenAI API",
        description=(
            "Run a small OpenAI-compatible ECHO backend for quick-starts, demos and tests. It is not a "
            "language model: chat completions repeat the last user message (streamed word by word with "
            "stream: true), completions repeat the prompt, /v1/models lists one model."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="listen port (default 8000)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aiohttp import web

    from proxy.dev_upstream.echo import BANNER, create_dev_upstream_app

    print(BANNER, file=sys.stderr)
    web.run_app(
        create_dev_upstream_app(),
        host=args.host,
        port=args.port,
        access_log=None,
        print=lambda message: print(message, file=sys.stderr, flush=True),
    )
    return 0
