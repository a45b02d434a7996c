"""Tenants' virtual keys are stored as sha256 hashes, in the form `modproxy hash-key` prints."""

from __future__ import annotations

import hashlib

from proxy.settings.tenants import hash_key, hash_problem


def test_hash_is_sha256_of_the_utf8_key() -> None:
    assert hash_key("vk-ü") == "sha256:" + hashlib.sha256("vk-ü".encode()).hexdigest()
    assert hash_problem(hash_key("x")) is None
    assert hash_problem("sha256:" + "A" * 64) is not None  # lowercase only, as hash-key prints
