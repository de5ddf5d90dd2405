"""The ``tidesql`` command: ``serve`` runs the server; ``bench`` runs the workloads."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("tidesql")


def _install_loop() -> None:
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def _iam_credentials(args: argparse.Namespace) -> Any:
    """The AWS credentials DSQL tokens are checked against: flags, else the environment."""
    from tidesql.pgwire.auth import IamCredentials

    access_key = args.iam_access_key_id or os.environ.get("AWS_ACCESS_KEY_ID")
    secret_key = args.iam_secret_access_key or os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not access_key or not secret_key:
        sys.exit(
            "--auth iam needs AWS credentials: --iam-access-key-id and "
            "--iam-secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    return IamCredentials(access_key, secret_key, region=args.iam_region)


async def _serve(args: argparse.Namespace) -> None:
    from tidesql.cluster.embedded import ClusterConfig, EmbeddedCluster
    from tidesql.cluster.network import LAYOUTS
    from tidesql.pgwire.server import PgServer
    from tidesql.sql.engine import Engine
    from tidesql.sql.roles import password_lookup
    from tidesql.sql.session import Session

    data_dir = None if args.ephemeral else Path(args.data_dir)
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
    config = ClusterConfig(
        data_dir=data_dir,
        fsync=not args.no_fsync,
        replication_delay_s=args.replication_delay_ms / 1000.0,
        layout=LAYOUTS[args.layout](),
        az_one_way_s=args.az_delay_ms / 1000.0,
        region_one_way_s=args.region_delay_ms / 1000.0,
    )
    cluster = EmbeddedCluster(config)
    await cluster.start()
    engine = Engine(cluster, mode=args.mode)
    await engine.start()

    def session_factory(user: str, database: str, parameters: dict[str, str]) -> Session:
        from tidesql import sqlstates
        from tidesql.errors import TideError

        if database != "postgres":
            raise TideError(
                f'database "{database}" does not exist', sqlstate=sqlstates.INVALID_CATALOG_NAME
            )
        return Session(engine, user, database, parameters)

    from tidesql.pgwire.tls import resolve_ssl_context

    ssl_context = resolve_ssl_context(args.cert, args.key, enabled=not args.no_tls)
    server = PgServer(
        session_factory,
        host=args.host,
        port=args.port,
        auth_method=args.auth,
        password_lookup=(
            password_lookup(engine, args.admin_password or os.environ.get("TIDESQL_ADMIN_PASSWORD"))
            if args.auth == "password"
            else None
        ),
        iam_credentials=_iam_credentials(args) if args.auth == "iam" else None,
        ssl_context=ssl_context,
        startup_timeout_s=args.startup_timeout_s,
    )
    await server.start()
    where = f"{args.host}:{server.port}"
    storage = "in memory (--ephemeral)" if data_dir is None else f"data in {data_dir}"
    print(f"tidesql listening on {where}, {storage}, mode {args.mode}", flush=True)
    print(f"connect with: psql -h {args.host} -p {server.port} -U admin postgres", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    print("tidesql shutting down", flush=True)
    await server.stop()
    await engine.stop()
    await cluster.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tidesql")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the PostgreSQL-protocol server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5432)
    serve.add_argument("--data-dir", default=os.environ.get("TIDESQL_DATA_DIR", "tidesql-data"))
    serve.add_argument("--ephemeral", action="store_true", help="keep everything in memory")
    serve.add_argument("--mode", choices=("dsql", "extended"), default="dsql")
    serve.add_argument("--auth", choices=("trust", "password", "iam"), default="trust")
    serve.add_argument("--no-fsync", action="store_true", help="skip fsync (unsafe)")
    serve.add_argument("--cert", help="TLS certificate (PEM); default: a generated self-signed one")
    serve.add_argument("--key", help="TLS private key (PEM)")
    serve.add_argument("--no-tls", action="store_true", help="answer SSLRequest with 'N'")
    serve.add_argument(
        "--replication-delay-ms",
        type=float,
        default=0.0,
        help="delay every replica's feed (to show what strong reads wait for)",
    )
    serve.add_argument(
        "--layout",
        choices=("one-region", "two-region"),
        default="one-region",
        help="where the cluster's parts sit (two-region: two regions and a witness)",
    )
    serve.add_argument(
        "--az-delay-ms", type=float, default=0.0, help="inject a one-way delay between AZs"
    )
    serve.add_argument(
        "--region-delay-ms", type=float, default=0.0, help="inject a one-way delay between regions"
    )
    serve.add_argument(
        "--startup-timeout-s",
        type=float,
        default=60.0,
        help="drop a connection that has not finished startup and authentication by then",
    )
    serve.add_argument("--admin-password", help="admin's password for --auth password")
    serve.add_argument("--iam-access-key-id", help="AWS access key id for --auth iam")
    serve.add_argument("--iam-secret-access-key", help="AWS secret key for --auth iam")
    serve.add_argument("--iam-region", help="the region tokens must be signed for")
    serve.add_argument("--log-level", default="WARNING")
    workloads = ("events", "isolation", "rtt", "core", "planning", "pgbench")
    bench = commands.add_parser("bench", help="run a workload: " + " | ".join(workloads))
    bench.add_argument("workload", choices=workloads)
    bench.add_argument("options", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "bench":
        import importlib

        module = importlib.import_module(f"tidesql.bench.{args.workload}")
        module.main(args.options)
        return
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    if args.command == "serve":
        _install_loop()
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
