"""Import ICE 287(g) list files (XLSX or CSV) into the agency directory.

    manage.py import_287g participatingAgencies06062025am.xlsx pendingAgencies06062025am.xlsx
    manage.py import_287g list.csv --list-date 2025-06-06 --kind pending
    manage.py import_287g *.xlsx --queue        # hand the runs to the Celery workers

The list date comes from --list-date or from each file name. Files run in list-date order
(participating before pending on the same day), through the same importer as the upload
page and the scheduled fetch. Exits non-zero when a file fails.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies import services
from agencies.models import ImportStatus, ListKind


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--list-date {value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Import ICE 287(g) participating/pending list files (runs them now unless --queue)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--list-date", type=_date, help="Date of the lists (YYYY-MM-DD)")
        parser.add_argument("--kind", choices=ListKind.values, help="Default: detect")
        parser.add_argument("--queue", action="store_true", help="Queue for the workers")

    def handle(self, *args, files, list_date, kind, queue, **options):
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        try:
            with transaction.atomic():
                runs = services.agreement_imports_create(
                    files=[(path.name, path.read_bytes()) for path in files],
                    list_date=list_date,
                    list_kind=kind,
                )
                if queue:
                    services.agreement_imports_queue(runs)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if queue:
            self.stdout.write(f"Queued {len(runs)} import(s): {', '.join(str(r.pk) for r in runs)}")
            return
        failed = 0
        for run in sorted(runs, key=services.run_order):
            services.agreement_import_run(import_id=run.pk)
            run.refresh_from_db()
            failed += run.status == ImportStatus.FAILED
            self.stdout.write(self._summary(run))
        if failed:
            raise CommandError(f"{failed} file(s) failed.")

    def _summary(self, run) -> str:
        head = f"{run.source} (list of {run.list_date}, {run.list_kind or '?'}): {run.status}"
        if run.status == ImportStatus.FAILED:
            return f"{head} — {run.error}"
        if run.status != ImportStatus.DONE:
            return head
        text = (
            f"{head} — {run.created_count} new, {run.changed_count} changed, "
            f"{run.unchanged_count} unchanged, {run.ended_count} ended, "
            f"{run.rejected_count} rejected"
        )
        if run.already_active_count:
            text += f", {run.already_active_count} already active"
        return text
