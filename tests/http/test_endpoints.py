"""The endpoints beside the moderated exchange, against the proxy in front of a loopback upstream."""

from __future__ import annotations

import aiohttp

from tests.fixtures.upstream import RunningProxy, StartProxy


async def test_health_and_readiness(proxy: RunningProxy) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{proxy.url}/healthz") as response:
            assert (response.status, await response.json()) == (200, {"status": "ok"})
        async with http.get(f"{proxy.url}/readyz") as response:
            assert response.status == 200
            assert (await response.json())["checks"] == {"upstream": True, "load": True}


async def test_readiness_fails_when_a_check_fails(start_proxy: StartProxy) -> None:
    async def policies_loaded() -> bool:
        return False

    proxy = await start_proxy(ready_checks={"policies": policies_loaded})
    async with aiohttp.ClientSession() as http, http.get(f"{proxy.url}/readyz") as response:
        assert response.status == 503
        assert (await response.json()) == {
            "status": "unready",
            "checks": {"upstream": True, "load": True, "policies": False},
        }
