"""Anonymise closed cases older than RETENTION_YEARS (cases.services.retention)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cases.services import retention_run


class Command(BaseCommand):
    help = "Anonymise closed cases past the retention period (never those on a legal hold)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; change nothing."
        )

    def handle(self, *args, dry_run, **options):
        report = retention_run(actor=None, dry_run=dry_run)
        run = report.run
        verb = "Would anonymise" if dry_run else "Anonymised"
        for case in report.cases:
            self.stdout.write(f"{verb} case {case.number} (closed {case.closed_on})")
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {run.cases_anonymised} cases closed before {run.cutoff}"
                + (
                    ""
                    if dry_run
                    else f", {run.clients_anonymised} clients, {run.notes_cleared} notes, "
                    f"{run.attachments_removed} attachment files"
                )
                + f"; {run.held_skipped} due cases on a litigation hold left alone."
            )
        )
