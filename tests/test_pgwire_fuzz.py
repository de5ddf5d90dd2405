"""Fuzzing a real tidesql server over TCP: whatever a client sends, the server stays up.

The server is the real thing, ``python -m tidesql.cli serve --ephemeral``, in its own
process. Hypothesis throws at it:

1. random bytes, before and after a valid startup;
2. startup packets with random protocol versions and parameters;
3. random sequences of well-formed frontend messages (every type, SQL drawn from a small
   pool plus random text) mixed with framed-but-malformed ones.

After every example a fresh connection must complete startup and answer ``SELECT 1``.
For sequences of whole frames we also check the connection itself: every reply parses,
every ErrorResponse carries a SQLSTATE, and after ``CopyFail, Sync, ROLLBACK, SELECT 1``
— a suffix that leads back to idle from every protocol state (ready, skipping until
Sync, COPY IN from either protocol, failed transaction) — the answer ``1`` arrives,
unless the sequence contained Terminate or a stray authentication message, the only
frames after which the server may hang up.

The test lights up once the SQL engine exists (``tidesql.sql.session.Session``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidesql.pgwire import client_codec
from tidesql.pgwire.client_codec import BackendMessage
from tidesql.pgwire.messages import (
    AuthenticationResponse,
    Bind,
    Close,
    CopyData,
    CopyDone,
    CopyFail,
    Describe,
    ErrorFields,
    Execute,
    Flush,
    FrontendMessage,
    FunctionCall,
    Parse,
    Query,
    StartupMessage,
    Sync,
    Terminate,
)


def engine_ready() -> bool:
    try:
        session = importlib.import_module("tidesql.sql.session")
    except Exception:
        return False
    return isinstance(getattr(session, "Session", None), type)


pytestmark = [
    pytest.mark.skipif(
        not engine_ready(), reason="the SQL engine (tidesql.sql.session) is not there yet"
    ),
    pytest.mark.slow,
]

USER = "admin"
DATABASE = "postgres"
SERVER_START_S_MAX = 60.0
REPLY_WAIT_S_MAX = 15.0


# -- the server process ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    def __init__(self, log_path: Path, *extra: str) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._log = log_path.open("wb")
        command = [sys.executable, "-m", "tidesql.cli", "serve", "--ephemeral"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), *extra]
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_until_listening(self) -> None:
        deadline = time.monotonic() + SERVER_START_S_MAX
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited at start:\n{self.log_tail()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 1),
            ):
                return
            time.sleep(0.1)
        pytest.fail(f"the server did not listen within {SERVER_START_S_MAX} s:\n{self.log_tail()}")

    def assert_healthy(self, when: str) -> None:
        import psycopg

        assert self.process.poll() is None, f"the server died {when}:\n{self.log_tail()}"
        try:
            with psycopg.connect(
                host="127.0.0.1",
                port=self.port,
                user=USER,
                dbname=DATABASE,
                connect_timeout=10,
                sslmode="disable",
            ) as connection:
                row = connection.execute("SELECT 1").fetchone()
        except psycopg.Error as error:
            pytest.fail(f"a fresh connection failed {when}: {error}\n{self.log_tail()}")
        assert row == (1,), f"SELECT 1 gave {row!r} {when}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("pgwire-fuzz") / "server.log")
    try:
        process.wait_until_listening()
        process.assert_healthy("before any fuzzing (is the engine able to run SELECT 1?)")
        yield process
    finally:
        process.stop()


# -- a raw client ------------------------------------------------------------------------


class RawClient:
    """A socket that speaks bytes, and parses what comes back with ``client_codec``."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=REPLY_WAIT_S_MAX)
        self.messages: list[BackendMessage] = []
        self.closed_by_server = False
        self._buffer = b""

    def send(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            self.sock.sendall(data)

    def read_until(self, done: Callable[[list[BackendMessage]], bool]) -> None:
        deadline = time.monotonic() + REPLY_WAIT_S_MAX
        while not done(self.messages) and not self.closed_by_server:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no complete answer within {REPLY_WAIT_S_MAX} s: {self.messages[-5:]}"
                )
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                data = b""
            if not data:
                self.closed_by_server = True
                break
            self._buffer += data
            frames, self._buffer = client_codec.split_backend(self._buffer)
            self.messages.extend(client_codec.decode_backend(*f) for f in frames)

    def drain(self, quiet_s: float = 0.3) -> None:
        """Read until the server closes or stays quiet for ``quiet_s``."""
        self.sock.settimeout(quiet_s)
        with contextlib.suppress(OSError):
            while self.sock.recv(65536):
                pass

    def start_up(self) -> None:
        self.send(client_codec.startup_message(USER, DATABASE))
        self.read_until(lambda ms: any(m.type in ("Z", "E") for m in ms))
        assert self.messages and self.messages[-1].type == "Z", self.messages
        self.messages.clear()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


@contextlib.contextmanager
def raw_client(port: int) -> Iterator[RawClient]:
    client = RawClient(port)
    try:
        yield client
    finally:
        client.close()


# -- strategies --------------------------------------------------------------------------

SQL_POOL = [
    "SELECT 1",
    "SELECT $1::int",
    "SELECT $1::text, $2::int",
    "SELECT 1/0",
    "SELEC 1",
    "",
    " ; ",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SELECT 1; SELECT 2",
    "SELECT 1; SELEC 2; SELECT 3",
    "CREATE TABLE IF NOT EXISTS fuzz (id int PRIMARY KEY, v text)",
    "INSERT INTO fuzz VALUES ($1, $2)",
    "SELECT * FROM fuzz",
    "COPY fuzz FROM STDIN",
    "COPY fuzz FROM STDIN (FORMAT csv)",
    "COPY fuzz TO STDOUT",
    "SET application_name = 'fuzz'",
    "SHOW server_version",
]

text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
sql = st.sampled_from(SQL_POOL) | text
names = st.sampled_from(["", "s1", "p1"]) | text
format_codes = st.lists(st.integers(-1, 2), max_size=3).map(tuple)
values = (
    st.none() | st.binary(max_size=12) | st.sampled_from([b"1", b"42", b"x", b"\x00\x00\x00\x01"])
)
copy_lines = st.sampled_from(
    [b"1\tone\n", b"2\t\\N\n", b'3,"q"\n', b"bad\n", b"\\.\n"]
) | st.binary(max_size=20)

well_formed: st.SearchStrategy[FrontendMessage] = st.one_of(
    sql.map(Query),
    st.builds(
        Parse,
        names,
        sql,
        st.lists(st.sampled_from([0, 23, 25, 20, 16, 999999]), max_size=3).map(tuple),
    ),
    st.builds(
        Bind, names, names, format_codes, st.lists(values, max_size=3).map(tuple), format_codes
    ),
    st.builds(Describe, st.sampled_from(["S", "P"]), names),
    st.builds(Execute, names, st.integers(0, 3)),
    st.just(Sync()),
    st.just(Flush()),
    st.builds(Close, st.sampled_from(["S", "P"]), names),
    st.builds(FunctionCall, st.integers(0, 5000)),
    copy_lines.map(CopyData),
    st.just(CopyDone()),
    text.map(CopyFail),
    st.just(Terminate()),
    st.binary(max_size=20).map(AuthenticationResponse),
)


def frame(type_byte: bytes, body: bytes) -> bytes:
    return type_byte + struct.pack("!I", len(body) + 4) + body


#: Frames with a correct length word but a body that need not parse.
malformed_frames = st.builds(
    frame, st.sampled_from([bytes([t]) for t in b"QPBDESHCFdcf"]), st.binary(max_size=30)
)

#: A frame, and whether the server may hang up because of it.
items = st.one_of(
    well_formed.map(
        lambda m: (
            client_codec.encode_frontend(m),
            isinstance(m, Terminate | AuthenticationResponse),
        )
    ),
    malformed_frames.map(lambda data: (data, False)),
)

BACK_TO_IDLE = b"".join(
    client_codec.encode_frontend(m)
    for m in (CopyFail("fuzz"), Sync(), Query("ROLLBACK"), Query("SELECT 1"))
)


def saw_select_one(messages: list[BackendMessage]) -> bool:
    for index, message in enumerate(messages):
        if message.type == "D" and message.fields == (b"1",):
            return any(m.type == "Z" for m in messages[index:])
    return False


def check_replies(messages: list[BackendMessage]) -> None:
    for message in messages:
        if message.type in ("E", "N"):
            (fields,) = message.fields
            assert isinstance(fields, ErrorFields)
            assert len(fields.sqlstate) == 5, fields
            assert fields.severity in (
                "ERROR",
                "FATAL",
                "WARNING",
                "NOTICE",
                "INFO",
                "DEBUG",
                "LOG",
            ), fields
        if message.type == "Z":
            assert message.fields[0] in ("I", "T", "E"), message


# -- the tests ---------------------------------------------------------------------------

FUZZ_SETTINGS = settings(
    max_examples=int(os.environ.get("TIDESQL_FUZZ_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ_SETTINGS
@given(junk=st.binary(min_size=1, max_size=300), after_startup=st.booleans())
def test_random_bytes_do_not_hurt_the_server(
    server: ServerProcess, junk: bytes, after_startup: bool
) -> None:
    with raw_client(server.port) as client:
        if after_startup:
            client.start_up()
        client.send(junk)
        client.drain()
    server.assert_healthy(f"after random bytes {junk[:40]!r}")


startup_packets = st.builds(
    StartupMessage,
    st.sampled_from([(3 << 16), (3 << 16) | 1, (3 << 16) | 2, (2 << 16), (4 << 16), 1234])
    | st.integers(0, 2**32 - 1),
    st.dictionaries(
        st.sampled_from(
            ["user", "database", "options", "application_name", "replication", "_pq_.x"]
        )
        | text.filter(bool),
        text,
        max_size=5,
    ),
)


@FUZZ_SETTINGS
@given(packet=startup_packets, then=st.binary(max_size=40))
def test_random_startup_packets_do_not_hurt_the_server(
    server: ServerProcess, packet: StartupMessage, then: bytes
) -> None:
    with raw_client(server.port) as client:
        client.send(client_codec.encode_startup(packet) + then)
        client.read_until(lambda ms: any(m.type in ("Z", "E") for m in ms))
        check_replies(client.messages)
        client.drain()
    server.assert_healthy(f"after startup packet {packet!r}")


@FUZZ_SETTINGS
@given(sequence=st.lists(items, max_size=14))
def test_message_sequences_leave_connection_and_server_usable(
    server: ServerProcess, sequence: list[tuple[bytes, bool]]
) -> None:
    may_hang_up = any(hang_up for _, hang_up in sequence)
    with raw_client(server.port) as client:
        client.start_up()
        client.send(b"".join(data for data, _ in sequence) + BACK_TO_IDLE)
        client.read_until(saw_select_one)
        check_replies(client.messages)
        if client.closed_by_server:
            assert may_hang_up, f"the server hung up: {client.messages[-3:]}"
        else:
            assert saw_select_one(client.messages), client.messages[-5:]
    server.assert_healthy("after a message sequence")


def test_many_idle_connections_and_a_query_among_them(server: ServerProcess) -> None:
    clients = [RawClient(server.port) for _ in range(200)]
    try:
        for client in clients:
            client.start_up()
        server.assert_healthy("with 200 idle connections open")
        probe = clients[-1]
        probe.send(client_codec.encode_frontend(Query("SELECT 1")))
        probe.read_until(saw_select_one)
        assert saw_select_one(probe.messages)
    finally:
        for client in clients:
            client.close()


def test_a_client_that_says_nothing_is_dropped_after_the_startup_timeout(
    tmp_path: Path,
) -> None:
    process = ServerProcess(tmp_path / "server.log", "--startup-timeout-s", "0.5")
    try:
        process.wait_until_listening()
        silent = socket.create_connection(("127.0.0.1", process.port))
        half_started = socket.create_connection(("127.0.0.1", process.port))
        try:
            half_started.sendall(b"\x00\x00\x00\x10")  # a length, then nothing more
            for sock in (silent, half_started):
                sock.settimeout(30.0)  # a bound on the test, not a timing assertion
                assert sock.recv(1024) == b"", "the server closes the connection"
        finally:
            silent.close()
            half_started.close()
        process.assert_healthy("after dropping silent clients")
    finally:
        process.stop()
