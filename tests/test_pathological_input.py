"""No rule file can make one request freeze the proxy: patterns that backtrack catastrophically on
Python's ``re`` run on RE2 (linear), are refused, or run bounded on the opted-in engine."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import aiohttp
import openai
import pytest

from proxy.policy.loader import PolicyLoadError, load_policy_set
from tests.fixtures.served import serve_proxy
from tests.fixtures.upstream import LoopbackUpstream, Reply, chat_completion

ROOT = Path(__file__).resolve().parents[1]
RULES = """\
policies:
  - id: naive-email
    category: pii
    action: redact
    regex: ['[\\w.+-]+@[\\w-]+\\.[\\w.-]+', '(a+)+$']
  - id: words-to-the-end
    category: spam
    action: flag
    regex: ['(\\w+\\s?)+$']
    regex_engine: backtracking
    regex_timeout_ms: 50
"""
CJK = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(350_000))  # ~1 MB of UTF-8
AS = "a" * 1_000_000


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    # The rule files as shipped; the classifier policy is left out: this is about the regex stage, and
    # scoring 1 MB with the built-in model is bounded work of its own, off the event loop.
    shutil.copytree(ROOT / "policies", root, ignore=shutil.ignore_patterns("classifier.yaml"))
    (root / "pathological.yaml").write_text(RULES)
    return root


def test_a_pattern_that_matches_nothing_but_backtracks_is_refused(tmp_path: Path) -> None:
    # ``(\w+\s?)*$`` also matches the empty string, so no engine takes it.
    (tmp_path / "p.yaml").write_text(
        "policies:\n  - id: p\n    category: c\n    action: flag\n    regex: ['(\\w+\\s?)*$']\n"
    )
    with pytest.raises(PolicyLoadError, match=r"p\.yaml:5: .*matches the empty string"):
        load_policy_set(tmp_path)


@pytest.mark.parametrize("body", [CJK, AS], ids=["cjk", "a"])
async def test_a_1mb_message_is_answered_within_a_second_and_health_checks_flow(
    upstream: LoopbackUpstream, policy_dir: Path, body: str
) -> None:
    # A served process of its own, so the probes time the proxy's event loop and nothing of the test's.
    upstream.script("/v1/chat/completions", Reply(json=chat_completion("ok")))
    async with serve_proxy(upstream.url, None, "--policies", str(policy_dir)) as served:
        assert len(body.encode()) >= 1_000_000
        async with (
            openai.AsyncOpenAI(base_url=f"{served.url}/v1", api_key="k", max_retries=0, timeout=10) as client,
            aiohttp.ClientSession() as session,
        ):
            async with session.get(f"{served.url}/healthz") as warm:
                assert warm.status == 200
            started = time.perf_counter()
            chat = asyncio.ensure_future(
                client.chat.completions.create(model="m", messages=[{"role": "user", "content": body}])
            )
            await asyncio.sleep(0)  # let the request start before the probe
            latencies = []
            while not chat.done():
                probe = time.perf_counter()
                async with session.get(f"{served.url}/healthz") as health:
                    assert health.status == 200
                latencies.append(time.perf_counter() - probe)
                await asyncio.wait({chat}, timeout=0.02)
            answer = await chat
            elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert latencies and max(latencies) < 0.1, latencies
    assert answer.choices[0].message.content == "ok"
    assert len(upstream.requests) == 1  # the prompt went through moderation and on to the upstream
