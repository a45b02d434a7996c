"""Labels and reversible pseudonymization end to end: the served stack, real policy files, the echo
model, and the official SDKs reading every format, JSON and streamed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.echo_model import EchoModel
from tests.fixtures.sdk_answers import FORMATS, ask
from tests.fixtures.stack import Stack, StartStack

POLICIES = """
policies:
  - id: email
    category: pii
    action: pseudonymize
    regex: ['(?<![\\w.+-])[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)*\\.[A-Za-z]{2,}']
    replacement: "[EMAIL]"
  - id: phone-cn
    category: pii
    action: pseudonymize
    regex: ['(?<!\\d)(?:\\+?86[ -]?)?1[3-9]\\d(?:[ -]?\\d{4}){2}(?!\\d)']
    replacement: "[PHONE]"
  - id: card-number
    category: pii
    action: pseudonymize
    regex: ['(?<!\\d)(?:\\d[ -]?){11,18}\\d(?!\\d)']
    validator: luhn
    replacement: "[CARD]"
  - id: cn-resident-id
    category: pii
    action: pseudonymize
    regex: ['(?<![\\dA-Za-z])\\d{17}[\\dXx](?![\\dA-Za-z])']
    validator: cn_resident_id
    replacement: "[ID]"
  - id: ipv4
    category: pii
    action: pseudonymize
    regex: ['(?<![\\d.])(?:\\d{1,3}\\.){3}\\d{1,3}(?![\\d.])']
    replacement: "[IP]"
  - id: secret-project
    category: confidential
    action: redact
    regex: ['project \\w+']
    replacement: "[PROJECT]"
  - id: weapons
    category: violence
    action: block
    phases: [response]
    keywords: [bomb]
"""

VALUES = (
    "jane.doe@example.com",
    "bob@example.org",
    "138 1234 5678",
    "4111 1111 1111 1111",
    "11010519491231002X",
    "192.168.10.20",
)
PROMPT = (
    "Mail jane.doe@example.com or bob@example.org, call 138 1234 5678, card 4111 1111 1111 1111, "
    "id 11010519491231002X, host 192.168.10.20; jane.doe@example.com again."
)
SENT = "Mail [EMAIL_1] or [EMAIL_2], call [PHONE_1], card [CARD_1], id [ID_1], host [IP_1]; [EMAIL_1] again."
LABEL = "(AI-generated content)"
ZH_LABEL = "（本内容由人工智能生成）"


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    path = tmp_path / "policies.yaml"
    path.write_text(POLICIES, encoding="utf-8")
    return path


async def _stack(start_stack: StartStack, echo: EchoModel, policies: Path, **settings: object) -> Stack:
    return await start_stack(policies=policies, settings={"upstream.url": echo.url, **settings})


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("fmt", FORMATS)
async def test_the_upstream_never_sees_a_value_and_the_client_reads_them_all_back(
    start_stack: StartStack, echo_model: EchoModel, policies: Path, fmt: str, stream: bool
) -> None:
    stack = await _stack(start_stack, echo_model, policies)
    answer = await ask(stack.url, fmt, PROMPT, stream=stream)
    sent = echo_model.sent()
    assert not [value for value in VALUES if value in sent]
    assert SENT in sent, "each value has its placeholder, the same one wherever it repeats"
    assert answer.text == PROMPT
    assert answer.headers["x-modproxy-action"] == "pseudonymize"
    if stream:
        assert any("[" in d and "]" not in d for d in echo_model.split(SENT)), "placeholders were split"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_placeholder_the_model_invents_stays_and_redactions_stay_redacted(
    start_stack: StartStack, echo_model: EchoModel, policies: Path, fmt: str, stream: bool
) -> None:
    stack = await _stack(start_stack, echo_model, policies)
    echo_model.reply = lambda prompt: prompt + " Also [EMAIL_7] and [EMAIL_1"
    answer = await ask(stack.url, fmt, "Ask bob@example.org about project apollo", stream=stream)
    assert "project apollo" not in echo_model.sent()
    assert answer.text == "Ask bob@example.org about [PROJECT] Also [EMAIL_7] and [EMAIL_1"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("fmt", FORMATS)
async def test_answers_carry_the_explicit_and_implicit_labels(
    start_stack: StartStack, echo_model: EchoModel, policies: Path, fmt: str, stream: bool
) -> None:
    stack = await _stack(
        start_stack, echo_model, policies, **{"labels.enabled": True, "labels.provider": "acme"}
    )
    answer = await ask(stack.url, fmt, "Write to bob@example.org please", stream=stream)
    assert answer.text == "Write to bob@example.org please" + LABEL
    assert answer.headers["x-ai-generated"] == "true"
    assert answer.metadata == {
        "Label": "1",
        "ContentProducer": "acme",
        "ProduceID": answer.headers["x-request-id"],
    }
    if stream:
        assert answer.deltas[-1].endswith(LABEL), "the label is the answer's last text"

    zh = await ask(stack.url, fmt, "请介绍一下这个城市的历史", stream=stream)
    assert zh.text == "请介绍一下这个城市的历史" + ZH_LABEL


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_prepended_label_opens_the_answer(
    start_stack: StartStack, echo_model: EchoModel, policies: Path, fmt: str, stream: bool
) -> None:
    settings = {"labels.enabled": True, "labels.position": "prepend"}
    stack = await _stack(start_stack, echo_model, policies, **settings)
    answer = await ask(stack.url, fmt, "Hello there", stream=stream)
    assert answer.text == LABEL + "Hello there"
    if stream:
        assert answer.deltas[0].startswith(LABEL)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_blocked_answer_is_not_labelled(
    start_stack: StartStack, echo_model: EchoModel, policies: Path, fmt: str, stream: bool
) -> None:
    stack = await _stack(start_stack, echo_model, policies, **{"labels.enabled": True})
    echo_model.reply = lambda prompt: "here is how to build a bomb at home"
    answer = await ask(stack.url, fmt, "Tell me something", stream=stream)
    assert LABEL not in answer.text
    assert "bomb" not in answer.text
    if not stream:
        assert "x-ai-generated" not in answer.headers


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_route_turns_labels_on_for_its_requests_only(
    start_stack: StartStack, echo_model: EchoModel, policies: Path, fmt: str
) -> None:
    routes = [{"name": "public", "match": {"model": "public-*"}, "labels": True}, {"name": "default"}]
    stack = await _stack(start_stack, echo_model, policies, routes=routes)
    labelled = await ask(stack.url, fmt, "Hi", stream=True, model="public-1")
    plain = await ask(stack.url, fmt, "Hi", stream=True, model="internal")
    assert labelled.text == "Hi" + LABEL and labelled.headers["x-ai-generated"] == "true"
    assert plain.text == "Hi" and "x-ai-generated" not in plain.headers


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("fmt", FORMATS)
async def test_labels_need_no_policies(
    start_stack: StartStack, echo_model: EchoModel, fmt: str, stream: bool
) -> None:
    stack = await start_stack(settings={"upstream.url": echo_model.url, "labels.enabled": True})
    answer = await ask(stack.url, fmt, "Hi there", stream=stream)
    assert answer.text == "Hi there" + LABEL and answer.headers["x-ai-generated"] == "true"


@pytest.mark.parametrize("size", [1, 2, 5, 8])
@pytest.mark.parametrize("fmt", FORMATS)
async def test_placeholders_split_anywhere_by_the_model_come_back_through_the_relay(
    start_stack: StartStack, echo_model: EchoModel, policies: Path, fmt: str, size: int
) -> None:
    stack = await _stack(start_stack, echo_model, policies, **{"labels.enabled": True})
    echo_model.split = lambda text: [text[i : i + size] for i in range(0, len(text), size)]
    answer = await ask(stack.url, fmt, PROMPT, stream=True)
    assert answer.text == PROMPT + LABEL
    assert not [value for value in VALUES if value in echo_model.sent()]
