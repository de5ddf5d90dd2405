"""The PostgreSQL wire protocol (v3): codec, state machines, authentication, server.

Layers, from the bytes up (each module's docstring is its design note):

* ``messages``      — pure codec: frontend messages in, backend messages out, limits;
* ``client_codec``  — the reverse direction, for tests, fuzzers and tools;
* ``copyformat``    — COPY's text and CSV formats;
* ``values``        — Python values ⇄ wire bytes through ``sql/types/``;
* ``auth``          — trust, SCRAM-SHA-256, DSQL IAM tokens;
* ``startup``       — state machine from a fresh socket to an authenticated user;
* ``protocol``      — state machine of the simple and extended query protocols and COPY;
* ``server``        — the thin asyncio layer (``PgServer``), TLS upgrade, cancel keys;
* ``tls``           — server certificates, self-signed when none is given.

This package re-exports only what the rest of tidesql wires together; import the
modules themselves for the rest.
"""

from __future__ import annotations

from tidesql.pgwire.auth import AuthMethod, IamCredentials, make_scram_verifier
from tidesql.pgwire.server import PgServer

__all__ = ["AuthMethod", "IamCredentials", "PgServer", "make_scram_verifier"]
