"""``modproxy hash-key``: the ``sha256:...`` form of a virtual key, for ``tenants.<name>.key_hashes``."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from typing import Any

from proxy.settings.tenants import hash_key

KEY_PREFIX = "mp-"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hash-key",
        help="hash a virtual API key for the tenants config (or make a new key)",
        description=(
            "Print the hash of a virtual API key, as tenants.<name>.key_hashes stores it. The key is "
            "read from standard input (a prompt on a terminal), never from the command line, so it "
            "does not end up in shell history or process listings."
        ),
    )
    parser.add_argument(
        "--generate",
        action="store_true",
        help="make a new random key and print it (give it to the client) and its hash (put it in the config)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.generate:
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        print(f"key:  {key}")
        print(f"hash: {hash_key(key)}")
        return 0
    key = getpass.getpass("virtual key: ") if sys.stdin.isatty() else sys.stdin.readline()
    key = key.strip()
    if not key:
        print("modproxy: hash-key: no key given on standard input", file=sys.stderr)
        return 2
    print(hash_key(key))
    return 0
