"""Recompute the audit hash chain and report the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEntry, entry_digest


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero at the first broken link."

    def handle(self, *args, **options):
        prev = ""
        count = 0
        for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
            if entry.prev_hash != prev:
                raise CommandError(
                    f"Broken link at audit entry {entry.pk} ({entry.at:%Y-%m-%d %H:%M:%S}): "
                    "it does not follow the previous entry (an entry was removed or reordered)."
                )
            if entry.hash != entry_digest(entry, prev):
                raise CommandError(
                    f"Broken link at audit entry {entry.pk} ({entry.at:%Y-%m-%d %H:%M:%S}): "
                    "its contents no longer match its hash (the entry was altered)."
                )
            prev = entry.hash
            count += 1
        self.stdout.write(f"Audit chain intact: {count} entries.")
