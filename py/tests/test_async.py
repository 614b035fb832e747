"""AsyncClient: the same methods as coroutines on the SDK's runtime; many at once, the loop
never blocked, a cancelled task cancels its request."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
from typing import Iterator, List, Tuple

import pytest

from pleo_installations import (
    AsyncClient,
    InstallationStatus,
    InvalidArgumentError,
    NotFoundError,
)
from pleo_installations.testing import MockServer


class SilentServer:
    """Reads requests and never answers; counts the connections the client closed."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.closed = threading.Semaphore(0)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._drain, args=(connection,), daemon=True).start()

    def _drain(self, connection: socket.socket) -> None:
        with connection:
            while connection.recv(4096):
                pass
        self.closed.release()

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def test_the_lifecycle_runs_as_coroutines(server: MockServer) -> None:
    async def lifecycle() -> List[str]:
        async with AsyncClient(base_url=server.url, api_key=server.api_key) as client:
            seen = [str((await client.create_installation(status="AUTHORIZED")).status)]
            seen.append(str((await client.activate_installation()).status))
            updated = await client.update_installation(InstallationStatus.PENDING_INTEGRATION, metadata={"a": 1})
            seen.append(str(updated.status))
            seen.append(str((await client.get_installation()).status))
            seen.append(str((await client.introspect()).auth_method))
            assert '"PENDING_INTEGRATION"' in await client.call_json("getClientInstallation")
            await client.delete_installation()
            with pytest.raises(NotFoundError):
                await client.get_installation()
            return seen

    assert asyncio.run(lifecycle()) == [
        "AUTHORIZED",
        "ACTIVATED",
        "PENDING_INTEGRATION",
        "PENDING_INTEGRATION",
        "API_KEY",
    ]


def test_two_hundred_awaited_calls_run_at_once(server: MockServer) -> None:
    server.seed_installation(status="ACTIVATED")
    server.push_fault(delay=0.5, times=200, operation="getClientInstallation")

    async def many() -> Tuple[float, List[str]]:
        async with AsyncClient(base_url=server.url, api_key=server.api_key) as client:
            started = time.monotonic()
            found = await asyncio.gather(*(client.get_installation() for _ in range(200)))
            return time.monotonic() - started, [str(i.status) for i in found]

    elapsed, statuses = asyncio.run(many())
    assert statuses == ["ACTIVATED"] * 200
    assert server.pending_faults() == 0
    # One after another they would take 100 s; at once, about the one delay.
    assert elapsed < 20, elapsed


def test_the_event_loop_keeps_running_during_a_call(server: MockServer) -> None:
    server.seed_installation(status="ACTIVATED")
    server.push_fault(delay=0.4, operation="getClientInstallation")

    async def ticking() -> int:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        async with AsyncClient(base_url=server.url, api_key=server.api_key) as client:
            await client.get_installation()
        ticker.cancel()
        return ticks

    assert asyncio.run(ticking()) >= 15


def test_wait_for_cancels_the_request(silent: SilentServer) -> None:
    async def cancelled() -> None:
        client = AsyncClient(base_url=silent.url, api_key="k")
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.introspect(), 0.2)

    asyncio.run(cancelled())
    assert silent.closed.acquire(timeout=10), "the cancelled call's connection stayed open"


def test_cancelling_the_task_cancels_the_request(silent: SilentServer) -> None:
    async def cancelled() -> None:
        client = AsyncClient(base_url=silent.url, api_key="k")
        task = asyncio.ensure_future(client.get_installation())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancelled())
    assert silent.closed.acquire(timeout=10), "the cancelled call's connection stayed open"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.TaskGroup is new in Python 3.11")
def test_a_failing_task_group_cancels_its_other_calls(silent: SilentServer) -> None:
    async def group() -> None:
        client = AsyncClient(base_url=silent.url, api_key="k")

        async def fail() -> None:
            await asyncio.sleep(0.2)
            raise RuntimeError("stop")

        async with asyncio.TaskGroup() as tasks:  # type: ignore[attr-defined]
            tasks.create_task(client.introspect())
            tasks.create_task(client.introspect())
            tasks.create_task(fail())

    with pytest.raises(BaseException) as raised:
        asyncio.run(group())
    assert "stop" in repr(raised.value)
    for _ in range(2):
        assert silent.closed.acquire(timeout=10), "a cancelled call's connection stayed open"


def test_errors_are_typed_and_bad_input_fails_before_sending(server: MockServer) -> None:
    async def failing() -> None:
        async with AsyncClient(base_url=server.url, api_key=server.api_key) as client:
            with pytest.raises(InvalidArgumentError):
                await client.call_json("noSuchOperation")
            with pytest.raises(TypeError):
                await client.get_installation(company_id=5)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="closed"):
            await client.introspect()

    asyncio.run(failing())
    assert server.journal() == []


def test_a_result_after_the_loop_closed_is_dropped_quietly(silent: SilentServer) -> None:
    loop = asyncio.new_event_loop()
    client = AsyncClient(base_url=silent.url, api_key="k", total_timeout=0.3)
    loop.run_until_complete(asyncio.sleep(0))
    pending = loop.create_task(client.introspect())
    loop.run_until_complete(asyncio.sleep(0.05))
    loop.close()  # the task never finishes; the SDK's answer has nowhere to go
    time.sleep(0.6)
    assert not pending.done()
