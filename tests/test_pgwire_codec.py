"""The wire codec, COPY formats and authentication exchanges: pure functions, no sockets.

Every frontend message is round-tripped through ``client_codec`` (encode) and
``FrameDecoder`` (decode), whole and fed one byte at a time; every backend encoder is
checked against ``client_codec.decode_backend`` and, for the hot or subtle ones, against
exact bytes written out by hand from the protocol documentation. Malformed input must
raise ``ProtocolViolation`` with SQLSTATE 08P01 (22021 for bad UTF-8), fatal exactly
when the framing itself is broken.

The authentication tests drive the server side of SCRAM with scramp's client (also with
the empty user name libpq sends) and verify DSQL IAM tokens made by botocore's own
``generate_db_connect_*_auth_token``.
"""

from __future__ import annotations

import base64
import struct
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.pgwire import auth, client_codec, copyformat, messages
from tidesql.pgwire.messages import (
    AuthenticationResponse,
    Bind,
    CancelRequest,
    Close,
    CopyData,
    CopyDone,
    CopyFail,
    Describe,
    ErrorFields,
    Execute,
    FieldDescription,
    Flush,
    FrameDecoder,
    FrontendMessage,
    FunctionCall,
    GSSENCRequest,
    Parse,
    ProtocolViolation,
    Query,
    SSLRequest,
    StartupMessage,
    Sync,
    Terminate,
)

# -- helpers -----------------------------------------------------------------------------


def decode_all(data: bytes, *, chunk: int | None = None) -> list[FrontendMessage]:
    decoder = FrameDecoder()
    out: list[FrontendMessage] = []
    pieces = [data] if chunk is None else [data[i : i + chunk] for i in range(0, len(data), chunk)]
    for piece in pieces:
        decoder.feed(piece)
        while (message := decoder.next_message()) is not None:
            out.append(message)
    assert decoder.buffered_bytes == 0
    return out


def one_backend(data: bytes) -> client_codec.BackendMessage:
    frames, rest = client_codec.split_backend(data)
    assert rest == b""
    assert len(frames) == 1
    return client_codec.decode_backend(*frames[0])


def frame(type_byte: bytes, body: bytes) -> bytes:
    return type_byte + struct.pack("!I", len(body) + 4) + body


# -- frontend messages: round trips ------------------------------------------------------

names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
values = st.none() | st.binary(max_size=40)
codes = st.lists(st.sampled_from([0, 1]), max_size=4).map(tuple)

frontend_messages: st.SearchStrategy[FrontendMessage] = st.one_of(
    names.map(Query),
    st.builds(Parse, names, names, st.lists(st.integers(0, 2**32 - 1), max_size=5).map(tuple)),
    st.builds(Bind, names, names, codes, st.lists(values, max_size=5).map(tuple), codes),
    st.builds(Describe, st.sampled_from(["S", "P"]), names),
    st.builds(Execute, names, st.integers(0, 2**31 - 1)),
    st.just(Sync()),
    st.just(Flush()),
    st.builds(Close, st.sampled_from(["S", "P"]), names),
    st.just(Terminate()),
    st.builds(
        FunctionCall,
        st.integers(0, 2**32 - 1),
        codes,
        st.lists(values, max_size=3).map(tuple),
        st.sampled_from([0, 1]),
    ),
    st.binary(max_size=100).map(CopyData),
    st.just(CopyDone()),
    names.map(CopyFail),
    st.binary(max_size=60).map(AuthenticationResponse),
)


@settings(max_examples=300)
@given(st.lists(frontend_messages, max_size=8), st.integers(1, 7))
def test_frontend_messages_round_trip_whole_and_in_pieces(
    sequence: list[FrontendMessage], chunk: int
) -> None:
    data = b"".join(client_codec.encode_frontend(m) for m in sequence)
    assert decode_all(data) == sequence
    assert decode_all(data, chunk=chunk) == sequence


def test_query_bytes_are_exact() -> None:
    assert client_codec.encode_frontend(Query("SELECT 1")) == b"Q\x00\x00\x00\x0dSELECT 1\x00"
    assert decode_all(b"Q\x00\x00\x00\x0dSELECT 1\x00") == [Query("SELECT 1")]


def test_bind_with_null_and_formats_decodes() -> None:
    body = (
        b"portal\x00stmt\x00"
        + struct.pack("!Hhh", 2, 0, 1)
        + struct.pack("!H", 2)
        + struct.pack("!i", -1)
        + struct.pack("!i", 4)
        + b"\x00\x00\x00\x2a"
        + struct.pack("!Hh", 1, 1)
    )
    assert decode_all(frame(b"B", body)) == [
        Bind("portal", "stmt", (0, 1), (None, b"\x00\x00\x00\x2a"), (1,))
    ]


def test_negative_execute_row_limit_means_all_rows() -> None:
    assert decode_all(frame(b"E", b"\x00" + struct.pack("!i", -5))) == [Execute("", 0)]


@given(
    st.dictionaries(names.filter(bool), names, max_size=5),
    st.integers(0, 0xFFFF),
)
def test_startup_message_round_trips(parameters: dict[str, str], minor: int) -> None:
    packet = StartupMessage((3 << 16) | minor, parameters)
    decoder = FrameDecoder()
    decoder.feed(client_codec.encode_startup(packet))
    assert decoder.next_startup_packet() == packet
    assert decoder.next_startup_packet() is None


@pytest.mark.parametrize(
    ("packet", "wire"),
    [
        (SSLRequest(), b"\x00\x00\x00\x08\x04\xd2\x16\x2f"),
        (GSSENCRequest(), b"\x00\x00\x00\x08\x04\xd2\x16\x30"),
        (
            CancelRequest(1234, -7),
            b"\x00\x00\x00\x10\x04\xd2\x16\x2e" + struct.pack("!ii", 1234, -7),
        ),
    ],
)
def test_special_startup_packets_exact(packet: object, wire: bytes) -> None:
    assert client_codec.encode_startup(packet) == wire  # type: ignore[arg-type]
    decoder = FrameDecoder()
    decoder.feed(wire)
    assert decoder.next_startup_packet() == packet


def test_sasl_and_password_bodies() -> None:
    body = b"SCRAM-SHA-256\x00" + struct.pack("!i", 3) + b"abc"
    assert messages.decode_sasl_initial_response(body) == ("SCRAM-SHA-256", b"abc")
    body = b"SCRAM-SHA-256\x00" + struct.pack("!i", -1)
    assert messages.decode_sasl_initial_response(body) == ("SCRAM-SHA-256", None)
    assert messages.decode_password(b"hunter2\x00") == "hunter2"


# -- frontend messages: malformed input --------------------------------------------------


def violation(data: bytes, *, startup: bool = False, limit: int | None = None) -> ProtocolViolation:
    decoder = FrameDecoder() if limit is None else FrameDecoder(limit)
    decoder.feed(data)
    with pytest.raises(ProtocolViolation) as caught:
        if startup:
            decoder.next_startup_packet()
        else:
            decoder.next_message()
    return caught.value


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (frame(b"Q", b"SELECT 1"), "string without terminator"),
        (frame(b"Q", b"SELECT 1\x00junk"), "trailing bytes"),
        (frame(b"B", b"\x00\x00" + struct.pack("!H", 3) + b"\x00\x00"), "count beyond the data"),
        (frame(b"B", b"\x00\x00\x00\x00" + struct.pack("!Hi", 1, -2) + b"\x00\x00"), "length -2"),
        (frame(b"B", b"\x00\x00\x00\x00" + struct.pack("!Hi", 1, 100) + b"xx"), "value too short"),
        (frame(b"P", b"s\x00SELECT\x00" + struct.pack("!H", 2) + b"\x00\x00\x00\x17"), "oids"),
        (frame(b"D", b"Xname\x00"), "describe kind"),
        (frame(b"C", b""), "close without kind"),
        (frame(b"E", b"portal\x00\x00\x00"), "execute row limit truncated"),
        (frame(b"S", b"x"), "sync with a body"),
        (frame(b"f", b"no terminator"), "copy fail"),
    ],
)
def test_malformed_bodies_are_non_fatal_08P01(data: bytes, reason: str) -> None:
    error = violation(data)
    assert error.sqlstate == sqlstates.PROTOCOL_VIOLATION, reason
    assert not error.fatal, reason
    assert error.message_type == data[:1]


def test_malformed_body_consumes_its_frame_and_decoding_continues() -> None:
    decoder = FrameDecoder()
    decoder.feed(frame(b"Q", b"no terminator") + client_codec.encode_frontend(Sync()))
    with pytest.raises(ProtocolViolation):
        decoder.next_message()
    assert decoder.next_message() == Sync()


def test_invalid_utf8_is_22021() -> None:
    error = violation(frame(b"Q", b"SELECT '\xff'\x00"))
    assert error.sqlstate == sqlstates.CHARACTER_NOT_IN_REPERTOIRE
    assert "0xff" in error.message
    assert not error.fatal


@pytest.mark.parametrize(
    "data",
    [
        b"z\x00\x00\x00\x04",  # unknown type
        b"Q\x00\x00\x00\x03",  # length below 4
        b"S\x00\x01\x00\x00",  # a Sync may not be 64 KiB
        b"p" + struct.pack("!I", 70_000),  # auth responses stop at 65 535
    ],
)
def test_broken_framing_is_fatal_08P01(data: bytes) -> None:
    error = violation(data)
    assert error.fatal
    assert error.sqlstate == sqlstates.PROTOCOL_VIOLATION


def test_oversized_message_refused_from_its_header_alone() -> None:
    # Only the five header bytes are there: the limit is checked before any body arrives.
    error = violation(b"Q" + struct.pack("!I", 1_000_001), limit=1_000_000)
    assert error.fatal
    decoder = FrameDecoder(1_000_000)
    decoder.feed(b"Q" + struct.pack("!I", 1_000_000))
    assert decoder.next_message() is None  # at the limit: wait for the body


def test_default_limit_is_64_mib() -> None:
    assert messages.MESSAGE_BYTES_MAX_DEFAULT == 64 * 1024 * 1024
    assert violation(b"Q" + struct.pack("!I", 64 * 1024 * 1024 + 1)).fatal


def test_truncated_input_waits_instead_of_failing() -> None:
    data = client_codec.encode_frontend(Parse("s", "SELECT $1", (23,)))
    decoder = FrameDecoder()
    for index in range(len(data) - 1):
        decoder.feed(data[index : index + 1])
        assert decoder.next_message() is None
    decoder.feed(data[-1:])
    assert decoder.next_message() == Parse("s", "SELECT $1", (23,))


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x00\x00\x04",  # shorter than a protocol code
        struct.pack("!I", 10_001) + b"\x00" * 10_000,  # over PostgreSQL's 10 000 bytes
        struct.pack("!II", 8 + 3, 196608) + b"u\x00x",  # parameters without terminator
        struct.pack("!II", 8 + 6, 196608) + b"user\x00\x00",  # value without final NUL
        struct.pack("!II", 12, 80877103) + b"\x00\x00\x00\x00",  # SSLRequest with a body
        struct.pack("!II", 12, 80877102) + b"\x00\x00\x00\x01",  # CancelRequest too short
        struct.pack("!II", 8 + 4, 196608) + b"\xff\x00\x00\x00",  # name not UTF-8
    ],
)
def test_bad_startup_packets_are_fatal(data: bytes) -> None:
    error = violation(data, startup=True)
    assert error.fatal
    assert error.sqlstate == sqlstates.PROTOCOL_VIOLATION


# -- backend messages --------------------------------------------------------------------


def test_data_row_bytes_are_exact() -> None:
    row = messages.encode_data_row([b"42", None, b""])
    assert row == (
        b"D"
        + struct.pack("!I", 4 + 2 + (4 + 2) + 4 + 4)
        + struct.pack("!H", 3)
        + b"\x00\x00\x00\x0242"
        + b"\xff\xff\xff\xff"
        + b"\x00\x00\x00\x00"
    )
    assert messages.encode_data_row([]) == b"D\x00\x00\x00\x06\x00\x00"


@given(st.lists(values, max_size=30))
def test_data_row_round_trips(fields: list[bytes | None]) -> None:
    assert one_backend(messages.encode_data_row(fields)).fields == tuple(fields)


def test_fixed_backend_messages_exact() -> None:
    assert messages.AUTHENTICATION_OK == b"R\x00\x00\x00\x08\x00\x00\x00\x00"
    assert messages.AUTHENTICATION_CLEARTEXT_PASSWORD == b"R\x00\x00\x00\x08\x00\x00\x00\x03"
    assert messages.PARSE_COMPLETE == b"1\x00\x00\x00\x04"
    assert messages.BIND_COMPLETE == b"2\x00\x00\x00\x04"
    assert messages.CLOSE_COMPLETE == b"3\x00\x00\x00\x04"
    assert messages.NO_DATA == b"n\x00\x00\x00\x04"
    assert messages.PORTAL_SUSPENDED == b"s\x00\x00\x00\x04"
    assert messages.EMPTY_QUERY_RESPONSE == b"I\x00\x00\x00\x04"
    assert messages.COPY_DONE == b"c\x00\x00\x00\x04"
    assert messages.encode_ready_for_query("T") == b"Z\x00\x00\x00\x05T"
    assert messages.encode_command_complete("SELECT 1") == b"C\x00\x00\x00\x0dSELECT 1\x00"
    assert messages.encode_backend_key_data(7, -1) == b"K\x00\x00\x00\x0c" + struct.pack(
        "!ii", 7, -1
    )
    with pytest.raises(ValueError):
        messages.encode_ready_for_query("X")


def test_authentication_requests() -> None:
    sasl = messages.encode_authentication_sasl(["SCRAM-SHA-256"])
    assert sasl == b"R\x00\x00\x00\x17\x00\x00\x00\x0aSCRAM-SHA-256\x00\x00"
    assert one_backend(sasl).fields == (10, "SCRAM-SHA-256")
    assert one_backend(messages.encode_authentication_sasl_continue(b"r=abc")).fields == (
        11,
        b"r=abc",
    )
    assert one_backend(messages.encode_authentication_sasl_final(b"v=xyz")).fields == (12, b"v=xyz")
    assert one_backend(messages.AUTHENTICATION_CLEARTEXT_PASSWORD).fields == (3,)


def test_parameter_status_and_description() -> None:
    assert one_backend(messages.encode_parameter_status("TimeZone", "UTC")).fields == (
        "TimeZone",
        "UTC",
    )
    assert one_backend(messages.encode_parameter_description([23, 25, 4294967295])).fields == (
        23,
        25,
        4294967295,
    )


def test_row_description_round_trips() -> None:
    fields = [
        FieldDescription("id", 23, 4, -1, 16384, 1, 1),
        FieldDescription("naïve", 1043, -1, 36, 0, 0, 0),
    ]
    encoded = messages.encode_row_description(fields)
    assert encoded[:1] == b"T"
    assert one_backend(encoded).fields == tuple(fields)


def test_error_and_notice_fields() -> None:
    fields = ErrorFields(
        "ERROR", "42601", "syntax error", detail="d", hint="h", position=8, extra={"W": "w"}
    )
    error = messages.encode_error_response(fields)
    assert error.startswith(b"E")
    assert b"SERROR\x00VERROR\x00C42601\x00Msyntax error\x00Dd\x00Hh\x00P8\x00Ww\x00\x00" in error
    assert one_backend(error).fields == (fields,)
    notice = messages.encode_notice_response(ErrorFields("NOTICE", "00000", "hello"))
    assert one_backend(notice) == client_codec.BackendMessage(
        "N", (ErrorFields("NOTICE", "00000", "hello"),)
    )


def test_copy_responses_and_data() -> None:
    assert messages.encode_copy_in_response(2) == b"G\x00\x00\x00\x0b\x00\x00\x02\x00\x00\x00\x00"
    assert one_backend(messages.encode_copy_out_response(3)).fields == (0, (0, 0, 0))
    assert messages.encode_copy_data(b"1\tx\n") == b"d\x00\x00\x00\x081\tx\n"


def test_negotiate_protocol_version() -> None:
    encoded = messages.encode_negotiate_protocol_version(0, ["_pq_.a", "_pq_.b"])
    assert encoded == b"v\x00\x00\x00\x1a\x00\x00\x00\x00\x00\x00\x00\x02_pq_.a\x00_pq_.b\x00"
    assert one_backend(encoded).fields == (0, ("_pq_.a", "_pq_.b"))


# -- COPY text format --------------------------------------------------------------------


def test_copy_text_basic_null_and_escapes() -> None:
    data = b"1\tO'Reilly\t\\N\n2\tline\\none\\ttab\\\\\t\\\\N\n"
    assert copyformat.parse_text(data) == [
        ["1", "O'Reilly", None],
        ["2", "line\none\ttab\\", "\\N"],
    ]


def test_copy_text_octal_hex_and_other_escapes() -> None:
    data = b"\\101\\x42\\xc3\\xa9\\b\\f\\r\\v\\q\n"
    assert copyformat.parse_text(data) == [["AB\u00e9\b\f\r\vq"]]


def test_copy_text_custom_delimiter_and_null_and_escaped_delimiter() -> None:
    data = b"a|NULL|b\\|c\n"
    assert copyformat.parse_text(data, delimiter="|", null="NULL") == [["a", None, "b|c"]]


def test_copy_text_line_endings_and_end_marker() -> None:
    data = b"a\tb\r\nc\td\r\\.\r\nignored\tafter\n"
    assert copyformat.parse_text(data) == [["a", "b"], ["c", "d"]]


def test_copy_text_empty_lines_and_empty_input() -> None:
    assert copyformat.parse_text(b"") == []
    assert copyformat.parse_text(b"\n") == [[""]]


def test_copy_text_column_count_errors() -> None:
    with pytest.raises(TideError) as caught:
        copyformat.parse_text(b"1\t2\t3\n", column_names=["a", "b"])
    assert caught.value.sqlstate == sqlstates.BAD_COPY_FILE_FORMAT
    assert caught.value.message == "extra data after last expected column"
    with pytest.raises(TideError) as caught:
        copyformat.parse_text(b"1\t2\n1\n", column_names=["a", "b"])
    assert caught.value.message == 'missing data for column "b"'
    assert getattr(caught.value, "where", None) == "COPY, line 2"


def test_copy_text_bad_utf8_and_nul() -> None:
    with pytest.raises(TideError) as caught:
        copyformat.parse_text(b"\xff\n")
    assert caught.value.sqlstate == sqlstates.CHARACTER_NOT_IN_REPERTOIRE
    with pytest.raises(TideError) as caught:
        copyformat.parse_text(b"a\\000b\n")
    assert caught.value.sqlstate == sqlstates.BAD_COPY_FILE_FORMAT


copy_fields = st.lists(
    st.none() | st.text(st.characters(codec="utf-8", exclude_characters="\x00")),
    min_size=1,
    max_size=5,
)


@settings(max_examples=200)
@given(st.lists(copy_fields, max_size=5), st.sampled_from(["\t", ",", "|"]))
def test_copy_text_round_trip(rows: list[list[str | None]], delimiter: str) -> None:
    data = b"".join(copyformat.format_text_row(row, delimiter=delimiter) for row in rows)
    assert copyformat.parse_text(data, delimiter=delimiter) == rows


def test_copy_text_output_escapes() -> None:
    assert (
        copyformat.format_text_row(["a\tb", None, "c\\d\ne", "\r"])
        == b"a\\tb\t\\N\tc\\\\d\\ne\t\\r\n"
    )


# -- COPY CSV format ---------------------------------------------------------------------


def test_copy_csv_quotes_null_and_empty() -> None:
    data = b'1,"quoted ""x"", comma",\n2,"",plain\n'
    assert copyformat.parse_csv(data) == [
        ["1", 'quoted "x", comma', None],
        ["2", "", "plain"],
    ]


def test_copy_csv_multiline_field_header_and_crlf() -> None:
    data = b'id,text\r\n1,"two\nlines"\r\n2,x\r\n'
    assert copyformat.parse_csv(data, header=True) == [["1", "two\nlines"], ["2", "x"]]


def test_copy_csv_custom_escape_null_and_delimiter() -> None:
    data = b'"a\\"b";\\N;"\\N";"c\\\\d"\n'
    rows = copyformat.parse_csv(data, delimiter=";", null="\\N", escape="\\")
    assert rows == [['a"b', None, "\\N", "c\\d"]]


def test_copy_csv_end_marker_and_unterminated_quote() -> None:
    assert copyformat.parse_csv(b"a,b\n\\.\nc,d\n") == [["a", "b"]]
    with pytest.raises(TideError) as caught:
        copyformat.parse_csv(b'1,"never closed\n2,x\n')
    assert caught.value.sqlstate == sqlstates.BAD_COPY_FILE_FORMAT


def test_copy_csv_column_count_errors() -> None:
    with pytest.raises(TideError) as caught:
        copyformat.parse_csv(b"1,2,3\n", column_names=["a", "b"])
    assert caught.value.message == "extra data after last expected column"


@settings(max_examples=200)
@given(
    st.lists(copy_fields, max_size=5),
    st.sampled_from([(",", '"', '"'), (";", '"', "\\"), ("\t", "'", "'")]),
)
def test_copy_csv_round_trip(rows: list[list[str | None]], dialect: tuple[str, str, str]) -> None:
    delimiter, quote, escape = dialect
    data = b"".join(
        copyformat.format_csv_row(row, delimiter=delimiter, quote=quote, escape=escape)
        for row in rows
    )
    parsed = copyformat.parse_csv(data, delimiter=delimiter, quote=quote, escape=escape)
    assert parsed == rows


def test_copy_csv_output_quotes_only_when_needed() -> None:
    assert copyformat.format_csv_row(["a", "", None, 'x"y', "1,2"]) == b'a,"",,"x""y","1,2"\n'


# -- SCRAM-SHA-256 -----------------------------------------------------------------------


def test_scram_verifier_format_and_parse() -> None:
    verifier = auth.make_scram_verifier("secret", salt=b"0123456789abcdef")
    mechanism, iterations_salt, keys = verifier.split("$")
    assert mechanism == "SCRAM-SHA-256"
    assert [len(base64.b64decode(k)) for k in keys.split(":")] == [32, 32]
    assert iterations_salt == "4096:" + base64.b64encode(b"0123456789abcdef").decode()
    parsed = auth.parse_scram_verifier(verifier)
    assert parsed.iterations == 4096 and len(parsed.stored_key) == 32
    assert str(parsed) == verifier
    for bad in ("md5abc", "SCRAM-SHA-256$x:y$z", "SCRAM-SHA-1$4096:AAAA$AAAA:AAAA"):
        with pytest.raises(ValueError):
            auth.parse_scram_verifier(bad)


async def run_scram(password: str, stored: dict[str, str], user: str, *, empty_name: bool) -> bytes:
    """A full SCRAM exchange, client side by scramp; returns the final server message."""
    from scramp import ScramClient  # type: ignore[import-untyped]

    async def lookup(name: str) -> str | None:
        return stored.get(name)

    server = auth.ScramAuthenticator(user, lookup)
    first = server.begin()
    assert not first.done
    assert client_codec.decode_backend("R", first.message[5:]).fields == (10, "SCRAM-SHA-256")
    client = ScramClient(["SCRAM-SHA-256"], user, password)
    client_first: str = client.get_client_first()
    if empty_name:  # what libpq sends: the user is in the startup packet
        client_first = client_first.replace(f"n={user},", "n=,", 1)
        client.client_first_bare = client_first[3:]
    data = client_first.encode()
    reply = await server.respond(b"SCRAM-SHA-256\x00" + struct.pack("!i", len(data)) + data)
    assert not reply.done
    client.set_server_first(reply.message[9:].decode())
    reply = await server.respond(client.get_client_final().encode())
    assert reply.done
    client.set_server_final(reply.message[9:].decode())  # checks the server's signature
    return reply.message


@pytest.mark.parametrize("empty_name", [False, True])
async def test_scram_exchange_succeeds(empty_name: bool) -> None:
    stored = {"alice": auth.make_scram_verifier("secret")}
    final = await run_scram("secret", stored, "alice", empty_name=empty_name)
    assert final.startswith(b"R") and final[5:9] == b"\x00\x00\x00\x0c"


@pytest.mark.parametrize(("user", "password"), [("alice", "wrong"), ("nobody", "secret")])
async def test_scram_wrong_password_or_unknown_user_is_28P01(user: str, password: str) -> None:
    stored = {"alice": auth.make_scram_verifier("secret")}
    with pytest.raises(TideError) as caught:
        await run_scram(password, stored, user, empty_name=True)
    assert caught.value.sqlstate == sqlstates.INVALID_PASSWORD
    assert caught.value.message == f'password authentication failed for user "{user}"'


@pytest.mark.parametrize(
    "body",
    [
        b"PLAIN\x00" + struct.pack("!i", 1) + b"x",
        b"SCRAM-SHA-256\x00" + struct.pack("!i", 3) + b"n,,",
        b"SCRAM-SHA-256\x00" + struct.pack("!i", -1),
        b"SCRAM-SHA-256\x00" + struct.pack("!i", 2) + b"\xff\xfe",
    ],
)
async def test_scram_rejects_other_mechanisms_and_garbage(body: bytes) -> None:
    async def lookup(name: str) -> str | None:
        return None

    server = auth.ScramAuthenticator("alice", lookup)
    server.begin()
    with pytest.raises(ProtocolViolation) as caught:
        await server.respond(body)
    assert caught.value.sqlstate == sqlstates.PROTOCOL_VIOLATION
    assert caught.value.fatal


# -- DSQL IAM tokens ---------------------------------------------------------------------

ACCESS_KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def dsql_token(
    user: str, *, secret: str = SECRET, region: str = "us-east-1", expires_s: int = 900
) -> str:
    import botocore.session  # type: ignore[import-untyped]

    client = botocore.session.get_session().create_client(
        "dsql",
        region_name=region,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=secret,
    )
    if user == "admin":
        token: str = client.generate_db_connect_admin_auth_token("localhost", region, expires_s)
    else:
        token = client.generate_db_connect_auth_token("localhost", region, expires_s)
    return token


CREDENTIALS = auth.IamCredentials(ACCESS_KEY_ID, SECRET)


@pytest.mark.parametrize("user", ["admin", "app_user"])
def test_iam_token_from_botocore_verifies(user: str) -> None:
    token = auth.verify_iam_token(dsql_token(user), user, CREDENTIALS, time.time())
    assert token.host == "localhost"
    assert token.action == ("DbConnectAdmin" if user == "admin" else "DbConnect")


@pytest.mark.parametrize(
    ("token_user", "login_user", "secret", "delay_s", "reason"),
    [
        ("admin", "app_user", SECRET, 0, "admin token for another user"),
        ("app_user", "admin", SECRET, 0, "user token for admin"),
        ("admin", "admin", "not-the-secret", 0, "signed with other credentials"),
        ("admin", "admin", SECRET, 901, "expired"),
        ("admin", "admin", SECRET, -3600, "dated in the future"),
    ],
)
def test_iam_token_refusals_are_28P01(
    token_user: str, login_user: str, secret: str, delay_s: float, reason: str
) -> None:
    token = dsql_token(token_user, secret=secret)
    with pytest.raises(TideError) as caught:
        auth.verify_iam_token(token, login_user, CREDENTIALS, time.time() + delay_s)
    assert caught.value.sqlstate == sqlstates.INVALID_PASSWORD, reason
    assert caught.value.message == f'password authentication failed for user "{login_user}"'


def test_iam_token_tampering_is_detected() -> None:
    token = dsql_token("admin")
    for tampered in (
        token.replace("localhost", "otherhost", 1),
        token.replace("X-Amz-Expires=900", "X-Amz-Expires=3600"),
        token.replace("us-east-1", "eu-west-1"),
    ):
        with pytest.raises(TideError) as caught:
            auth.verify_iam_token(tampered, "admin", CREDENTIALS, time.time())
        assert caught.value.sqlstate == sqlstates.INVALID_PASSWORD


@pytest.mark.parametrize(
    "token",
    [
        "not a token",
        "localhost/?Action=DbConnectAdmin",
        "localhost/?Action=DbConnectAdmin&X-Amz-Algorithm=HMAC&X-Amz-Credential=a/b/c/dsql/aws4_request"
        "&X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
        "localhost/?Action=DbConnectAdmin&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=a/20240101/us-east-1/s3/aws4_request&X-Amz-Date=20240101T000000Z"
        "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
        "localhost/?Action=DbConnectAdmin&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=a/20240101/us-east-1/dsql/aws4_request&X-Amz-Date=yesterday"
        "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
    ],
)
def test_iam_malformed_token_is_28000(token: str) -> None:
    with pytest.raises(TideError) as caught:
        auth.verify_iam_token(token, "admin", CREDENTIALS, time.time())
    assert caught.value.sqlstate == sqlstates.INVALID_AUTHORIZATION_SPECIFICATION


async def test_iam_authenticator_asks_for_a_cleartext_password() -> None:
    authenticator = auth.IamAuthenticator("admin", CREDENTIALS)
    assert authenticator.begin().message == messages.AUTHENTICATION_CLEARTEXT_PASSWORD
    reply = await authenticator.respond(dsql_token("admin").encode() + b"\x00")
    assert reply.done and reply.message == b""
