"""Virtual keys: looked up by hash; a missing or wrong key is an OpenAI 401."""

from __future__ import annotations

import pytest

from proxy.errors import InvalidApiKey
from proxy.http.keys import VirtualKeys
from proxy.settings.tenants import Tenant, hash_key

KEYS = VirtualKeys(
    {
        "public-web": Tenant((hash_key("vk-public"), hash_key("vk-public-rotated"))),
        "internal": Tenant((hash_key("vk-internal"),)),
    }
)


@pytest.mark.parametrize(
    ("authorization", "tenant"),
    [
        ("Bearer vk-public", "public-web"),
        ("Bearer vk-public-rotated", "public-web"),  # several keys per tenant, for rotation
        ("bearer  vk-internal ", "internal"),
    ],
)
def test_a_known_key_names_its_tenant(authorization: str, tenant: str) -> None:
    assert KEYS.authenticate(authorization) == tenant


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "You didn't provide an API key"),
        ("", "You didn't provide an API key"),
        ("Basic dXNlcjpwdw==", "must be 'Bearer YOUR_KEY'"),
        ("Bearer", "must be 'Bearer YOUR_KEY'"),
        ("Bearer vk-wrong", "Incorrect API key provided."),
        ("Bearer " + hash_key("vk-public"), "Incorrect API key provided."),  # the hash is not the key
    ],
)
def test_missing_or_wrong_keys_are_rejected_like_openai(authorization: str | None, message: str) -> None:
    with pytest.raises(InvalidApiKey) as caught:
        KEYS.authenticate(authorization)
    error = caught.value
    assert (error.status, error.type, error.code) == (401, "invalid_request_error", "invalid_api_key")
    assert message in error.message
    assert "vk-" not in error.message  # a presented key is never echoed back


def test_no_tenants_means_virtual_keys_are_off() -> None:
    assert not VirtualKeys({}).enabled
    assert KEYS.enabled
