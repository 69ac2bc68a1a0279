"""Benchmark the FHIR API: the real server (`perinatal serve`, uvicorn) on a database holding the
demo data, driven by 32 concurrent clients on loopback; PostgreSQL and then SQLite.

    .venv/bin/python bench/api.py [--births-per-year N] [--years Y] [--clients C]
        [--requests R] [--workers W] [--backends postgresql,sqlite]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Prints, per backend: reads by id (p50, p95, reads/s) as fast as the clients can and paced at
500 a second, searches of a patient's observations (p50, p95, searches/s) as fast as they can
and paced at 100 a second (the rates of issue 20's targets), a 500-entry transaction Bundle (each
of 5 runs) and a `$export` of everything (kick-off to manifest). Beside them, the ceiling
measured in the same run: the same server answering a path it does not have (a 404
OperationOutcome: the HTTP stack, middleware, authentication and routing, with no database), under
the same load, closed-loop and paced at the read rate. The load generator shares
the machine with the server and the database, so every figure includes their competition for
the same cores. The PostgreSQL
database is created for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.ingest import FILES, _create_database, _drop_database

TOKEN = "bench-api-token-0123456789"
HEADERS = {"authorization": f"Bearer {TOKEN}"}
READ_RATE = 500  # reads a second offered in the open-loop test (issue 20's target's rate)
SEARCH_RATE = 100  # searches a second offered, likewise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--births-per-year", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=6_000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--workers", type=int, default=1, help="`perinatal serve --workers`")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()

    from fhir_mappings.synthetic.files import write_extracts
    from fhir_mappings.synthetic.generator import generate
    from fhir_mappings.synthetic.spec import SynthesisSpec

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        result = generate(
            SynthesisSpec(births_per_year=args.births_per_year, years=args.years, defect_rate=0.02)
        )
        write_extracts(result, data)
        print(f"data: {result.truth['counts']['babies']:,} babies; {args.clients} clients")
        for backend in args.backends.split(","):
            url = (
                _create_database(args.postgres)
                if backend == "postgresql"
                else f"sqlite:///{data / 'bench.db'}"
            )
            try:
                resources = load(url, data)
                print(f"{backend}: {resources:,} resources stored")
                with running_server(url, data, args.workers) as base:
                    figures = asyncio.run(measure(base, args.clients, args.requests))
                print_figures(backend, figures)
            finally:
                if backend == "postgresql":
                    _drop_database(args.postgres, url)


def load(url: str, folder: Path) -> int:
    from fhir_mappings.mapping.model import default_mapping
    from service.clock import utc_now
    from service.ingest.run import ingest_file
    from service.storage import migrate
    from service.storage.engine import make_engine, make_session_factory

    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    total = 0
    for source, name in FILES.items():
        report = ingest_file(
            sessions, folder / name, default_mapping(source), clock=utc_now, project=False
        )
        total += report.resources.total
    engine.dispose()
    return total


class running_server:  # noqa: N801 - used as a context manager, like open()
    def __init__(self, url: str, folder: Path, workers: int) -> None:
        self.workers = workers
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.environment = {
            **os.environ,
            "PERINATAL_DATABASE_URL": url,
            "PERINATAL_API_TOKENS": f'{{"{TOKEN}": "system/*.read system/*.write"}}',
            "PERINATAL_DATA_DIR": str(folder),
            "PERINATAL_LOG_LEVEL": "WARNING",
        }

    def __enter__(self) -> str:
        command = [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        self.process = subprocess.Popen(
            command, env=self.environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        root = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                if httpx.get(f"{root}/healthz", timeout=1).status_code == 200:
                    return f"{root}/fhir"
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise SystemExit("the server did not start")

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


async def measure(base: str, clients: int, requests: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=120) as http:
        observations = await ids(http, "Observation")
        patients = await ids(http, "Patient")
        rng = random.Random(7)
        read_path = lambda: f"/Observation/{rng.choice(observations)}"  # noqa: E731
        search_path = lambda: f"/Observation?patient={rng.choice(patients)}"  # noqa: E731
        root = base.removesuffix("/fhir")
        missing = lambda: "/fhir/no-such-interaction/x/y"  # noqa: E731
        ceiling = await load_test(root, clients, requests, missing, expected=404)
        paced_ceiling = await paced_test(
            root, clients, READ_RATE, requests // 2, missing, expected=404
        )
        reads = await load_test(base, clients, requests, read_path)
        paced_reads = await paced_test(base, clients, READ_RATE, requests // 2, read_path)
        searches = await load_test(base, clients, requests // 3, search_path)
        paced_searches = await paced_test(base, clients, SEARCH_RATE, requests // 10, search_path)
        transactions = [await transaction(http, rng.choice(patients)) for _ in range(5)]
        export_seconds, exported = await export(http)
    return {
        "ceiling": ceiling,
        "paced_ceiling": paced_ceiling,
        "reads": reads,
        "paced_reads": paced_reads,
        "searches": searches,
        "paced_searches": paced_searches,
        "transactions": transactions,
        "export_seconds": export_seconds,
        "exported": exported,
    }


async def ids(http: httpx.AsyncClient, resource_type: str) -> list[str]:
    bundle = (await http.get(f"/{resource_type}", params={"_count": 1000})).json()
    return [entry["resource"]["id"] for entry in bundle["entry"]]


async def load_test(
    base: str, clients: int, requests: int, next_path: Callable[[], str], expected: int = 200
) -> dict[str, float]:
    """`requests` GETs by `clients` concurrent workers, after a warm-up: latency and rate.
    aiohttp drives the load: httpx's async pool, on this machine, cannot issue more than
    about 250 requests a second, which would measure the client rather than the server."""
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, headers=HEADERS) as http:

        async def get(path: str) -> None:
            async with http.get(base + path) as response:
                await response.read()
                _check(response, expected)

        for _ in range(100):
            await get(next_path())
        latencies: list[float] = []
        remaining = requests

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                await get(next_path())
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        seconds = time.perf_counter() - started
    return latency_figures(latencies, seconds)


async def paced_test(
    base: str,
    clients: int,
    rate: float,
    requests: int,
    next_path: Callable[[], str],
    expected: int = 200,
) -> dict[str, float]:
    """Open loop: `clients` workers together offer `rate` requests a second, each on its own
    schedule; latency is counted from when a request was due, so a stall is not hidden."""
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, headers=HEADERS) as http:
        latencies: list[float] = []
        start = time.perf_counter() + 0.1
        interval = clients / rate

        async def worker(offset: int) -> None:
            for n in range(requests // clients):
                due = start + (offset / clients + n) * interval
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                async with http.get(base + next_path()) as response:
                    await response.read()
                    _check(response, expected)
                latencies.append(time.perf_counter() - due)

        await asyncio.gather(*(worker(i) for i in range(clients)))
        seconds = time.perf_counter() - start
    return latency_figures(latencies, seconds)


def _check(response: aiohttp.ClientResponse, expected: int) -> None:
    if response.status != expected:
        raise SystemExit(f"{response.url}: HTTP {response.status}, expected {expected}")


def latency_figures(latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[int(0.95 * len(ordered)) - 1],
        "per_second": len(ordered) / seconds,
    }


async def transaction(http: httpx.AsyncClient, patient_id: str) -> float:
    """A 500-entry transaction: 500 new Observations about one patient."""
    entries = [
        {
            "fullUrl": f"urn:uuid:{uuid.uuid4()}",
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                "subject": {"reference": f"Patient/{patient_id}"},
                "effectiveDateTime": "2026-01-01",
                "valueQuantity": {
                    "value": 60 + i / 10,
                    "system": "http://unitsofmeasure.org",
                    "code": "kg",
                },
            },
            "request": {"method": "POST", "url": "Observation"},
        }
        for i in range(500)
    ]
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    started = time.perf_counter()
    response = await http.post("", json=bundle, headers={"content-type": "application/fhir+json"})
    seconds = time.perf_counter() - started
    response.raise_for_status()
    return seconds


async def export(http: httpx.AsyncClient) -> tuple[float, int]:
    started = time.perf_counter()
    kick_off = await http.get("/$export", headers={"prefer": "respond-async"})
    status_url = kick_off.headers["content-location"]
    while True:
        status = await http.get(status_url)
        if status.status_code == 200:
            break
        status.raise_for_status()
        await asyncio.sleep(0.5)
    seconds = time.perf_counter() - started
    return seconds, sum(output["count"] for output in status.json()["output"])


def print_figures(backend: str, f: dict[str, Any]) -> None:
    def line(name: str, closed: dict[str, float], paced: dict[str, float], rate: int) -> str:
        return (
            f"  {name}: as fast as the clients can p50 {closed['p50_ms']:.1f} ms, "
            f"p95 {closed['p95_ms']:.1f} ms, {closed['per_second']:,.0f}/s; "
            f"paced at {rate:,}/s: p50 {paced['p50_ms']:.1f} ms, p95 {paced['p95_ms']:.1f} ms"
        )

    ceiling, reads = f["ceiling"], f["reads"]
    print(f"{backend}:")
    print(line("ceiling, a 404 from the same server", ceiling, f["paced_ceiling"], READ_RATE))
    print(line("read by id", reads, f["paced_reads"], READ_RATE))
    print(f"    {reads['per_second'] / ceiling['per_second']:.0%} of the ceiling's rate")
    print(line("search by patient", f["searches"], f["paced_searches"], SEARCH_RATE))
    print(
        f"  500-entry transaction {', '.join(f'{s:.2f}' for s in f['transactions'])} s; "
        f"$export {f['exported']:,} resources in {f['export_seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
