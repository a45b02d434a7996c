"""What the benchmarks send and which rules they run: texts, the 10,000-keyword list, policy profiles.

Prompts and answers are built from two pools of ordinary sentences, English and Chinese, chosen
so that no shipped rule and no generated keyword matches them: every request is answered, every
answer is allowed, and the proxy does the full work of moderating a clean exchange. The load
generator (wrk, see :mod:`bench.wrk`) draws prompts from the same pools, and the bench upstream
(:mod:`bench.upstream`) seeds each answer from the request it answers, so no two prompts and no
two answers are alike and no cache can flatter a figure.
"""

from __future__ import annotations

import enum
import itertools
import random
import shutil
import zlib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "policies"

ENGLISH = (
    "The quarterly report shows steady growth in every region we serve.",
    "Please review the attached pull request before the release on Friday.",
    "Our hiking group met at the trailhead at seven and reached the summit by noon.",
    "Remember to water the tomatoes twice a week during the summer.",
    "The museum's new exhibition covers three centuries of maritime history.",
    "Could you summarise the main differences between these two database designs?",
    "The train to the coast leaves every hour from platform four.",
    "We moved the weekly planning meeting to Wednesday afternoon.",
    "A good index turns a slow table scan into a quick lookup.",
    "The bakery on the corner sells fresh bread until early evening.",
    "Write the migration so that it can run twice without harm.",
    "The library extended its opening hours during the exam season.",
    "Keep the function small and give every parameter a clear name.",
    "The orchestra rehearsed the second movement until it sounded right.",
    "Our support team answers most questions within one working day.",
    "The bridge was repainted last spring and looks brand new.",
    "Explain the trade-offs of caching the results at the edge.",
    "The garden needs a new fence before the rabbits find the lettuce.",
    "Students presented their science projects in the main hall.",
    "The new release improves start-up time and fixes several crashes.",
    "Translate the product description into plain, friendly language.",
    "Autumn leaves covered the path through the old park.",
    "The conference schedule lists the keynote right after lunch.",
    "Please keep the answer short and use a numbered list.",
)
CHINESE = (
    "会议改到下周三下午三点，请大家准时参加。",
    "这款软件的新版本修复了多个已知问题，并提升了性能。",
    "周末我们去公园野餐，天气非常好。",
    "请帮我把这段说明改写得更简洁一些。",
    "图书馆在考试期间延长了开放时间。",
    "这座桥去年春天重新粉刷过，看起来像新的一样。",
    "我们的客服团队通常在一个工作日内回复问题。",
    "请用编号列表的形式给出回答。",
    "新的展览介绍了三个世纪的航海历史。",
    "火车每小时从四号站台发车一次。",
    "这家面包店每天傍晚之前都有新鲜面包。",
    "学生们在礼堂里展示了他们的科学项目。",
    "请解释一下在边缘节点缓存结果的利弊。",
    "秋天的落叶铺满了老公园的小路。",
    "函数要写得短小，每个参数都要有清楚的名字。",
    "数据库加上合适的索引以后，查询快了很多。",
    "乐团反复排练第二乐章，直到声音准确为止。",
    "请把产品介绍翻译成平实友好的语言。",
    "季度报告显示各个地区都在稳步增长。",
    "会议日程把主题演讲安排在午饭之后。",
)
SYSTEM = (
    "You are a helpful assistant for a software company. Answer clearly and politely, "
    "in the language of the question. 请用用户提问的语言回答。"
)
PROMPT_BYTES = 1200
ANSWER_BYTES = 1400
STREAM_CHUNKS = 50
KEYWORDS = 10_000
NAIVE_EMAIL = r"[\w.+-]+@[\w-]+\.[\w.-]+"

_CONSONANTS = "bcdfghjklmnpqrstvwxz"
_USED_CJK = frozenset("".join(CHINESE))
# Common-use CJK ideographs the sentence pools never use: keywords made of them never match.
_CJK = [chr(c) for c in range(0x4E00, 0x6000) if chr(c) not in _USED_CJK]


def sentences(rng: random.Random, size: int) -> str:
    """Sentences, English and Chinese about half and half, until ``size`` UTF-8 bytes."""
    parts: list[str] = []
    total = 0
    while total < size:
        sentence = rng.choice(ENGLISH) if rng.random() < 0.5 else rng.choice(CHINESE)
        parts.append(sentence)
        total += len(sentence.encode()) + 1
    return " ".join(parts)


def answer_for(body: bytes) -> tuple[int, str]:
    """The bench upstream's answer to ``body``: a seed from its hash, and ~1.4 KB of sentences."""
    seed = zlib.crc32(body)
    return seed, f"Answer {seed:08x}. " + sentences(random.Random(seed), ANSWER_BYTES)


def reasoning_for(seed: int) -> str:
    """A reasoning model's thinking before the answer of ``seed``: another ~1.4 KB of sentences."""
    return f"Thinking {seed:08x}. " + sentences(random.Random(seed ^ 0x5EED), ANSWER_BYTES)


def wants_reasoning(body: bytes) -> bool:
    """Whether a request body asks the bench upstream for a reasoning model (:data:`REASONING_MODEL`)."""
    return f'"model":"{REASONING_MODEL}"'.encode() in body.replace(b" ", b"")


def pieces(text: str, count: int) -> list[str]:
    """``text`` cut into ``count`` pieces that join back into it."""
    cuts = [len(text) * i // count for i in range(count + 1)]
    return [text[a:b] for a, b in itertools.pairwise(cuts)]


def keywords(count: int = KEYWORDS) -> list[str]:
    """``count`` distinct keywords, half Latin (no vowels: never an English word), half CJK."""
    rng = random.Random(1)
    out: set[str] = set()
    while len(out) < count:
        if len(out) % 2:
            out.add("".join(rng.choice(_CONSONANTS) for _ in range(rng.randint(6, 14))))
        else:
            out.add("".join(rng.choice(_CJK) for _ in range(rng.randint(2, 5))))
    return sorted(out)


class Profile(enum.Enum):
    """Which rules the measured ``modproxy serve`` runs (``--profile``)."""

    FULL = "full"
    """The shipped policies, 10,000 keywords and the naive email regex."""
    KEYWORDS = "keywords"
    """10,000 keywords, no regex."""
    NONE = "none"
    """No ``--policies`` at all."""
    SHIPPED = "shipped"
    """Exactly ``policies/`` as shipped."""
    SHIPPED_KEYWORDS_ONLY = "shipped-keywords-only"
    """The shipped policies without their classifier policies."""
    SHIPPED_BUILTIN = "shipped-builtin"
    """The shipped policies plus a built-in classifier policy (if they carry none themselves)."""


class Api(enum.Enum):
    """The wire format a benchmark speaks (``--api`` of bench_stream_apis): a path and a body shape."""

    CHAT = "chat"
    """OpenAI chat completions: ``messages`` with a system message."""
    RESPONSES = "responses"
    """The OpenAI Responses API: ``instructions`` and ``input``."""
    MESSAGES = "messages"
    """Anthropic Messages: ``system``, ``messages`` and ``max_tokens``."""
    CHAT_REASONING = "chat-reasoning"
    """Chat completions from a reasoning model (``model: bench-reasoning``): the upstream streams
    ``reasoning_content`` deltas of another ~1.4 KB text before the answer's, as DeepSeek-R1-style
    models do, and a JSON answer carries both."""
    MESSAGES_THINKING = "messages-thinking"
    """Anthropic Messages with extended thinking (``model: bench-reasoning``): a signed thinking block
    of another ~1.4 KB text, streamed as ``thinking_delta`` events and its ``signature_delta``,
    before the answer's text block."""

    @property
    def path(self) -> str:
        return _API_PATHS[self]

    @property
    def title(self) -> str:
        return _API_TITLES[self]

    def body(self, prompt: str, *, stream: bool) -> dict[str, Any]:
        """A request with :data:`SYSTEM` and ``prompt``, as the wrk script writes it."""
        if self is Api.RESPONSES:
            return {"model": "bench", "stream": stream, "instructions": SYSTEM, "input": prompt}
        user = [{"role": "user", "content": prompt}]
        if self is Api.MESSAGES:
            return {
                "model": "bench",
                "stream": stream,
                "max_tokens": 1024,
                "system": SYSTEM,
                "messages": user,
            }
        if self is Api.MESSAGES_THINKING:
            return {
                "model": REASONING_MODEL,
                "stream": stream,
                "max_tokens": 2048,
                "thinking": {"type": "enabled", "budget_tokens": 1024},
                "system": SYSTEM,
                "messages": user,
            }
        return {
            "model": REASONING_MODEL if self is Api.CHAT_REASONING else "bench",
            "stream": stream,
            "messages": [{"role": "system", "content": SYSTEM}, *user],
        }

    def complete(self, answer: bytes, *, stream: bool) -> bool:
        """Whether ``answer`` is a whole answer in this format (a stream up to its last event)."""
        if stream:
            return _API_LAST_EVENT[self] in answer and answer.endswith(b"\n\n")
        return _API_JSON_MARK[self] in answer


REASONING_MODEL = "bench-reasoning"
_API_PATHS = {
    Api.CHAT: "/v1/chat/completions",
    Api.RESPONSES: "/v1/responses",
    Api.MESSAGES: "/v1/messages",
    Api.CHAT_REASONING: "/v1/chat/completions",
    Api.MESSAGES_THINKING: "/v1/messages",
}
_API_TITLES = {
    Api.CHAT: "chat completions",
    Api.RESPONSES: "Responses API",
    Api.MESSAGES: "Anthropic Messages",
    Api.CHAT_REASONING: "chat completions, reasoning model (+50 reasoning deltas)",
    Api.MESSAGES_THINKING: "Anthropic Messages, extended thinking (+50 thinking deltas)",
}
_API_JSON_MARK = {
    Api.CHAT: b'"choices"',
    Api.RESPONSES: b'"output"',
    Api.MESSAGES: b'"content"',
    Api.CHAT_REASONING: b'"reasoning_content"',
    Api.MESSAGES_THINKING: b'"thinking"',
}
_API_LAST_EVENT = {
    Api.CHAT: b"data: [DONE]",
    Api.RESPONSES: b"response.completed",
    Api.MESSAGES: b"message_stop",
    Api.CHAT_REASONING: b"data: [DONE]",
    Api.MESSAGES_THINKING: b"message_stop",
}


KEYWORD_POLICY = """\
policies:
  - id: bench-keywords
    description: A generated list of 10,000 terms, Latin and Chinese
    category: bench
    action: block
    keyword_files: [bench_keywords.txt]
"""
EMAIL_POLICY = f"""\
policies:
  - id: bench-email
    description: The email pattern most people write first
    category: pii
    action: redact
    regex: ['{NAIVE_EMAIL}']
    replacement: "[EMAIL]"
"""
BUILTIN_POLICY = """\
policies:
  - id: bench-builtin
    description: The built-in classifier
    category: toxicity
    action: flag
    classifier: {backend: builtin, thresholds: {hate: 0.8, violence: 0.8, self_harm: 0.5}}
"""


def policy_dir(profile: Profile, workdir: Path) -> Path | None:
    """A policy directory for ``profile`` under ``workdir`` (``None``: serve without policies)."""
    if profile is Profile.NONE:
        return None
    target = workdir / profile.value
    shutil.rmtree(target, ignore_errors=True)
    if profile in (Profile.FULL, Profile.SHIPPED, Profile.SHIPPED_BUILTIN):
        shutil.copytree(SHIPPED, target)
    elif profile is Profile.SHIPPED_KEYWORDS_ONLY:
        shutil.copytree(SHIPPED, target)
        _drop_classifier_policies(target)
    else:
        target.mkdir(parents=True)
    if profile in (Profile.FULL, Profile.KEYWORDS):
        (target / "bench_keywords.txt").write_text("\n".join(keywords()) + "\n", encoding="utf-8")
        (target / "bench_keywords.yaml").write_text(KEYWORD_POLICY, encoding="utf-8")
    if profile is Profile.FULL:
        (target / "bench_email.yaml").write_text(EMAIL_POLICY, encoding="utf-8")
    if profile is Profile.SHIPPED_BUILTIN and not _has_classifier(target):
        (target / "bench_builtin.yaml").write_text(BUILTIN_POLICY, encoding="utf-8")
    return target


def _rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml"))


def _has_classifier(directory: Path) -> bool:
    return any("classifier" in policy for file in _rule_files(directory) for policy in _policies(_load(file)))


def _drop_classifier_policies(directory: Path) -> None:
    for file in _rule_files(directory):
        document = _load(file)
        kept = [p for p in _policies(document) if "classifier" not in p]
        if len(kept) == len(_policies(document)):
            continue
        if kept:
            # The file's tests may name the dropped policies: they are not needed for serving.
            file.write_text(yaml.safe_dump({"policies": kept}, allow_unicode=True), encoding="utf-8")
        else:
            file.unlink()


def _load(file: Path) -> Any:
    return yaml.safe_load(file.read_text(encoding="utf-8"))


def _policies(document: Any) -> list[dict[str, Any]]:
    policies = document.get("policies") if isinstance(document, dict) else None
    return [p for p in policies if isinstance(p, dict)] if isinstance(policies, list) else []
