"""``modproxy`` command line: one subcommand per module, each registering its own parser."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from proxy import __version__

# Each module exposes ``register(subparsers)``; the parser it adds sets ``func``.
_COMMAND_MODULES = (
    "proxy.cli.serve",
    "proxy.cli.dev_upstream",
    "proxy.cli.policy_cmds",
    "proxy.cli.authoring",
    "proxy.cli.train",
    "proxy.cli.settings_cmd",
    "proxy.cli.hash_key",
    "proxy.cli.audit",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modproxy",
        description="Content-moderation reverse proxy for OpenAI-compatible LLM APIs.",
    )
    parser.add_argument("--version", action="version", version=f"modproxy {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    result: int = args.func(args)
    return result
