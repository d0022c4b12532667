"""Write the directory as it stood on a date, as CSV, to stdout.

    manage.py directory_export --as-of 2025-06-01 > directory-2025-06-01.csv

One row per agreement known by that date (state, agency, county, model, status that day,
signed date, evidence), ordered by state, agency, model.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from agencies.exports import EXPORT_HEADER, csv_write, directory_rows_on


class Command(BaseCommand):
    help = "Write the 287(g) directory as of a date as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")

    def handle(self, *args, as_of, **options):
        try:
            on_date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD).") from None
        csv_write(out=self.stdout, header=EXPORT_HEADER, rows=directory_rows_on(as_of=on_date))
