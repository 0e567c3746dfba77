"""`python -m bench` (`make bench`): the ticket list API against a raw-SQL baseline, at 10k and
100k tickets, on SQLite and on PostgreSQL, in one run. Prints Markdown.

Every (backend, size) case runs `python -m bench.ticket_list` in a subprocess on a scratch
database: an SQLite file in a temporary folder, or a PostgreSQL database that this script
creates and drops (`helpdesk_bench_10k`, ...) on BENCH_POSTGRES_URL (default
postgresql://127.0.0.1:5432/postgres, as the current OS user). No PostgreSQL: its rows are
skipped with the reason.
"""

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.cases import case_environment, cpu_model, pg_admin, postgres_version, run_worker
from bench.ticket_list import RESULT_PREFIX

SIZES = (10_000, 100_000)
BACKENDS = ("sqlite", "postgresql")
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CASE_TIMEOUT = 900  # seconds

# The targets the list endpoint is held to.
MAX_QUERIES = 4  # per list request, whatever the page size
MAX_GROWTH = 1.5  # API p95 at the largest size / at the smallest, per mix
MAX_RAW_RATIO = 3.0  # API p95 / raw-SQL view p95 (same HTTP path, hand-written SQL)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def machine_info(pg_version: str | None) -> dict:
    import django
    import rest_framework

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "drf": rest_framework.VERSION,
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
    }


def database_name(size: int) -> str:
    return f"helpdesk_bench_{size_label(size)}"


def run_case(
    backend: str, size: int, args: argparse.Namespace, scratch: Path, dataset_file: Path
) -> dict:
    """One round of one (backend, size) case; the first round fills the database."""
    env = case_environment(backend, database_name(size), scratch, fresh=not dataset_file.exists())
    return run_worker(
        "bench.ticket_list",
        [
            f"--size={size}",
            f"--requests={args.requests}",
            f"--warmup={args.warmup}",
            f"--budget={args.budget}",
            f"--dataset={dataset_file}",
        ],
        env,
        RESULT_PREFIX,
        CASE_TIMEOUT,
    )


def combine_rounds(rounds: list[dict]) -> dict:
    """One case's rounds as one result: each figure the median of its rounds' figures.

    The rounds of the 10k and 100k cases alternate in time, and a shared machine has slow
    stretches; with three rounds or more, the median leaves out the one a slow stretch hit,
    for both sizes alike."""
    first = rounds[0]
    combined = []
    for index, case in enumerate(first["cases"]):
        same = [r["cases"][index] for r in rounds]
        mismatch = next((c["mismatch"] for c in same if c["mismatch"]), "")
        combined.append(
            {
                **case,
                **{
                    figure: statistics.median(c[figure] for c in same)
                    for figure in (
                        "api_p50",
                        "api_p95",
                        "api_mean",
                        "raw_p50",
                        "raw_p95",
                        "raw_mean",
                        "http_p50",
                        "http_p95",
                    )
                },
                "samples": sum(c["samples"] for c in same),
                "queries_max": max(c["queries_max"] for c in same),
                "queries_min": min(c["queries_min"] for c in same),
                "match": not mismatch,
                "mismatch": mismatch,
            }
        )
    return {
        **first,
        "rounds": len(rounds),
        "bench_s": round(sum(r["bench_s"] for r in rounds), 2),
        "cases": combined,
    }


# --- report ----------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def backend_report(backend: str, results: list[dict]) -> list[str]:
    """The Markdown table and target lines of one backend's cases."""
    results = sorted(results, key=lambda r: r["size"])
    sizes = [r["size"] for r in results]
    small, large = sizes[0], sizes[-1]
    by_key = {(r["size"], c["persona"], c["mix"]): c for r in results for c in r["cases"]}
    order = [(c["persona"], c["mix"]) for c in results[0]["cases"]]
    lines = [
        f"### {BACKEND_NAMES[backend]} {results[0]['db_version']}",
        "",
        "| persona | mix | size | count | n | API p50 | API p95 | raw view p50 | raw view p95 "
        f"| API/raw view p95 | SQL only p95 | queries/request | API p95 vs {size_label(small)} |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for persona, mix in order:
        for size in sizes:
            case = by_key.get((size, persona, mix))
            if case is None:
                continue
            ratio = case["api_p95"] / case["http_p95"]
            growth = ""
            if size != small and (small, persona, mix) in by_key:
                growth = f"×{case['api_p95'] / by_key[(small, persona, mix)]['api_p95']:.2f}"
            flag = "" if case["match"] else " ≠ MISMATCH"
            lines.append(
                f"| {persona} | `{mix}` | {size_label(size)} | {case['count']:,} "
                f"| {case['samples']} "
                f"| {_ms(case['api_p50'])} | {_ms(case['api_p95'])} "
                f"| {_ms(case['http_p50'])} | {_ms(case['http_p95'])} "
                f"| {ratio:.1f}×{flag} | {_ms(case['raw_p95'])} | {case['queries_max']} "
                f"| {growth} |"
            )
    lines.append("")
    setup = [
        f"{size_label(r['size'])}: migrate {r['migrate_s']:.0f} s, "
        f"data {r['generate_s']:.0f} s, requests {r['bench_s']:.0f} s"
        for r in results
    ]
    lines.append("Times in ms. Wall time per case: " + "; ".join(setup) + ".")
    lines.append("")

    cases = [c for r in results for c in r["cases"]]
    worst_queries = max(c["queries_max"] for c in cases)
    over = sorted({f"{c['persona']} `{c['mix']}`" for c in cases if c["queries_max"] > MAX_QUERIES})
    lines.append(
        f"- Target 1, ≤ {MAX_QUERIES} queries per list request: "
        + ("**held**" if not over else "**missed**")
        + f" (max {worst_queries}"
        + (f"; over on {', '.join(over)}" if over else "")
        + ")."
    )
    if small != large:
        growths, growths_p50 = [], []
        for persona, mix in order:
            if (small, persona, mix) in by_key and (large, persona, mix) in by_key:
                before, after = by_key[(small, persona, mix)], by_key[(large, persona, mix)]
                growths.append((after["api_p95"] / before["api_p95"], persona, mix))
                growths_p50.append(after["api_p50"] / before["api_p50"])
        missed = [g for g in growths if g[0] > MAX_GROWTH]
        lines.append(
            f"- Target 2, API p95 at {size_label(large)} ≤ {MAX_GROWTH} × at {size_label(small)}: "
            + ("**held**" if not missed else "**missed**")
            + f" ({len(growths) - len(missed)} of {len(growths)} mixes within"
            + f"; by p50 {sum(g <= MAX_GROWTH for g in growths_p50)} of {len(growths_p50)}"
            + (
                "; over: " + ", ".join(f"{p} `{m}` ×{g:.2f}" for g, p, m in sorted(missed)[::-1])
                if missed
                else ""
            )
            + ")."
        )
    ratios = sorted(c["api_p95"] / c["http_p95"] for c in cases)
    ratios_p50 = sorted(c["api_p50"] / c["http_p50"] for c in cases)
    within = [r for r in ratios if r <= MAX_RAW_RATIO]
    lines.append(
        f"- Target 3, API p95 ≤ {MAX_RAW_RATIO:g} × the raw-SQL view's p95: "
        + ("**held**" if len(within) == len(ratios) else "**missed**")
        + f" ({len(within)} of {len(ratios)} rows within; API/raw from {ratios[0]:.1f}× "
        f"to {ratios[-1]:.1f}×, median {statistics.median(ratios):.1f}×; by p50 "
        f"{sum(r <= MAX_RAW_RATIO for r in ratios_p50)} of {len(ratios_p50)} within, "
        f"median {statistics.median(ratios_p50):.1f}×)."
    )
    mismatches = [c for c in cases if not c["match"]]
    if mismatches:
        lines.append(
            f"- **BASELINE MISMATCH** on {len(mismatches)} mixes: the raw-SQL JSON differs from "
            "the API's, so those ratios are not comparable: "
            + "; ".join(f"{c['persona']} `{c['mix']}`: {c['mismatch']}" for c in mismatches)
        )
    lines.append("")

    # Where the API's SQL time goes at the largest size (median of the warm-up requests).
    kinds = ["auth", "count", "page", "tags", "other"]
    lines.append(
        f"API SQL time per request at {size_label(large)}, ms "
        "(each query of one request re-run alone: execute and fetch, median of 3; "
        "`other` = queries beyond the expected four):"
    )
    lines.append("")
    lines.append("| persona | mix | " + " | ".join(kinds) + " |")
    lines.append("|---|---|" + "---:|" * len(kinds))
    for persona, mix in order:
        case = by_key.get((large, persona, mix))
        if case is None:
            continue
        cells = [_ms(case["sql_ms"][k]) if k in case["sql_ms"] else "" for k in kinds]
        lines.append(f"| {persona} | `{mix}` | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="comma-separated ticket counts"
    )
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per mix")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up requests per mix")
    parser.add_argument(
        "--budget",
        type=float,
        default=3.0,
        help="seconds of timed requests per mix, once it has 20 samples (keeps the run short)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure every case this many times, the sizes taking turns; report medians",
    )
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    args = parser.parse_args(argv)
    if args.warmup < 1:
        parser.error("--warmup must be at least 1: the warm-ups count the queries")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    backends = [b for b in args.backends.split(",") if b]
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")

    pg_version, pg_problem = (None, None)
    if "postgresql" in backends:
        pg_version, pg_problem = postgres_version()
        if pg_problem:
            log(f"PostgreSQL rows skipped: {pg_problem}")
            backends.remove("postgresql")
    info = machine_info(pg_version)

    started = time.perf_counter()
    cases = [(backend, size) for backend in backends for size in sizes]
    rounds: dict[tuple[str, int], list[dict]] = {case: [] for case in cases}
    failed: set[tuple[str, int]] = set()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-") as scratch:
        try:
            for round_number in range(args.rounds):
                # Every other round backwards (10k, 100k, 100k, 10k, ...), so that a slow
                # stretch of the machine does not fall on one size only.
                for backend, size in cases if round_number % 2 == 0 else cases[::-1]:
                    if (backend, size) in failed:
                        continue
                    label = f"{BACKEND_NAMES[backend]} {size:,} tickets"
                    log(f"[{label}, round {round_number + 1} of {args.rounds}]")
                    dataset_file = Path(scratch) / f"{backend}-{size}.json"
                    try:
                        rounds[(backend, size)].append(
                            run_case(backend, size, args, Path(scratch), dataset_file)
                        )
                    except Exception as exc:  # report the case, run the others
                        log(f"  FAILED: {exc}")
                        failed.add((backend, size))
                        failures.append(f"{label}: {exc}")
        finally:
            if "postgresql" in backends and not args.keep:
                for size in sizes:
                    pg_admin(f'DROP DATABASE IF EXISTS "{database_name(size)}"')
    results: dict[str, list[dict]] = {b: [] for b in backends}
    for (backend, size), done in rounds.items():
        if (backend, size) not in failed:
            results[backend].append(combine_rounds(done))
    elapsed = time.perf_counter() - started

    out = [
        "## Ticket list: `GET /api/v1/tickets/`",
        "",
        f"- Date: {info['date']}; machine: `{info['machine']}`, {info['cpu']}, "
        f"{info['cores']} cores",
        f"- Python {info['python']}, Django {info['django']}, DRF {info['drf']}, "
        f"SQLite {info['sqlite']}, PostgreSQL {info['postgresql'] or 'not used'}",
        f"- Per mix and round: {args.warmup} warm-up requests, then up to {args.requests} "
        f"timed API + raw-SQL pairs, interleaved (at least 20; a mix stops after "
        f"{args.budget:g} s once it has 20); nearest-rank p50/p95. {args.rounds} rounds, the "
        "sizes taking turns; each figure is the median of the rounds' figures, and column n "
        f"counts the samples of all rounds. Whole run: {elapsed / 60:.1f} min.",
    ]
    if pg_problem:
        out.append(f"- **PostgreSQL rows skipped**: {pg_problem}")
    for failure in failures:
        out.append(f"- **Case failed**: {failure}")
    out.append("")
    for backend in backends:
        if results[backend]:
            out.extend(backend_report(backend, results[backend]))
    print("\n".join(out))

    mismatched = [
        f"{BACKEND_NAMES[b]} {size_label(r['size'])} {c['persona']} {c['mix']}"
        for b in backends
        for r in results[b]
        for c in r["cases"]
        if not c["match"]
    ]
    if mismatched:
        log("!!! BASELINE MISMATCH: raw SQL JSON differs from the API's on:")
        log("; ".join(mismatched))
    if args.json:
        args.json.write_text(json.dumps({"info": info, "results": results}, indent=2))
    return 1 if failures or mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
