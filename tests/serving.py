"""The product served for a test or a benchmark that talks to it as a client would:
`perinatal serve` in its own process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(database_url: str, folder: Path, **settings: str) -> Iterator[str]:
    """`perinatal serve` over the database on a free loopback port, its log in `folder`, with
    any further settings as environment variables; yields the root URL once it answers its
    health check."""
    port = free_port()
    environment = {
        **os.environ,
        "PERINATAL_DATABASE_URL": database_url,
        "PERINATAL_DATA_DIR": str(folder),
        "PERINATAL_LOG_LEVEL": "WARNING",
        **settings,
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            root = f"http://127.0.0.1:{port}"
            _wait_until_ready(root, process, log_path)
            yield root
        finally:
            process.terminate()
            process.wait(timeout=20)


def _wait_until_ready(root: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{root}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not become ready: {log.read_text()[-2000:]}")
