"""Rebuild the 287(g) directory's agreements, periods and changes from the lists held.

    manage.py directory_rebuild

Every import does this already; run it once after upgrading (lists imported before the
rebuild existed are read again from their stored files by the migration), or to confirm
that the directory matches its lists (it then reports 0 changes added).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agencies.services import directory_rebuild


class Command(BaseCommand):
    help = "Rebuild the 287(g) history from every list held."

    def handle(self, *args, **options):
        added = directory_rebuild()
        self.stdout.write(f"Rebuilt the 287(g) directory: {added} changes added.")
