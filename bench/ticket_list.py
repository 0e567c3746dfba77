"""One case of the ticket-list benchmark: one database (whatever the environment selects), one
size. `python -m bench` runs it in a subprocess per (backend, size) with DATABASE_URL or
SQLITE_PATH pointing at a scratch database; it prints one `BENCH_RESULT {json}` line.

    DATABASE_URL= SQLITE_PATH=/tmp/b.sqlite3 ALLOWED_HOSTS=testserver DEBUG=0 \\
        python -m bench.ticket_list --size 10000

Never point it at a database you care about: it migrates it and fills it with tickets.
"""

import argparse
import dataclasses
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

RESULT_PREFIX = "BENCH_RESULT "
MIN_SAMPLES = 20
URL = "/api/v1/tickets/"
RAW_URL = "/bench/raw/tickets/"


def mixes(txid: str) -> list[tuple[str, dict[str, str]]]:
    """The query mixes: what agents actually ask the list for."""
    return [
        ("no filter", {}),
        ("page_size=100", {"page_size": "100"}),
        ("page=20", {"page": "20"}),
        ("status=open", {"status": "open"}),
        ("status=open&page_size=100", {"status": "open", "page_size": "100"}),
        (
            "status=open&category=deposit&priority=high",
            {"status": "open", "category": "deposit", "priority": "high"},
        ),
        (
            "team=deposits-withdrawals&assignee=me",
            {"team": "deposits-withdrawals", "assignee": "me"},
        ),
        ("q=<TXID>", {"q": txid}),
    ]


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _first_difference(api: object, raw: object, path: str = "") -> str:
    if type(api) is not type(raw):
        return f"{path or '<root>'}: API {api!r} vs raw {raw!r}"
    if isinstance(api, dict):
        for key in sorted(set(api) | set(raw)):
            if key not in api or key not in raw:
                return f"{path}.{key}: only in {'API' if key in api else 'raw'}"
            diff = _first_difference(api[key], raw[key], f"{path}.{key}")
            if diff:
                return diff
        return ""
    if isinstance(api, list):
        if len(api) != len(raw):
            return f"{path}: API has {len(api)} items, raw {len(raw)}"
        for index, (a, r) in enumerate(zip(api, raw, strict=True)):
            diff = _first_difference(a, r, f"{path}[{index}]")
            if diff:
                return diff
        return ""
    return "" if api == raw else f"{path}: API {api!r} vs raw {raw!r}"


def _query_kind(sql: str) -> str:
    if "authtoken_token" in sql:
        return "auth"
    if re.match(r"\s*SELECT COUNT\(\*\)", sql, re.IGNORECASE):
        return "count"
    if "tickets_ticket_tags" in sql:
        return "tags"
    if re.search(r'FROM "tickets_ticket".* LIMIT \d+', sql, re.DOTALL):
        return "page"
    return "other"


def _sql_breakdown(connection, captured: list[dict], repeat: int = 3) -> dict[str, float]:
    """Re-run each query of one API request on its own (execute + fetch all rows) and add up
    the median times per kind of query, in ms: where the request's SQL time goes."""
    totals: dict[str, float] = {}
    for query in captured:
        times = []
        for _ in range(repeat):
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(query["sql"])
                cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
        kind = _query_kind(query["sql"])
        totals[kind] = totals.get(kind, 0.0) + statistics.median(times)
    return totals


def run(
    size: int, requests: int, warmup: int, budget: float, seed: int, dataset_file: Path | None
) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from bench import baseline, dataset

    # The product's URLs plus the baseline view (bench/urls.py).
    settings.ROOT_URLCONF = "bench.urls"
    started = time.perf_counter()
    if dataset_file is not None and dataset_file.exists():
        # A later round on the database an earlier round filled.
        data = dataset.Dataset(**json.loads(dataset_file.read_text()))
        migrated = generated = time.perf_counter()
        log(f"  reusing the {size:,} tickets of an earlier round")
    else:
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.perf_counter()
        log(f"  migrated in {migrated - started:.1f}s; generating {size:,} tickets")
        data = dataset.build(size, seed=seed)
        generated = time.perf_counter()
        log(f"  data generated in {generated - migrated:.1f}s")
        if dataset_file is not None:
            dataset_file.write_text(json.dumps(dataclasses.asdict(data)))

    personas = [("supervisor", data.supervisor_token), ("agent", data.agent_token)]
    cases = []
    for persona, token in personas:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        for name, params in mixes(data.txid):
            url = URL + (f"?{urlencode(params)}" if params else "")

            def api(url: str = url, client: APIClient = client) -> bytes:
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} answered {response.status_code}")
                return response.content

            def raw(token: str = token, params: dict = params) -> bytes:
                return baseline.ticket_list_json(token, params)

            raw_url = RAW_URL + (f"?{urlencode(params)}" if params else "")

            def raw_http(url: str = raw_url, client: APIClient = client) -> bytes:
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} answered {response.status_code}")
                return response.content

            # Warm up both (caches, statement plans, Python imports), counting the API's
            # queries on each warm-up request: the same URL always costs the same queries.
            queries = []
            for _ in range(warmup):
                with CaptureQueriesContext(connection) as captured:
                    api_body = api()
                # Copied now: the next request through the client resets the query log.
                api_queries = list(captured.captured_queries)
                queries.append(len(api_queries))
                raw_body = raw()
                raw_http()
            breakdown = _sql_breakdown(connection, api_queries)

            api_json, raw_json = json.loads(api_body), json.loads(raw_body)
            mismatch = ""
            if api_json["count"] != raw_json["count"]:
                mismatch = f"count: API {api_json['count']} vs raw {raw_json['count']}"
            else:
                mismatch = _first_difference(api_json["results"], raw_json["results"], "results")
            if mismatch:
                log(f"  !!! MISMATCH {persona} {name}: {mismatch}")

            # Interleaved so both see the same machine conditions. Time-boxed: a slow mix
            # stops after `budget` seconds once it has MIN_SAMPLES pairs.
            api_ms, raw_ms, http_ms = [], [], []
            deadline = time.perf_counter() + budget
            while len(api_ms) < requests and (
                len(api_ms) < MIN_SAMPLES or time.perf_counter() < deadline
            ):
                t0 = time.perf_counter()
                api()
                t1 = time.perf_counter()
                raw()
                t2 = time.perf_counter()
                raw_http()
                t3 = time.perf_counter()
                api_ms.append((t1 - t0) * 1000)
                raw_ms.append((t2 - t1) * 1000)
                http_ms.append((t3 - t2) * 1000)

            case = {
                "persona": persona,
                "mix": name,
                "url": url.replace(data.txid, "<TXID>"),
                "count": api_json["count"],
                "samples": len(api_ms),
                "rows": len(api_json["results"]),
                "api_p50": percentile(api_ms, 50),
                "api_p95": percentile(api_ms, 95),
                "api_mean": statistics.fmean(api_ms),
                "raw_p50": percentile(raw_ms, 50),
                "raw_p95": percentile(raw_ms, 95),
                "raw_mean": statistics.fmean(raw_ms),
                "http_p50": percentile(http_ms, 50),
                "http_p95": percentile(http_ms, 95),
                "queries_max": max(queries),
                "queries_min": min(queries),
                "sql_ms": {k: round(v, 3) for k, v in breakdown.items()},
                "match": not mismatch,
                "mismatch": mismatch,
            }
            cases.append(case)
            log(
                f"  {persona:10} {name:45} count={case['count']:>6} "
                f"api p50/p95 {case['api_p50']:6.1f}/{case['api_p95']:6.1f} ms  "
                f"raw view {case['http_p50']:6.1f}/{case['http_p95']:6.1f} ms  "
                f"sql {case['raw_p50']:6.1f}/{case['raw_p95']:6.1f} ms  "
                f"queries {case['queries_max']}"
            )

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        (db_version,) = cursor.fetchone()
    return {
        "backend": connection.vendor,
        "db_version": db_version,
        "size": size,
        "customers": data.customers,
        "agents": data.agents,
        "requests": requests,
        "warmup": warmup,
        "budget": budget,
        "migrate_s": round(migrated - started, 2),
        "generate_s": round(generated - migrated, 2),
        "bench_s": round(time.perf_counter() - generated, 2),
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="number of tickets")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per mix")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up requests per mix")
    parser.add_argument(
        "--budget", type=float, default=3.0, help="seconds per mix once it has 20 samples"
    )
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--dataset",
        type=Path,
        help="where the generated data's tokens are kept: if the file exists, the database "
        "already holds that data and is reused; if not, it is filled and the file written",
    )
    args = parser.parse_args(argv)
    if args.warmup < 1:
        parser.error("--warmup must be at least 1: the warm-ups count the queries")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    result = run(args.size, args.requests, args.warmup, args.budget, args.seed, args.dataset)
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
