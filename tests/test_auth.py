"""Logins through real clients: SCRAM-SHA-256 for roles with passwords, and DSQL IAM
tokens — including through aurora-dsql-python-connector, unchanged."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from servers import tidesql_server

ACCESS_KEY_ID = "AKIDTIDESQLTEST"
SECRET_ACCESS_KEY = "tidesql/secret/for/tests/only+XYZ"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def password_server() -> Any:
    with tidesql_server("--auth", "password", "--admin-password", "s3cret") as dsn:
        yield dsn


@pytest.fixture(scope="module")
def iam_server() -> Any:
    with tidesql_server(
        "--auth",
        "iam",
        "--iam-access-key-id",
        ACCESS_KEY_ID,
        "--iam-secret-access-key",
        SECRET_ACCESS_KEY,
        "--iam-region",
        REGION,
    ) as dsn:
        yield dsn


def test_scram_login_for_admin_and_created_roles(password_server: str) -> None:
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(password_server + " password=wrong")
    assert "password authentication failed" in str(caught.value)
    with psycopg.connect(password_server + " password=s3cret", autocommit=True) as admin:
        admin.execute("CREATE ROLE app_user WITH LOGIN PASSWORD 'app-pw'")
        admin.execute("CREATE ROLE no_login PASSWORD 'x'")
    app_dsn = password_server.replace("user=admin", "user=app_user")
    with psycopg.connect(app_dsn + " password=app-pw", autocommit=True) as app:
        assert app.execute("SELECT current_user").fetchone() == ("app_user",)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(password_server.replace("user=admin", "user=no_login") + " password=x")
    with psycopg.connect(password_server + " password=s3cret", autocommit=True) as admin:
        admin.execute("ALTER ROLE app_user WITH PASSWORD 'new-pw'")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(app_dsn + " password=app-pw")
    with psycopg.connect(app_dsn + " password=new-pw") as app:
        assert app.execute("SELECT 1").fetchone() == (1,)


def test_tls_is_offered(password_server: str) -> None:
    dsn = password_server + " password=s3cret sslmode=require"
    with psycopg.connect(dsn) as connection:
        assert connection.pgconn.ssl_in_use


def _connector_env() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": REGION,
    }


def test_aurora_dsql_connector_with_psycopg(
    iam_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aurora_dsql_psycopg as dsql

    for name, value in _connector_env().items():
        monkeypatch.setenv(name, value)
    parts = dict(part.split("=", 1) for part in iam_server.split())
    # The connector treats any host without ".dsql" as a cluster id and expands it, so
    # give it a DSQL-style name and let libpq's hostaddr reach the local server.
    connection = dsql.connect(
        host=f"local.dsql.{REGION}.on.aws",
        hostaddr=parts["host"],
        port=int(parts["port"]),
        user="admin",
        dbname="postgres",
        region=REGION,
        sslmode="require",
        autocommit=True,
    )
    with connection:
        assert connection.execute("SELECT 40 + 2").fetchone() == (42,)


async def test_iam_token_with_asyncpg(iam_server: str) -> None:
    """asyncpg cannot be pointed at loopback under a DSQL host name, so it gets the token
    the connector would make (botocore's generator) directly."""
    import asyncpg
    import botocore.session

    client = botocore.session.get_session().create_client(
        "dsql",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )
    token = client.generate_db_connect_admin_auth_token(f"local.dsql.{REGION}.on.aws", REGION)
    parts = dict(part.split("=", 1) for part in iam_server.split())
    connection = await asyncpg.connect(
        host=parts["host"],
        port=int(parts["port"]),
        user="admin",
        database="postgres",
        password=token,
        ssl="require",
    )
    try:
        assert await connection.fetchval("SELECT 40 + 2") == 42
    finally:
        await connection.close()


def test_iam_refuses_a_token_signed_with_another_secret(iam_server: str) -> None:
    import botocore.session

    client = botocore.session.get_session().create_client(
        "dsql",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key="not-the-secret",
    )
    token = client.generate_db_connect_admin_auth_token("127.0.0.1", REGION, 900)
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(iam_server + f" password={token} sslmode=require")
    assert "password authentication failed" in str(caught.value)
