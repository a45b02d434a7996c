import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.stream.sse import (
    SSEComment,
    SSEDecodeError,
    SSEEvent,
    SSEEventTooLarge,
    SSEItem,
    SSEParser,
    encode_comment,
    encode_data,
    encode_event,
    encode_json,
)


def _parse_all(chunks: list[bytes], max_event_bytes: int = 1 << 20) -> list[SSEItem]:
    parser = SSEParser(max_event_bytes)
    items: list[SSEItem] = []
    for chunk in chunks:
        items.extend(parser.feed(chunk))
    items.extend(parser.close())
    return items


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (b"data: hi\n\n", [SSEEvent("hi")]),
        (b"data: hi\r\n\r\n", [SSEEvent("hi")]),
        (b"data: hi\r\r", [SSEEvent("hi")]),
        (b"data:hi\n\n", [SSEEvent("hi")]),
        (b"data:  two spaces\n\n", [SSEEvent(" two spaces")]),
        (b"data: a\ndata: b\n\n", [SSEEvent("a\nb")]),
        (b"data\n\n", [SSEEvent("")]),
        (b"event: ping\nid: 7\nretry: 300\ndata: x\n\n", [SSEEvent("x", "ping", "7", 300)]),
        (b": keep-alive\n\n", [SSEComment(" keep-alive")]),
        (b"event: only\n\n", []),
        (b"data: one\n\ndata: two\n\n", [SSEEvent("one"), SSEEvent("two")]),
        (b"\xef\xbb\xbfdata: bom\n\n", [SSEEvent("bom")]),
        (b"data: unterminated", []),
        ("data: 敏感词 ✓\n\n".encode(), [SSEEvent("敏感词 ✓")]),
        (b"unknown: field\ndata: x\n\n", [SSEEvent("x")]),
    ],
)
def test_parses_the_wire_format(wire: bytes, expected: list[SSEItem]) -> None:
    assert _parse_all([wire]) == expected


@given(st.lists(st.integers(min_value=0, max_value=200), max_size=12))
def test_any_split_of_the_bytes_parses_the_same(cuts: list[int]) -> None:
    wire = 'data: {"x": "你好 wörld 🙂"}\r\n\r\n: ping\rdata: a\ndata: b\n\n'.encode()
    points = sorted({min(c, len(wire)) for c in cuts})
    chunks = [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True)]
    assert _parse_all(chunks) == _parse_all([wire])
    assert _parse_all([wire]) == [SSEEvent('{"x": "你好 wörld 🙂"}'), SSEComment(" ping"), SSEEvent("a\nb")]


@given(st.lists(st.integers(min_value=0, max_value=80), max_size=12))
def test_any_split_of_lf_only_bytes_parses_the_same(cuts: list[int]) -> None:
    wire = 'data: {"a": "é"}\n\n: ping\ndata: x\ndata: y\n\nevent: e\ndata: z\n\n'.encode()
    points = sorted({min(c, len(wire)) for c in cuts})
    chunks = [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True)]
    expected = [SSEEvent('{"a": "é"}'), SSEComment(" ping"), SSEEvent("x\ny"), SSEEvent("z", "e")]
    assert _parse_all(chunks) == expected


def test_crlf_split_between_reads_is_one_line_break() -> None:
    assert _parse_all([b"data: a\r", b"\n\r", b"\n"]) == [SSEEvent("a")]


def test_an_event_over_the_cap_fails_cleanly() -> None:
    parser = SSEParser(max_event_bytes=64)
    assert parser.feed(b"data: small\n\n") == [SSEEvent("small")]
    with pytest.raises(SSEEventTooLarge) as info:
        for _ in range(10):
            parser.feed(b"data: " + b"x" * 20 + b"\n")
    assert info.value.limit == 64


def test_an_unterminated_line_over_the_cap_fails_without_waiting_for_its_end() -> None:
    parser = SSEParser(max_event_bytes=1000)
    with pytest.raises(SSEEventTooLarge):
        parser.feed(b"data: " + b"y" * 2000)


def test_the_cap_is_per_event_not_per_stream() -> None:
    parser = SSEParser(max_event_bytes=64)
    for _ in range(100):
        assert parser.feed(b"data: " + b"z" * 40 + b"\n\n") == [SSEEvent("z" * 40)]


def test_invalid_utf8_is_a_typed_error() -> None:
    with pytest.raises(SSEDecodeError):
        SSEParser().feed(b"data: \xff\xfe\n\n")


@pytest.mark.parametrize(
    "event",
    [SSEEvent("plain"), SSEEvent("multi\nline"), SSEEvent("x", "delta", "42", 1000), SSEEvent("")],
)
def test_encoding_round_trips(event: SSEEvent) -> None:
    assert _parse_all([encode_event(event)]) == [event]


def test_encode_data_and_comment() -> None:
    assert encode_data('{"a":1}') == b'data: {"a":1}\n\n'
    assert encode_data("a\nb") == b"data: a\ndata: b\n\n"
    assert encode_comment(SSEComment(" ping")) == b": ping\n"
    assert encode_json({"t": "é\n", "n": [1, None]}) == 'data: {"t":"é\\n","n":[1,null]}\n\n'.encode()


def test_events_before_an_oversized_one_are_delivered_first() -> None:
    parser = SSEParser(max_event_bytes=64)
    items = parser.feed(b"data: ok\n\ndata: " + b"x" * 100)
    assert items == [SSEEvent("ok")]
    with pytest.raises(SSEEventTooLarge):
        parser.feed(b"more")
    with pytest.raises(SSEEventTooLarge):
        parser.close()
