"""Write every recorded change of the 287(g) directory as CSV, to stdout.

    manage.py directory_history > directory-history.csv

Columns: state, agency, model, change, effective date, list date; each agreement's
changes in date order, agreements by state, agency, model.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agencies.exports import HISTORY_HEADER, csv_write, history_rows


class Command(BaseCommand):
    help = "Write every change of the 287(g) directory as CSV."

    def handle(self, *args, **options):
        csv_write(out=self.stdout, header=HISTORY_HEADER, rows=history_rows())
