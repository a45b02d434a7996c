"""Fuzzing the SSE parser: any bytes, cut anywhere, give the same items or a clean ``SSEError``."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from proxy.stream.sse import SSEComment, SSEError, SSEItem, SSEParser, encode_comment, encode_event
from tests.fuzz.corpus import FUZZ, corpus

MAX_EVENT = 256

PREFIXES = [b"data: ", b"data:", b"event: ", b"id: ", b"retry: ", b":", b"", b"\xef\xbb\xbf"]
# Mostly SSE-shaped lines, so the fuzzer spends its time past the first byte.
LINES = st.one_of(
    st.sampled_from(
        [b"data: ", b"data:", b"event: ", b"id: ", b"retry: ", b":", b"", b"\xef\xbb\xbf"]
    ).flatmap(lambda prefix: st.binary(max_size=40).map(lambda rest: prefix + rest)),
    st.binary(max_size=40),
)
STREAMS = st.lists(st.tuples(LINES, st.sampled_from([b"\n", b"\r\n", b"\r", b"\n\n"])), max_size=30).map(
    lambda pairs: b"".join(line + end for line, end in pairs)
)


def parse(chunks: list[bytes]) -> tuple[list[SSEItem], str | None]:
    parser = SSEParser(MAX_EVENT)
    items: list[SSEItem] = []
    try:
        for chunk in chunks:
            items += parser.feed(chunk)
        items += parser.close()
    except SSEError as exc:
        return items, type(exc).__name__
    return items, None


def cut(data: bytes, points: list[int]) -> list[bytes]:
    bounds = sorted({p % (len(data) + 1) for p in points})
    return [data[a:b] for a, b in zip([0, *bounds], [*bounds, len(data)], strict=True)]


def check(data: bytes, points: list[int]) -> None:
    whole = parse([data])
    assert parse(cut(data, points)) == whole, "the parse depends on how the bytes were split"
    assert parse([bytes([b]) for b in data]) == whole
    items, _ = whole
    for item in items:  # every item encodes back into bytes that parse as the same item
        if isinstance(item, SSEComment):
            assert parse([encode_comment(item)]) == ([item], None)
        elif "\r" not in item.data and len(item.data) < MAX_EVENT // 2:
            assert parse([encode_event(item)]) == ([item], None)


@FUZZ
@given(st.one_of(STREAMS, st.binary(max_size=600)), st.lists(st.integers(min_value=0), max_size=8))
@example(b"\xef\xbb\xbfdata: a\n\n", [1])
@example(b"data: a\r\n\r\n", [8])
def test_any_bytes_any_cuts(data: bytes, points: list[int]) -> None:
    check(data, points)


@pytest.mark.parametrize("data", corpus("sse"))
def test_corpus(data: bytes) -> None:
    for step in (1, 2, 3, 7):
        check(data, list(range(0, len(data), step)))
