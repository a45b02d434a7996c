"""What every wire format shares: text slots, the parsed request, and the :class:`ApiFormat` interface.

Each module of this package describes one API: where its texts are in requests and
responses, and how a blocked prompt, a blocked answer and a blocked stream look in that
API's own conventions. ``proxy.http.handlers`` tells one request story over an :class:`ApiFormat`
and never looks inside a body itself.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from proxy.apis import json_limits
from proxy.apis.json_limits import DEFAULT_LIMITS, JsonLimits
from proxy.errors import BadRequest
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Decision, Finding, policy_message
from proxy.stream.chunks import token_counts
from proxy.stream.events import Released, RewriterFactory

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class TextSlot:
    path: JsonPath
    text: str
    group: int
    """The prompt index (completions), 0 for a chat prompt, or the choice index of a response."""
    sealed: bool = False
    """The text must go out exactly as written (an Anthropic thinking block, signed over its text):
    its verdict can pass or refuse it, never rewrite it."""


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    body: dict[str, Any]
    model: str | None
    stream: bool
    slots: tuple[TextSlot, ...]
    token_prompt: bool = False
    """The prompt is given (in part) as token ids, which carry no text to moderate."""
    hold_stream: bool = False
    """The streamed answer must be whole before the client gets any of it (spoken answers: each
    piece of audio would be heard before its transcript could be checked), so ``window`` mode
    becomes ``buffer`` mode for it."""

    @property
    def texts(self) -> list[str]:
        return [slot.text for slot in self.slots]

    @property
    def sealed(self) -> tuple[bool, ...]:
        """Which texts are sealed (:attr:`TextSlot.sealed`); empty when none is."""
        return sealed_mask(self.slots)


def sealed_mask(slots: Sequence[TextSlot]) -> tuple[bool, ...]:
    """Which of ``slots`` are sealed, as :meth:`~proxy.moderation.moderator.Moderator.moderate` takes
    it; empty when none is, the usual case."""
    mask = tuple(slot.sealed for slot in slots)
    return mask if any(mask) else ()


@dataclass(frozen=True, slots=True)
class LocalReply:
    """An answer the proxy gives itself, in the API's own shape (a blocked prompt)."""

    status: int
    body: dict[str, Any]


def decode_json(raw: bytes, content_type: str, limits: JsonLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    del content_type
    return parse_json_object(raw, limits)


def encode_json(raw: bytes, content_type: str, parsed: ParsedRequest, prompt: Moderation) -> bytes:
    """The body to forward: the client's own bytes, unless a redaction changed a text."""
    del content_type
    body = with_redactions(parsed.body, parsed.slots, prompt)
    return raw if body is parsed.body else json.dumps(body).encode()


def parse_json_object(raw: bytes, limits: JsonLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    try:
        body = json_limits.loads(raw, limits)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}", code="invalid_json") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", code="invalid_json")
    return body


def require_model(body: Mapping[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("'model' is required and must be a non-empty string.", param="model")
    return model


def optional_model(body: Mapping[str, Any]) -> str | None:
    model = body.get("model")
    return model if isinstance(model, str) and model else None


def is_token_array(value: Any) -> bool:
    """A prompt given as token ids: ``[1, 2]`` or ``[[1, 2], [3]]``."""
    if not isinstance(value, list) or not value:
        return False
    first = value[0]
    if isinstance(first, list):
        return all(isinstance(v, list) and all(isinstance(t, int) for t in v) for v in value)
    return all(isinstance(t, int) and not isinstance(t, bool) for t in value)


def string_leaves(
    value: Any, at: JsonPath, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[JsonPath, str]]:
    """Every string inside a JSON value (tool inputs given as objects), with its path, in order,
    but none under an object key in ``skip``.

    A loop rather than recursion: a client's nesting depth must not decide the proxy's stack."""
    stack: list[tuple[JsonPath, Any]] = [(at, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, dict):
            stack.extend(((*path, key), child) for key, child in reversed(item.items()) if key not in skip)
        elif isinstance(item, list):
            stack.extend(((*path, i), child) for i, child in reversed(list(enumerate(item))))


def leaf_slots(value: Any, at: JsonPath, skip: frozenset[str]) -> list[TextSlot]:
    """A slot for every non-empty string inside ``value`` (an item or block whose texts have no fixed
    field), none under a key in ``skip``."""
    return [TextSlot(path, text, 0) for path, text in string_leaves(value, at, skip) if text]


async def rewrite_leaves(
    value: Any,
    skip: frozenset[str],
    check: Callable[[str], Awaitable[Released]],
    *,
    but: JsonPath | None = None,
) -> tuple[Finding | None, bool]:
    """Every non-empty string inside ``value`` (none under a key in ``skip``, nor at ``but``) through
    ``check``, each rewritten in place to what it released: the first block, and whether any changed."""
    changed = False
    for path, text in string_leaves(value, (), skip):
        if not text or path == but:
            continue
        released = await check(text)
        if released.block is not None:
            return released.block, changed
        if released.text != text:
            set_path(value, path, released.text)
            changed = True
    return None, changed


def tool_description_slots(
    tools: Any, at: str, *, function_key: str | None, schema_key: str
) -> list[TextSlot]:
    """Tool descriptions are prompt text (instructions hide there): ``tools[i][.function].description``
    and every description in the tool's input schema (``schema_key``)."""
    if not isinstance(tools, list):
        return []
    slots: list[TextSlot] = []
    for i, tool in enumerate(tools):
        holder = tool.get(function_key) if isinstance(tool, dict) and function_key else tool
        if not isinstance(holder, dict):
            continue
        base: JsonPath = (at, i, function_key) if function_key else (at, i)
        if isinstance(holder.get("description"), str):
            slots.append(TextSlot((*base, "description"), holder["description"], 0))
        slots.extend(schema_description_slots(holder.get(schema_key), (*base, schema_key)))
    return slots


def schema_description_slots(schema: Any, at: JsonPath) -> list[TextSlot]:
    """Every ``description`` inside a JSON schema (a tool's input, a structured output's format): the
    model reads them, so instructions can hide there as in a tool's own description."""
    return [TextSlot(path, text, 0) for path, text in string_leaves(schema, at) if path[-1] == "description"]


def with_redactions(
    body: dict[str, Any], slots: Sequence[TextSlot], moderation: Moderation
) -> dict[str, Any]:
    """A copy of ``body`` with every redacted text written back; ``body`` itself is untouched."""
    redacted = [
        (s, d.redacted) for s, d in zip(slots, moderation.decisions, strict=True) if d.redacted is not None
    ]
    if not redacted:
        return body
    out = copy.deepcopy(body)
    for slot, text in redacted:
        set_path(out, slot.path, text)
    return out


def set_path(body: Any, path: JsonPath, value: Any) -> None:
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def blocking_categories(moderation: Moderation) -> list[str]:
    blocking = [d for d in moderation.decisions if d.action is Action.BLOCK]
    return sorted({f.category for d in blocking for f in d.findings if f.action is Action.BLOCK})


def blocked_message(what: str, categories: Sequence[str]) -> str:
    return f"The {what} was filtered by the content policy" + (
        f" (categories: {', '.join(categories)})." if categories else "."
    )


def filter_results(decisions: Iterable[Decision]) -> dict[str, dict[str, Any]]:
    """Azure-style ``content_filter_results``: one entry per category that any enforced rule matched."""
    results: dict[str, dict[str, Any]] = {}
    for decision in decisions:
        for finding in decision.findings:
            if finding.shadow:
                continue
            entry = results.setdefault(finding.category, {"filtered": False, "detected": True})
            entry["filtered"] = entry["filtered"] or finding.action >= Action.REDACT
            if finding.score is not None:
                entry["severity"] = max(
                    entry.get("severity", "safe"), _severity(finding.score), key=_SEVERITY.index
                )
    return results


def block_category(findings: Iterable[Finding]) -> str | None:
    return next((f.category for f in findings if f.action is Action.BLOCK and not f.shadow), None)


def refusal_for(texts: Iterable[str], default: str, by_language: Mapping[str, str]) -> str:
    if "zh" in by_language and mostly_cjk(texts):
        return by_language["zh"]
    return default


_SEVERITY = ("safe", "low", "medium", "high")


def _severity(score: float) -> str:
    if score >= 0.9:
        return "high"
    if score >= 0.6:
        return "medium"
    return "low"


def _byte_set(*spans: tuple[int, int]) -> bytes:
    return bytes(b for start, end in spans for b in range(start, end + 1))


def _all_but(kept: bytes) -> bytes:
    return bytes(b for b in range(256) if b not in kept)


# Counted on the UTF-8 bytes, in C: a letter is an ASCII letter or the lead byte of a character from
# a block of letters; a CJK letter is a character from U+3040-U+DFFF (kana, Bopomofo, Hangul, CJK
# ideographs, Yi), whose lead bytes are 0xE3 to 0xED (CJK punctuation, U+3000-U+303F, is subtracted);
# fullwidth Latin letters (U+FF21-U+FF5A) are not counted.
_CJK_LEADS = _byte_set((0xE3, 0xED))
_LETTER_BYTES = _byte_set((0x41, 0x5A), (0x61, 0x7A), (0xC3, 0xDF), (0xE0, 0xE1)) + _CJK_LEADS
_NOT_CJK = _all_but(_CJK_LEADS)
_NOT_LETTER = _all_but(_LETTER_BYTES)
_CJK_SYMBOLS = "\u3000".encode()[:2]  # U+3000-U+303F: CJK punctuation, lead 0xE3 like the kana


def mostly_cjk(texts: Iterable[str]) -> bool:
    """Whether more than half of the letters are CJK, from byte counts (no per-character loop)."""
    cjk = letters = 0
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        letters += len(data.translate(None, _NOT_LETTER))
        if not text.isascii():
            symbols = data.count(_CJK_SYMBOLS)
            letters -= symbols
            cjk += len(data.translate(None, _NOT_CJK)) - symbols
    return letters > 0 and cjk * 2 > letters


def policy_text(findings: Iterable[Finding], action: Action, prompt_texts: Iterable[str]) -> str | None:
    """The ``message`` of a policy that took ``action``, in the prompt's language (None: no message)."""
    own = policy_message(findings, action)
    return None if own is None else own.for_language(mostly_cjk(prompt_texts))


def notice_for(prompt: Moderation, prompt_texts: Sequence[str]) -> str | None:
    """The message of a policy that flagged the prompt (help resources, say), in its language."""
    return policy_text(prompt.findings, Action.FLAG, prompt_texts)


def rewrites_response(moderation: Moderation) -> bool:
    """Whether a response verdict changes any text: a block (refusal) or a redaction."""
    return any(d.action is Action.BLOCK or d.redacted is not None for d in moderation.decisions)


def input_output_usage(body: Mapping[str, Any]) -> tuple[int, int] | None:
    """The token usage of a Responses or Anthropic Messages answer (``input_tokens``, ``output_tokens``)."""
    return token_counts(body.get("usage"), "input_tokens", "output_tokens")


Splicer = Callable[
    [bytes, dict[str, Any], Sequence[TextSlot], Moderation, Sequence[TextSlot], Moderation], bytes | None
]
"""(upstream bytes, parsed answer, prompt slots, prompt verdict, answer slots, answer verdict) → bytes."""


Parse = Callable[[dict[str, Any]], ParsedRequest]
ResponseSlots = Callable[[dict[str, Any]], list[TextSlot]]
ApplyResponse = Callable[[dict[str, Any], Sequence[TextSlot], Moderation, str, Sequence[str]], None]


def apply_nothing(
    body: dict[str, Any],
    slots: Sequence[TextSlot],
    moderation: Moderation,
    refusal: str,
    prompt_texts: Sequence[str],
) -> None:
    """The ``apply_response`` of an API whose answer carries no text to moderate."""
    del body, slots, moderation, refusal, prompt_texts


@dataclass(frozen=True, slots=True)
class ApiFormat:
    """One API's wire format, as the request story in ``proxy.http.handlers`` uses it."""

    endpoint: str
    """The ``route`` label of the request metrics (docs/observability.md)."""
    parse: Parse
    prompt_blocked: Callable[[Moderation, Sequence[str]], LocalReply]
    """The local reply to a blocked prompt, given the verdict and the prompt's texts (its language)."""
    response_slots: ResponseSlots | None
    """``None``: the answer carries no text (embeddings, images) and is relayed as it came."""
    apply_response: ApplyResponse
    """Write a response verdict into the answer: redactions back, a block in the API's own way
    (the route's refusal, or a blocking policy's own message in the prompt's language)."""
    annotate_prompt: Callable[[dict[str, Any], Sequence[TextSlot], Moderation], None] | None = None
    splice_annotations: Splicer | None = None
    """An answer whose texts stay as they are: its annotations written into the upstream's own bytes
    (None when that cannot be done safely, and the answer is re-encoded)."""
    add_notice: Callable[[dict[str, Any], str], None] | None = None
    """Put a flagged prompt's policy message (help resources) before the answer."""
    stream: RewriterFactory | None = None
    """Builds a stream's event rewriter (:mod:`proxy.stream.events`); ``None``: chat-completion chunks."""
    usage: Callable[[dict[str, Any]], tuple[int, int] | None] | None = None
    """Prompt and completion tokens from the answer's usage, for ``modproxy_tokens_total``."""
    decode: Callable[[bytes, str, JsonLimits], dict[str, Any]] = decode_json
    """The request body's fields from its bytes and content type (JSON within the limits, or a
    multipart form)."""
    encode: Callable[[bytes, str, ParsedRequest, Moderation], bytes] = encode_json
