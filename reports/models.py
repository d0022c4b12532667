import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from caseworker.lib.crypto import private_file_storage


class ReportKind(models.TextChoices):
    QUARTERLY = "quarterly", "Quarterly report"
    AGENCY_PATTERN = "agency_pattern", "Agency pattern report"
    CASE_CHRONOLOGY = "case_chronology", "Case chronology"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Report(models.Model):
    """A requested PDF report: parameters, generation state, the file and its checksum."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    params = models.JSONField(default=dict)
    title = models.CharField(max_length=200, blank=True, help_text="Derived from the parameters.")
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # Reports (a case chronology above all) hold client data: encrypted on disk (issue 17).
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True, storage=private_file_storage)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the PDF")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    xlsx = models.FileField(
        upload_to="reports/%Y/%m/",
        blank=True,
        help_text="Every table",
        storage=private_file_storage,
    )
    csv_zip = models.FileField(
        upload_to="reports/%Y/%m/",
        blank=True,
        help_text="Every table",
        storage=private_file_storage,
    )
    manifest = models.JSONField(
        default=dict, blank=True, help_text="Data as of, record count and record-id checksum."
    )
    case_ids = models.JSONField(
        default=list, blank=True, help_text="Cases the report names, to audit each download."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(
        max_length=120, blank=True, help_text="host:pid:start of the process rendering it"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self):
        return f"{self.title or self.get_kind_display()} ({self.status})"

    @property
    def stuck(self) -> bool:
        """Queued or running for longer than a render should take to start or finish."""
        if self.status not in (ReportStatus.QUEUED, ReportStatus.RUNNING):
            return False
        since = self.started_at or self.created_at
        return since < timezone.now() - dt.timedelta(minutes=settings.REPORT_STUCK_MINUTES)

    @property
    def privileged(self) -> bool:
        return self.kind != ReportKind.QUARTERLY
