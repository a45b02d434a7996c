"""The chunk-level pieces of the chat-completion stream relay (:mod:`proxy.stream.relay`).

What it writes besides the upstream's own events (the notice chunk, ``[DONE]``, re-encoded
and spliced chunks) and what it reads from them (a chunk's JSON, its token usage, how many
choices to expect).
"""

from __future__ import annotations

import json
from typing import Any

from proxy.stream.choices import ChunkOutcome
from proxy.stream.json_splice import splice_string
from proxy.stream.sse import SSEEvent, encode_data, encode_event, encode_json

DONE = "[DONE]"
DONE_EVENT = b"data: [DONE]\n\n"


_NOTICE_HEAD = ("id", "object", "created", "model", "system_fingerprint")


def notice_chunk(first: dict[str, Any], notice: str, choices: int) -> bytes:
    """A chunk shaped like the upstream's first one, opening each of ``choices`` with ``notice``."""
    chunk: dict[str, Any] = {k: first[k] for k in _NOTICE_HEAD if k in first}
    text = notice + "\n\n"
    if first.get("object") == "text_completion":
        chunk["choices"] = [
            {"index": i, "text": text, "logprobs": None, "finish_reason": None} for i in range(choices)
        ]
    else:
        chunk["choices"] = [
            {"index": i, "delta": {"content": text}, "logprobs": None, "finish_reason": None}
            for i in range(choices)
        ]
    return encode_json(chunk)


def encoded(event: SSEEvent) -> bytes:
    if event.event is None and event.id is None and event.retry is None:
        return encode_data(event.data)
    return encode_event(event)


def rewritten(data: str, outcome: ChunkOutcome) -> bytes:
    """The changed chunk; when only one text changed in place, spliced into the upstream's own JSON."""
    if not outcome.reshaped and len(outcome.edits) == 1:
        edit = outcome.edits[0]
        spliced = splice_string(data, edit.name, edit.old, edit.new)
        if spliced is not None:
            return encode_data(spliced)
    return encode_json(outcome.chunk)


_DECODER = json.JSONDecoder()


def json_object(data: str) -> dict[str, Any] | None:
    if not data.startswith("{"):
        return None
    try:
        # raw_decode skips json.loads' layers and whitespace regexes; trailing text is checked here.
        value, end = _DECODER.raw_decode(data)
    except (json.JSONDecodeError, RecursionError):  # deep nesting is relayed as an opaque event
        return None
    if end != len(data) and data[end:].strip(" \t\n\r"):
        return None
    return value if isinstance(value, dict) else None


def token_counts(usage: object, prompt: str, completion: str) -> tuple[int, int] | None:
    """``(prompt, completion)`` tokens from an answer's ``usage`` object, when it gives both as integers."""
    if isinstance(usage, dict):
        prompt_tokens, completion_tokens = usage.get(prompt), usage.get(completion)
        if isinstance(prompt_tokens, int) and isinstance(completion_tokens, int):
            return prompt_tokens, completion_tokens
    return None


def chunk_usage(usage: dict[str, Any]) -> tuple[int, int] | None:
    return token_counts(usage, "prompt_tokens", "completion_tokens")


def expected_choices(body: dict[str, Any]) -> int:
    """How many choices the upstream will stream: ``n`` per prompt."""
    n = body.get("n")
    per_prompt = n if isinstance(n, int) and n > 0 else 1
    prompt = body.get("prompt")
    prompts = len(prompt) if isinstance(prompt, list) and prompt and not isinstance(prompt[0], int) else 1
    return per_prompt * prompts
