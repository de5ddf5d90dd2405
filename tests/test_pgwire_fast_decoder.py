"""The fast frontend-message decoders (the hot path) must agree with the reference
decoder on every input: same message, or the same protocol error."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tidesql.pgwire.messages import FrameDecoder, ProtocolViolation, decode_frontend


def outcome(function: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("ok", function())
    except ProtocolViolation as error:
        return ("error", error.sqlstate, error.message, error.fatal, error.message_type)


# Bodies built of pieces likely to be nearly valid, so both decoders go deep.
piece = st.one_of(
    st.binary(max_size=6),
    st.sampled_from([b"\x00", b"S", b"P", b"\xff", b"\xc3", b"abc\x00"]),
    st.integers(-3, 3).map(lambda n: struct.pack("!h", n)),
    st.integers(-3, 5).map(lambda n: struct.pack("!i", n)),
)


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(list(b"BDESPCHQXdc")), st.lists(piece, max_size=10))
def test_fast_decoder_equals_reference(message_type: int, pieces: list[bytes]) -> None:
    body = b"".join(pieces)
    decoder = FrameDecoder()
    decoder.feed(bytes([message_type]) + struct.pack("!I", len(body) + 4) + body)
    fast = outcome(decoder.next_message)
    reference = outcome(lambda: decode_frontend(message_type, body))
    assert fast == reference, (bytes([message_type]), body)
    assert decoder.buffered_bytes == 0
