"""``modproxy serve``: run the proxy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from proxy.settings.load import SettingsError, load_settings

# flag dest -> setting key; a flag left out (None) does not override lower layers.
FLAG_KEYS = {
    "host": "server.host",
    "port": "server.port",
    "workers": "server.workers",
    "admin_port": "admin.port",
    "upstream": "upstream.url",
    "dev": "upstream.dev",
    "policies": "policies.path",
    "redis_url": "redis.url",
    "admin_token": "admin.token",
}

EPILOG = """\
Every flag is also a setting in the YAML config file (section.key) and an environment
variable MODPROXY_SECTION_KEY, e.g. --port = server.port = MODPROXY_SERVER_PORT.
Precedence: flag > environment > config file > default. See docs/configuration.md.

examples:
  modproxy serve --dev --policies policies          development echo upstream, not an LLM
  modproxy serve --upstream http://127.0.0.1:8000 --port 8080
  MODPROXY_UPSTREAM_API_KEY=... modproxy serve --config modproxy.yaml
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the moderation proxy",
        description="Run the moderation proxy in front of an OpenAI-compatible upstream.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="YAML config file (or MODPROXY_CONFIG)")
    parser.add_argument("--host", help="listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default 8080)")
    parser.add_argument(
        "--admin-port", type=int, help="admin/metrics port, loopback unless a token is set (default 9464)"
    )
    parser.add_argument("--upstream", metavar="URL", help="OpenAI-compatible backend base URL")
    parser.add_argument(
        "--dev",
        action="store_const",
        const=True,
        help="start the built-in development echo upstream (not an LLM) and proxy to it",
    )
    parser.add_argument("--policies", metavar="PATH", help="policy file or directory")
    parser.add_argument("--redis-url", metavar="URL", help="Redis for the shared decision cache")
    parser.add_argument(
        "--workers",
        type=_workers,
        metavar="N|auto",
        help="worker processes sharing the port (default 1; auto: one per CPU)",
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="bearer token for the admin endpoints (prefer MODPROXY_ADMIN_TOKEN: flags show in ps)",
    )
    parser.set_defaults(func=run)


def _workers(value: str) -> int:
    """``auto`` is 0, which the server turns into the CPU count."""
    if value == "auto":
        return 0
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number or auto (got {value!r})") from None


def run(args: argparse.Namespace) -> int:
    overrides = {key: getattr(args, dest) for dest, key in FLAG_KEYS.items()}
    try:
        settings = load_settings(config_file=args.config, overrides=overrides)
    except SettingsError as exc:
        print(f"modproxy: config error: {exc}", file=sys.stderr)
        return 2
    from proxy.http.server import run as run_server  # aiohttp loads only when serving

    try:
        return run_server(settings)
    except SettingsError as exc:
        print(f"modproxy: config error: {exc}", file=sys.stderr)
        return 2
