"""Fuzzing the stream relay and rewriter end to end: a raw upstream streams generated events (valid
chunks carrying blocked words, broken JSON, odd fields, any split) through the proxy with the
shipped policies, in each stream mode. The client always gets a complete, well-formed SSE stream,
and nothing escapes as an unhandled error."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from proxy.http.app import create_serving_apps
from proxy.http.components import open_components
from proxy.settings.load import load_settings
from proxy.stream.sse import SSEParser
from tests.fixtures.raw_upstream import LAST_CHUNK, SSE_HEAD, RawRequest, RawUpstream, framed
from tests.fuzz.corpus import FUZZ, corpus
from tests.fuzz.strategies import EVENTS

POLICIES = Path(__file__).resolve().parents[2] / "policies"
MODES = ("window", "buffer", "audit")
WORDS = st.sampled_from(
    ["how to ", "build a ", "bomb", " 123-45-6789", "制作", "炸弹", "hello", "", "\n", "\ud7ff"]
)
TEXT = st.one_of(WORDS, st.text(max_size=12))
SCALAR = st.one_of(st.none(), st.integers(-2, 3), TEXT, st.booleans())
DELTA = st.fixed_dictionaries(
    {},
    optional={
        "role": st.just("assistant") | SCALAR,
        "content": TEXT | SCALAR,
        "tool_calls": st.lists(
            st.fixed_dictionaries(
                {
                    "index": st.integers(0, 1) | SCALAR,
                    "function": st.fixed_dictionaries({"arguments": TEXT | SCALAR}),
                }
            ),
            max_size=2,
        ),
    },
)
CHOICE = st.fixed_dictionaries(
    {"index": st.integers(0, 2) | SCALAR},
    optional={
        "delta": DELTA | SCALAR,
        "text": TEXT | SCALAR,
        "finish_reason": st.sampled_from([None, "stop", "length"]),
    },
)
CHUNK = st.fixed_dictionaries(
    {"choices": st.lists(CHOICE, max_size=2) | SCALAR},
    optional={"object": st.sampled_from(["chat.completion.chunk", "text_completion"]), "usage": SCALAR},
).map(
    lambda chunk: b"data: " + json.dumps(chunk, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n\n"
)
EVENT = st.one_of(
    CHUNK,
    CHUNK,
    CHUNK,
    st.sampled_from(
        [b"data: [DONE]\n\n", b": keep-alive\n", b"event: ping\ndata: {}\n\n", b"data: {broken\n\n"]
    ),
    st.binary(max_size=30),
)
STREAMS = st.tuples(st.lists(EVENT, max_size=12).map(b"".join), st.lists(st.integers(0, 4000), max_size=6))


@dataclass
class Relay:
    runner: asyncio.Runner
    upstream: RawUpstream
    urls: dict[str, str]
    http: aiohttp.ClientSession
    errors: list[logging.LogRecord]

    def stream(self, mode: str, body: bytes, cuts: list[int], path: str = "/v1/chat/completions") -> None:
        self.runner.run(asyncio.wait_for(self._stream(mode, body, cuts, path), 20))

    async def _stream(self, mode: str, body: bytes, cuts: list[int], path: str) -> None:
        self.errors.clear()

        async def behaviour(request: RawRequest, writer: asyncio.StreamWriter) -> None:
            writer.write(SSE_HEAD)
            bounds = sorted({c % (len(body) + 1) for c in cuts})
            for a, b in zip([0, *bounds], [*bounds, len(body)], strict=True):
                if a < b:
                    writer.write(framed(body[a:b]))
                    await writer.drain()
            writer.write(LAST_CHUNK)

        self.upstream.on(path, behaviour)
        request = {"model": "m", "stream": True, "max_tokens": 9, "input": "hi"}
        request["messages"] = [{"role": "user", "content": "hi"}]
        async with self.http.post(f"{self.urls[mode]}{path}", json=request) as response:
            assert response.status == 200
            data = await response.read()  # raises if the stream was cut instead of ended
        if mode == "audit" and path == "/v1/chat/completions":
            # audit relays the upstream's bytes untouched, broken ones included
            error = data.rfind(b'data: {"error"')
            relayed = data[:error] if error >= 0 and b'"upstream_error"' in data[error:] else data
            assert body.startswith(relayed)
        else:
            parser = SSEParser(1 << 24)
            parser.feed(data)
            parser.close()  # well-formed SSE, whatever the upstream sent
        assert self.errors == [], [r.getMessage() for r in self.errors]


class _Errors(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@pytest.fixture(scope="module")
def relay() -> Iterator[Relay]:
    runner = asyncio.Runner()
    exits = contextlib.AsyncExitStack()
    upstream = RawUpstream()
    errors: list[logging.LogRecord] = []
    handler = _Errors(errors)
    logging.getLogger("proxy").addHandler(handler)
    logging.getLogger("aiohttp").addHandler(handler)

    async def start() -> Relay:
        await upstream.start()
        exits.push_async_callback(upstream.stop)
        urls = {}
        for mode in MODES:
            settings = load_settings(
                env={},
                overrides={
                    "upstream.url": upstream.url,
                    "policies.path": POLICIES,
                    "policies.watch_interval": 0,
                    "streaming.mode": mode,
                    "streaming.max_event_bytes": 2048,
                    "streaming.buffer_max_chars": 400,
                    "limits.max_loop_lag": 0,  # the loop pauses between examples, which is no overload
                    "logging.access_log": False,
                },
            )
            parts = await exits.enter_async_context(open_components(settings, registry=CollectorRegistry()))
            app, _ = create_serving_apps(settings, parts)
            app_runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1)
            await app_runner.setup()
            exits.push_async_callback(app_runner.cleanup)
            await web.TCPSite(app_runner, "127.0.0.1", 0).start()
            host, port = app_runner.addresses[0][:2]
            urls[mode] = f"http://{host}:{port}"
        http = aiohttp.ClientSession()
        exits.push_async_callback(http.close)
        return Relay(runner, upstream, urls, http, errors)

    try:
        yield runner.run(start())
    finally:
        runner.run(exits.aclose())
        runner.close()
        logging.getLogger("proxy").removeHandler(handler)
        logging.getLogger("aiohttp").removeHandler(handler)


@FUZZ
@given(STREAMS, st.sampled_from(MODES))
def test_any_stream_in_any_mode(relay: Relay, stream: tuple[bytes, list[int]], mode: str) -> None:
    relay.stream(mode, *stream)


TYPED_STREAMS = st.tuples(
    EVENTS.map(
        lambda events: b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
    ),
    st.lists(st.integers(0, 4000), max_size=6),
)


@FUZZ
@pytest.mark.parametrize("path", ["/v1/responses", "/v1/messages"])
@given(TYPED_STREAMS, st.sampled_from(MODES))
def test_any_typed_event_stream_in_any_mode(
    relay: Relay, path: str, stream: tuple[bytes, list[int]], mode: str
) -> None:
    relay.stream(mode, *stream, path=path)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("body", corpus("stream"))
def test_corpus(relay: Relay, body: bytes, mode: str) -> None:
    relay.stream(mode, body, [])
    relay.stream(mode, body, list(range(1, len(body), 5)))
