"""The settings every benchmark runs with unless the environment gives its own: a throwaway
secret and public, bench-only encryption keys (the bench databases hold generated data only).

The scripts run as `python bench/<name>.py`, so this folder is on sys.path: `import benchenv`.
"""

import os

BENCH_ENV = {
    "SECRET_KEY": "bench-only",
    "FIELD_ENCRYPTION_KEYS": "9o5Qp0ns1v9yYtqkq3Qb6yQmC3Hk0cJ0p8j0m1qZl2A=",
    "BLIND_INDEX_KEY": "ci-only-blind-index-key-0123456789abcdef",
}


def bench_env(env=os.environ) -> None:
    for name, value in BENCH_ENV.items():
        env.setdefault(name, value)
