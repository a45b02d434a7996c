"""Streaming through modproxy per API format: chat completions, Responses, Anthropic Messages.

The same 50-delta answer (texts different on every request) is streamed in each API's own
events by a loopback upstream; modproxy (window mode, 10,000 keywords) and a bare aiohttp
passthrough each run in their own process (bench/harness.py). For each API it prints the
medians of interleaved rounds: requests/s and the proxy process's CPU microseconds per streamed
answer, both against the bare passthrough measured in the same run, so the event rewriters of
the Responses and Messages formats can be compared with the chat-chunk path.

    python -m bench.bench_stream_apis [--requests 600] [--concurrency 8] [--mode window|buffer|audit]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
from typing import Any

import aiohttp
from aiohttp import web

from bench import harness
from bench.bench_stream import WORDS, KeywordScanner, keywords
from proxy.app import create_app
from proxy.settings import load_settings

APIS = {
    "chat": "/v1/chat/completions",
    "responses": "/v1/responses",
    "messages": "/v1/messages",
}
CHUNKS = 50


def _deltas(seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(3)) + " " for _ in range(CHUNKS)]


def _sse(name: str | None, data: dict[str, Any]) -> bytes:
    head = f"event: {name}\n" if name else ""
    return (head + "data: " + json.dumps(data) + "\n\n").encode()


def chat_events(deltas: list[str]) -> list[bytes]:
    def chunk(delta: dict[str, Any], finish: str | None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return _sse(None, {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                           "choices": [choice]})  # fmt: skip

    return [*(chunk({"content": d}, None) for d in deltas), chunk({}, "stop"), b"data: [DONE]\n\n"]


def responses_events(deltas: list[str]) -> list[bytes]:
    text = "".join(deltas)
    response = {"id": "resp_1", "object": "response", "status": "in_progress", "model": "m", "output": []}
    item = {"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    part = {"type": "output_text", "text": "", "annotations": []}
    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    done_item = {**item, "status": "completed", "content": [{**part, "text": text}]}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": response},
        {"type": "response.output_item.added", "output_index": 0, "item": item},
        {"type": "response.content_part.added", **where, "part": part},
        *({"type": "response.output_text.delta", **where, "delta": d, "logprobs": []} for d in deltas),
        {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **where, "part": {**part, "text": text}},
        {"type": "response.output_item.done", "output_index": 0, "item": done_item},
        {
            "type": "response.completed",
            "response": {**response, "status": "completed", "output": [done_item]},
        },
    ]
    return [_sse(e["type"], {**e, "sequence_number": n}) for n, e in enumerate(events)]


def messages_events(deltas: list[str]) -> list[bytes]:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
               "stop_reason": None, "usage": {"input_tokens": 1, "output_tokens": 1}}  # fmt: skip
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": message},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": d}}
            for d in deltas
        ),
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 150}},
        {"type": "message_stop"},
    ]
    return [_sse(e["type"], e) for e in events]


EVENTS = {"chat": chat_events, "responses": responses_events, "messages": messages_events}


def upstream_app() -> web.Application:
    seeds = itertools.count()

    def handler(api: str) -> Any:
        async def handle(request: web.Request) -> web.StreamResponse:
            await request.read()
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await response.prepare(request)
            for event in EVENTS[api](_deltas(next(seeds))):  # another text on every request
                await response.write(event)
            await response.write_eof()
            return response

        return handle

    async def models(request: web.Request) -> web.Response:
        return web.Response(text="{}", content_type="application/json")

    app = web.Application()
    for api, path in APIS.items():
        app.router.add_post(path, handler(api))
    app.router.add_get("/v1/models", models)
    return app


def modproxy_app(upstream_url: str, mode: str, keyword_count: int) -> web.Application:
    scanner = KeywordScanner(keywords(keyword_count))
    overrides = {"upstream.url": upstream_url, "logging.access_log": False, "streaming.mode": mode}
    return create_app(load_settings(env={}, overrides=overrides), scanner=lambda: scanner)


def request_body(api: str, n: int) -> dict[str, Any]:
    text = f"question {n}"
    if api == "responses":
        return {"model": "m", "input": text, "stream": True}
    body: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": text}], "stream": True}
    return {**body, "max_tokens": 100} if api == "messages" else body


async def throughput(url: str, api: str, requests: int, concurrency: int) -> float:
    numbers = itertools.count()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        queue = iter(range(requests))

        async def worker() -> None:
            for _ in queue:
                async with session.post(url + APIS[api], json=request_body(api, next(numbers))) as response:
                    await response.read()

        start = asyncio.get_running_loop().time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (asyncio.get_running_loop().time() - start)


async def main(args: argparse.Namespace, cpus: harness.Cpus) -> None:
    ports = {name: harness.free_port() for name in ("upstream", "bare", "modproxy")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    role = ["-m", "bench.bench_stream_apis", "--loop", args.loop, "--mode", args.mode,
            "--keywords", str(args.keywords), "--role"]  # fmt: skip
    children = {
        "upstream": harness.spawn(
            [*role, "upstream", str(ports["upstream"])], cpu=cpus.upstream, loop=args.loop
        ),
        "bare": harness.spawn(
            [*role, "bare", str(ports["bare"]), urls["upstream"]], cpu=cpus.proxy, loop=args.loop
        ),
        "modproxy": harness.spawn(
            [*role, "modproxy", str(ports["modproxy"]), urls["upstream"]], cpu=cpus.proxy, loop=args.loop
        ),
    }
    results: dict[tuple[str, str], dict[str, list[float]]] = {}
    try:
        for url in urls.values():
            await harness.wait_ready(url)
        for api in APIS:
            for name in ("bare", "modproxy"):
                await throughput(urls[name], api, 50, args.concurrency)  # warm-up
                results[api, name] = {"rps": [], "cpu": []}
            for round_ in range(args.rounds):
                for name in ("bare", "modproxy") if round_ % 2 == 0 else ("modproxy", "bare"):
                    before = harness.cpu_seconds(children[name].pid)
                    count = args.requests // args.rounds
                    rps = await throughput(urls[name], api, count, args.concurrency)
                    cpu = (harness.cpu_seconds(children[name].pid) - before) / count * 1e6
                    results[api, name]["rps"].append(rps)
                    results[api, name]["cpu"].append(cpu)
    finally:
        harness.stop(list(children.values()))
    print(f"loop={args.loop} mode={args.mode} keywords={args.keywords} deltas/answer={CHUNKS} "
          f"concurrency={args.concurrency} rounds={args.rounds}; {cpus.describe()}")  # fmt: skip
    for api in APIS:
        bare = {k: harness.median(v) for k, v in results[api, "bare"].items()}
        mod = {k: harness.median(v) for k, v in results[api, "modproxy"].items()}
        rps_ratio, cpu_ratio = mod["rps"] / bare["rps"], mod["cpu"] / bare["cpu"]
        print(f"{api:9}  req/s bare {bare['rps']:7.1f} modproxy {mod['rps']:7.1f} ratio {rps_ratio:.2f}"
              f"   cpu/answer bare {bare['cpu']:6.0f} us modproxy {mod['cpu']:6.0f} us"
              f" ratio {cpu_ratio:.2f}")  # fmt: skip


def run_role(role: list[str], args: argparse.Namespace) -> None:
    name, port = role[0], int(role[1])
    if name == "upstream":
        harness.serve_app(upstream_app, port, args.loop)
    elif name == "bare":
        harness.serve_app(lambda: harness.bare_passthrough(role[2]), port, args.loop)
    else:
        harness.serve_app(lambda: modproxy_app(role[2], args.mode, args.keywords), port, args.loop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600, help="streamed answers per target and API")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--keywords", type=int, default=10_000)
    parser.add_argument("--mode", default="window", choices=["window", "buffer", "audit"])
    parser.add_argument("--loop", choices=harness.LOOPS, default="auto", help="event loop of every process")
    parser.add_argument("--no-pin", action="store_true", help="leave CPU placement to the scheduler")
    parser.add_argument("--role", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        run_role(args.role, args)
        raise SystemExit(0)
    cpus = harness.Cpus.plan(pin=not args.no_pin)
    harness.pin(cpus.load)
    harness.run(main(args, cpus), args.loop)
