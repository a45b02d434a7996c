"""``modproxy settings``: every setting with its environment variable, type, default and meaning."""

from __future__ import annotations

import argparse
from typing import Any

from proxy.settings.load import SettingInfo, describe


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "settings",
        help="list every setting (YAML key, environment variable, type, default)",
        description="List every setting modproxy reads, as the config reference table.",
    )
    parser.add_argument("--markdown", action="store_true", help="print the Markdown table of the docs")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    infos = describe()
    print(markdown_table(infos) if args.markdown else plain_table(infos))
    return 0


def _default(info: SettingInfo) -> str:
    if info.default is None or info.default in ({}, [], ()):
        return "(none)"
    return str(info.default)


def _help(info: SettingInfo) -> str:
    return f"{info.help} (secret, never logged)" if info.secret else info.help


def markdown_table(infos: list[SettingInfo]) -> str:
    rows = [
        "| key | environment variable | type | default | meaning |",
        "|---|---|---|---|---|",
        *(
            f"| `{i.key}` | `{i.env}` | {i.type_name} | `{_default(i)}` | {_help(i)} |".replace(
                "``", "`(none)`"
            )
            for i in infos
        ),
    ]
    return "\n".join(rows)


def plain_table(infos: list[SettingInfo]) -> str:
    width = max(len(i.key) for i in infos)
    return "\n".join(
        f"{i.key:<{width}}  {i.env}  [{i.type_name}] default {_default(i)}\n    {_help(i)}" for i in infos
    )
