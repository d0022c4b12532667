"""Report content: figures, tables and charts per report kind (see base.py)."""

from django.conf import settings

from reports.figures.agency_pattern import agency_pattern_content
from reports.figures.base import Counts
from reports.figures.chronology import case_chronology_content
from reports.figures.quarterly import quarterly_content
from reports.models import ReportKind

BUILDERS = {
    ReportKind.QUARTERLY: quarterly_content,
    ReportKind.AGENCY_PATTERN: agency_pattern_content,
    ReportKind.CASE_CHRONOLOGY: case_chronology_content,
}


def report_content(*, kind: str, user, params: dict) -> dict:
    """Everything a report template needs, computed over `user`'s visible records.

    The quarterly report is de-identified, so its small counts are suppressed; the
    privileged reports print exact counts.
    """
    threshold = settings.REPORT_SUPPRESSION_THRESHOLD if kind == ReportKind.QUARTERLY else None
    counts = Counts(threshold)
    content = BUILDERS[kind](user=user, params=params, counts=counts)
    content["threshold"] = threshold
    content["rounding_base"] = counts.base
    content["median_min_n"] = counts.median_min_n
    return content
