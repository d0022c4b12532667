"""Run every benchmark in bench/ against PostgreSQL and print their figures.

    make bench                                   # uses postgres://postgres@127.0.0.1:5432/cw_bench
    DATABASE_URL=postgres://... make bench

Each benchmark prints absolute figures and its ratio to a raw-SQL baseline.
"""

import os
import subprocess
import sys
from pathlib import Path

from benchenv import bench_env  # bench/ is on sys.path (scripts run as files)

HERE = Path(__file__).resolve().parent
BENCHES = ["import_bench.py", "search_bench.py", "report_bench.py"]


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist yet."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    env = {**os.environ}
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cw_bench")
    bench_env(env)
    ensure_database(env["DATABASE_URL"])
    failed = 0
    for name in BENCHES:
        print(f"\n=== {name}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name)], env=env, cwd=HERE.parent)
    return failed


if __name__ == "__main__":
    sys.exit(main())
