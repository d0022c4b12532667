"""Logging filters that keep client data out of the logs."""

import logging
import re

# A path followed by a query string, inside a request line or a quoted message.
_QUERY = re.compile(r"(/[^\s?'\"]*)\?[^\s'\"]*")


class DropQueryStrings(logging.Filter):
    """Strip query strings from every string argument (runserver's access log lines).

    Searches and filters can carry names and A-numbers in their query strings, so the
    log keeps the path only (as gunicorn.conf.py does for gunicorn)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY.sub(r"\1", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub(r"\1", record.msg)
        return True
