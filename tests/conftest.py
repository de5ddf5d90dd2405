"""Test plumbing: run ``async def`` tests on a fresh event loop with a timeout.

A test fails if its event loop saw an exception that nobody retrieved (a task that died
silently), in the spirit of asyncpg's test suite.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

ASYNC_TEST_TIMEOUT_S = 60.0


def run_async(coroutine: Any, timeout_s: float = ASYNC_TEST_TIMEOUT_S) -> Any:
    loop = asyncio.new_event_loop()
    unhandled: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    try:
        result = loop.run_until_complete(asyncio.wait_for(coroutine, timeout_s))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
    if unhandled:
        raise AssertionError(f"the event loop saw unhandled exceptions: {unhandled}")
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        run_async(pyfuncitem.obj(**arguments))
        return True
    return None


@pytest.fixture(scope="session")
def tidesql_dsn() -> Any:
    """A tidesql server in DSQL mode (the default) for the whole test session."""
    from servers import tidesql_server

    with tidesql_server() as dsn:
        yield dsn


@pytest.fixture(scope="session")
def extended_dsn() -> Any:
    """A tidesql server in extended mode (all isolation levels, synchronous DDL…)."""
    from servers import tidesql_server

    with tidesql_server("--mode", "extended") as dsn:
        yield dsn
