"""OpenAI APIs whose only text is the prompt: embeddings, image generation and edits, speech.

``/v1/embeddings`` moderates ``input`` (a string or strings; token ids are refused unless
``moderation.token_prompts`` is ``pass``); ``/v1/images/generations`` and
``/v1/images/edits`` moderate ``prompt``; ``/v1/audio/speech`` moderates the ``input`` it
reads aloud (and its voice ``instructions``). Edits usually come as a multipart form: its text
fields are read without decoding the images, and a redacted prompt is written back in
place. A blocked prompt is the chat ``content_filter`` error. The answers (vectors,
images, audio) carry no text and are relayed as they came.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from proxy.apis.base import (
    ApiFormat,
    ParsedRequest,
    TextSlot,
    apply_nothing,
    decode_json,
    encode_json,
    is_token_array,
    optional_model,
    require_model,
)
from proxy.apis.json_limits import DEFAULT_LIMITS, JsonLimits
from proxy.apis.openai_chat import prompt_blocked
from proxy.errors import BadRequest
from proxy.moderation.moderator import Moderation

_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
_FIELD_NAME = re.compile(rb'name="([^"]*)"', re.IGNORECASE)


def parse_embeddings(body: dict[str, Any]) -> ParsedRequest:
    model = require_model(body)
    value = body.get("input")
    if isinstance(value, str):
        return ParsedRequest(body, model, False, (TextSlot(("input",), value, 0),))
    if is_token_array(value):
        return ParsedRequest(body, model, False, (), token_prompt=True)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ParsedRequest(
            body, model, False, tuple(TextSlot(("input", i), v, i) for i, v in enumerate(value))
        )
    raise BadRequest("'input' must be a string, an array of strings, or token ids.", param="input")


def parse_image_prompt(body: dict[str, Any]) -> ParsedRequest:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise BadRequest("'prompt' is required and must be a non-empty string.", param="prompt")
    # A streamed image (partial images) holds no text: it is read whole and relayed as it came.
    return ParsedRequest(body, optional_model(body), False, (TextSlot(("prompt",), prompt, 0),))


def parse_speech(body: dict[str, Any]) -> ParsedRequest:
    text = body.get("input")
    if not isinstance(text, str) or not text:
        raise BadRequest("'input' is required and must be a non-empty string.", param="input")
    slots = [TextSlot(("input",), text, 0)]
    if isinstance(body.get("instructions"), str):
        slots.append(TextSlot(("instructions",), body["instructions"], 0))
    # A streamed speech answer is audio: read whole and relayed as it came.
    return ParsedRequest(body, optional_model(body), False, tuple(slots))


@dataclass(frozen=True, slots=True)
class FormField:
    start: int
    end: int
    """The field's value is ``raw[start:end]``."""


def form_fields(raw: bytes, content_type: str) -> dict[str, FormField]:
    """The text fields (no ``filename``) of a multipart form, located without copying the files."""
    found = _BOUNDARY.search(content_type)
    if found is None:
        raise BadRequest(
            "A multipart request needs a boundary in its Content-Type.", code="invalid_multipart"
        )
    delimiter = b"--" + (found.group(1) or found.group(2)).encode()
    fields: dict[str, FormField] = {}
    at = raw.find(delimiter)
    while at >= 0:
        head_start = at + len(delimiter)
        if raw.startswith(b"--", head_start):
            break
        head_end = raw.find(b"\r\n\r\n", head_start)
        end = raw.find(b"\r\n" + delimiter, head_end)
        if head_end < 0 or end < 0:
            raise BadRequest("The multipart body is malformed.", code="invalid_multipart")
        head = raw[head_start:head_end]
        name = _FIELD_NAME.search(head)
        if name is not None and b"filename=" not in head.lower():
            fields[name.group(1).decode("utf-8", "replace")] = FormField(head_end + 4, end)
        at = end + 2
    return fields


def decode_form(raw: bytes, content_type: str, limits: JsonLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    if not content_type.lower().startswith("multipart/form-data"):
        return decode_json(raw, content_type, limits)
    out: dict[str, Any] = {}
    for name, field in form_fields(raw, content_type).items():
        try:
            out[name] = raw[field.start : field.end].decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(f"The form field {name!r} is not UTF-8 text.", param=name) from None
    return out


def encode_form(raw: bytes, content_type: str, parsed: ParsedRequest, prompt: Moderation) -> bytes:
    """The form as it came, with a redacted prompt written over the original one."""
    if not content_type.lower().startswith("multipart/form-data"):
        return encode_json(raw, content_type, parsed, prompt)
    redacted = prompt.decisions[0].redacted if prompt.decisions else None
    if redacted is None:
        return raw
    field = form_fields(raw, content_type)["prompt"]
    return raw[: field.start] + redacted.encode() + raw[field.end :]


def _prompt_only(
    endpoint: str,
    parse: Callable[[dict[str, Any]], ParsedRequest],
    prompt_field: str,
    decode: Callable[[bytes, str, JsonLimits], dict[str, Any]] = decode_json,
    encode: Callable[[bytes, str, ParsedRequest, Moderation], bytes] = encode_json,
) -> ApiFormat:
    """An API whose answer carries no text (vectors, images, audio): only its prompt is moderated."""
    return ApiFormat(
        endpoint=endpoint,
        parse=parse,
        prompt_blocked=prompt_blocked(prompt_field),
        response_slots=None,
        apply_response=apply_nothing,
        decode=decode,
        encode=encode,
    )


EMBEDDINGS = _prompt_only("embeddings", parse_embeddings, "input")
IMAGE_GENERATIONS = _prompt_only("images_generations", parse_image_prompt, "prompt")
IMAGE_EDITS = _prompt_only(
    "images_edits", parse_image_prompt, "prompt", decode=decode_form, encode=encode_form
)
SPEECH = _prompt_only("audio_speech", parse_speech, "input")
