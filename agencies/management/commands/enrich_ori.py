"""Fill missing agency ORI codes from a census-matched CSV (columns state, county, agency, ori).

manage.py enrich_ori ../shared/data/ice287g/derived/appelson_agreements_csllea_merge.csv
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.enrich import agencies_enrich_ori


class Command(BaseCommand):
    help = "Fill missing agency ORI codes from a CSV matched to the law enforcement census."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        result = agencies_enrich_ori(data=file.read_bytes())
        self.stdout.write(
            f"{result.updated} agencies got an ORI ({result.matched} matched, "
            f"{result.ambiguous} ambiguous, {result.unmatched} census names not in the directory)."
        )
