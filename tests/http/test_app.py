"""The admin listener: loopback by default, bearer token when one is configured."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web

from proxy.http.app import create_admin_app, create_app
from proxy.metrics.exporter import DEFAULT_ROUTES
from proxy.settings.load import load_settings

StartAdmin = Callable[[dict[str, str]], Awaitable[str]]


@pytest.fixture
async def start_admin() -> AsyncIterator[StartAdmin]:
    runners: list[web.AppRunner] = []

    async def start(env: dict[str, str]) -> str:
        settings = load_settings(env={"MODPROXY_UPSTREAM_URL": "http://127.0.0.1:1", **env})
        runner = web.AppRunner(create_admin_app(settings), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("token", "sent", "status"),
    [
        (None, None, 200),
        ("s3cret", None, 401),
        ("s3cret", "Bearer wrong", 401),
        ("s3cret", "Bearer s3cret", 200),
    ],
)
async def test_admin_token(start_admin: StartAdmin, token: str | None, sent: str | None, status: int) -> None:
    url = await start_admin({"MODPROXY_ADMIN_TOKEN": token} if token else {})
    headers = {"Authorization": sent} if sent else {}
    async with aiohttp.ClientSession() as http, http.get(f"{url}/admin/config", headers=headers) as response:
        assert response.status == status
        body = await response.json()
    if status == 401:
        assert body["error"]["type"] == "authentication_error"
    else:
        assert body["admin"]["token"] == ("***" if token else None)


def test_every_route_of_the_main_listener_is_a_metrics_route_label() -> None:
    """A route missing from the metrics' list would be counted as ``other``: a new API would vanish
    from the dashboard's per-route panels."""
    settings = load_settings(env={"MODPROXY_UPSTREAM_URL": "http://127.0.0.1:1"})
    names = {route.name for route in create_app(settings).router.routes() if route.name}
    assert names == set(DEFAULT_ROUTES)
