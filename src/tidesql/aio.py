"""Small asyncio helpers shared by the components."""

from __future__ import annotations

import asyncio
import contextlib


async def cancel_and_wait(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel background tasks, wait until each has finished, and empty the list."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    tasks.clear()
