"""What every benchmark case shares: its own scratch database and a clean environment, and
the facts about the machine that every report states.

A case runs in a subprocess because Django settings pick the database at import time.
"""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://127.0.0.1:5432/postgres")


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, connect_timeout=5, autocommit=True) as conn:
        conn.execute(sql)


def pg_url(database: str) -> str:
    parts = urlsplit(PG_ADMIN_URL)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def case_environment(
    backend: str, database: str, scratch: Path, *, fresh: bool = True
) -> dict[str, str]:
    """The subprocess environment of one case on `database`: a new, empty one unless `fresh`
    is false (a later round on the same data)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "REDIS_URL": "",  # local-memory cache and eager tasks: nothing shared is touched
        "EMBEDDED_SCHEDULER": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    if backend == "sqlite":
        env["DATABASE_URL"] = ""  # set, so a .env file cannot select another database
        env["SQLITE_PATH"] = str(scratch / f"{database}.sqlite3")
    else:
        if fresh:
            pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            pg_admin(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = pg_url(database)
    return env


def run_worker(
    module: str, arguments: list[str], env: dict[str, str], result_prefix: str, timeout: float
) -> dict:
    """Run `python -m module arguments` in `env` and return the JSON of the line of its
    output that starts with `result_prefix`."""
    command = [sys.executable, "-m", module, *arguments]
    completed = subprocess.run(  # noqa: S603 - our own module, our own arguments
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(result_prefix):
            return json.loads(line[len(result_prefix) :])
    raise RuntimeError(f"{' '.join(command)} exited {completed.returncode} without a result")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def postgres_version() -> tuple[str | None, str | None]:
    """(server version, None) or (None, why PostgreSQL cannot be used)."""
    try:
        import psycopg
    except ImportError as exc:
        return None, f"psycopg is not installed ({exc})"
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0]), None
    except Exception as exc:  # any failure means: skip PostgreSQL, say why
        return None, f"cannot connect to {PG_ADMIN_URL}: {str(exc).strip().splitlines()[0]}"
