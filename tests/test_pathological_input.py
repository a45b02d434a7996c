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
from tests.fixtures.stack import StartStack

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
    shutil.copytree(ROOT / "policies", root)
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
    start_stack: StartStack, policy_dir: Path, body: str
) -> None:
    stack = await start_stack(policies=policy_dir)
    assert len(body.encode()) >= 1_000_000
    async with (
        openai.AsyncOpenAI(base_url=stack.base_url, api_key="k", max_retries=0, timeout=10) as client,
        aiohttp.ClientSession() as session,
    ):
        async with session.get(f"{stack.url}/healthz") as warm:
            assert warm.status == 200
        started = time.perf_counter()
        chat = asyncio.ensure_future(
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": body}])
        )
        await asyncio.sleep(0)  # let the request start before the probe
        latencies = []
        while not chat.done():
            probe = time.perf_counter()
            async with session.get(f"{stack.url}/healthz") as health:
                assert health.status == 200
            latencies.append(time.perf_counter() - probe)
            await asyncio.wait({chat}, timeout=0.02)
        answer = await chat
        elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert latencies and max(latencies) < 0.1, latencies
    assert answer.choices[0].message.content is not None
