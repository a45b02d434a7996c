"""A real ``python -m proxy serve`` process: SIGTERM stops accepting and lets in-flight streams finish."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from proxy.http.server import loop_factory
from tests.fixtures.upstream import LoopbackUpstream, Reply, chat_chunks, stream_request

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(rb"listening on (http://127\.0\.0\.1:\d+) \(admin (http://127\.0\.0\.1:\d+)\)")


@dataclass
class ServerProcess:
    process: asyncio.subprocess.Process
    url: str
    admin_url: str

    async def wait_for_log(self, needle: bytes) -> bytes:
        assert self.process.stderr is not None
        while True:
            line = await asyncio.wait_for(self.process.stderr.readline(), 10)
            assert line, "server exited"
            if needle in line:
                return line


async def start_server(
    upstream_url: str, *extra: str, grace: float, env: Mapping[str, str] | None = None
) -> ServerProcess:
    settings_env = {k: v for k, v in os.environ.items() if not k.startswith("MODPROXY_")}
    settings_env["MODPROXY_SERVER_SHUTDOWN_GRACE_SECONDS"] = str(grace)
    settings_env.update(env or {})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "proxy",
        "serve",
        "--upstream",
        upstream_url,
        "--port",
        "0",
        "--admin-port",
        "0",
        *extra,
        cwd=ROOT,
        env=settings_env,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    while True:
        line = await asyncio.wait_for(process.stderr.readline(), 20)
        assert line, "server exited before listening"
        if match := LISTENING.search(line):
            return ServerProcess(process, match[1].decode(), match[2].decode())


@contextlib.asynccontextmanager
async def sigterm_mid_stream(
    http: aiohttp.ClientSession, server: ServerProcess, upstream: LoopbackUpstream
) -> AsyncIterator[aiohttp.ClientResponse]:
    """A streamed answer the server has started relaying when it receives SIGTERM."""
    async with http.post(
        f"{server.url}/v1/chat/completions",
        json=stream_request(),
    ) as response:
        await response.content.readuntil(b"\n\n")
        await asyncio.wait_for(upstream.streaming.wait(), 5)
        server.process.send_signal(signal.SIGTERM)
        yield response


@pytest.fixture
async def held_stream(upstream: LoopbackUpstream) -> AsyncIterator[LoopbackUpstream]:
    upstream.script("/v1/chat/completions", Reply(events=chat_chunks("a", " b", " c"), hold_after=2))
    yield upstream


async def test_sigterm_lets_an_in_flight_stream_finish(held_stream: LoopbackUpstream) -> None:
    server = await start_server(held_stream.url, grace=10)
    async with (
        aiohttp.ClientSession() as http,
        sigterm_mid_stream(http, server, held_stream) as response,
    ):
        await server.wait_for_log(b"shutting down")
        with pytest.raises(aiohttp.ClientConnectionError):
            async with http.get(f"{server.url}/healthz") as refused:
                await refused.read()
        held_stream.release.set()
        rest = await response.read()
    assert rest.endswith(b"data: [DONE]\n\n")
    assert await asyncio.wait_for(server.process.wait(), 10) == 0
    assert not held_stream.cancelled.is_set()


async def test_grace_period_expiry_cuts_the_stream(held_stream: LoopbackUpstream) -> None:
    server = await start_server(held_stream.url, grace=0.3)
    async with (
        aiohttp.ClientSession() as http,
        sigterm_mid_stream(http, server, held_stream) as response,
    ):
        with pytest.raises(aiohttp.ClientPayloadError):
            await asyncio.wait_for(response.read(), 10)
    assert await asyncio.wait_for(server.process.wait(), 10) == 0
    await asyncio.wait_for(held_stream.cancelled.wait(), 5)


async def test_what_was_loaded_is_kept_out_of_full_collections(upstream: LoopbackUpstream) -> None:
    server = await start_server(upstream.url, "--policies", str(ROOT / "policies"), grace=1)
    try:
        assert server.process.stderr is not None
        line = b""
        while b"kept out of full collections" not in line:
            line = await asyncio.wait_for(server.process.stderr.readline(), 10)
        frozen = re.search(rb": (\d+) loaded objects", line)
        assert frozen is not None and int(frozen[1]) > 10_000  # the rules, word lists and the model
    finally:
        server.process.send_signal(signal.SIGTERM)
        await server.process.wait()


async def test_a_reloaded_policy_set_is_kept_out_of_full_collections_too(
    upstream: LoopbackUpstream, tmp_path: Path
) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "a.yaml").write_text(
        "policies:\n  - {id: a, category: t, action: block, keywords: [alpha]}\n"
    )
    server = await start_server(
        upstream.url, "--policies", str(policies), grace=1, env={"MODPROXY_POLICIES_WATCH_INTERVAL": "0.1"}
    )
    try:
        assert server.process.stderr is not None
        await server.wait_for_log(b"loaded objects kept out of full collections")
        (policies / "b.yaml").write_text(
            "policies:\n  - {id: b, category: t, action: block, keywords: [beta]}\n"
        )
        line = await server.wait_for_log(b"loaded objects kept out of full collections")
        frozen = re.search(rb"worker 0: revision \w+: (\d+) loaded objects", line)
        assert frozen is not None and int(frozen[1]) > 1_000, line
    finally:
        server.process.send_signal(signal.SIGTERM)
        await server.process.wait()


async def test_admin_listener_serves_config_without_secrets(upstream: LoopbackUpstream) -> None:
    server = await start_server(upstream.url, grace=1)
    try:
        async with aiohttp.ClientSession() as http, http.get(f"{server.admin_url}/admin/config") as response:
            config = await response.json()
        assert config["upstream"]["url"] == upstream.url
    finally:
        server.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.process.wait(), 10) == 0


def test_the_asyncio_choice_is_the_standard_loop() -> None:
    assert loop_factory("asyncio") is asyncio.new_event_loop


def test_auto_is_uvloop_which_modproxy_installs_with_itself() -> None:
    import uvloop

    assert loop_factory("auto") is uvloop.new_event_loop
    assert loop_factory("uvloop") is uvloop.new_event_loop


@pytest.mark.parametrize("choice", ["asyncio", "auto"])
def test_each_loop_choice_runs_the_proxy_coroutines(choice: str) -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        assert runner.run(answer()) == 42


async def test_serve_runs_on_the_standard_loop_when_asked(upstream: LoopbackUpstream) -> None:
    server = await start_server(upstream.url, grace=1, env={"MODPROXY_SERVER_EVENT_LOOP": "asyncio"})
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{server.url}/v1/chat/completions",
                json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
            ) as response,
        ):
            assert response.status == 200
    finally:
        server.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.process.wait(), 10) == 0
