import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class AgencyKind(models.TextChoices):
    SHERIFF = "sheriff", "Sheriff's office"
    COUNTY_POLICE = "county_police", "County police"
    MUNICIPAL_POLICE = "municipal_police", "City / municipal police"
    STATE_POLICE = "state_police", "State police / highway patrol"
    STATE_AGENCY = "state_agency", "Other state agency"
    CORRECTIONS = "corrections", "Corrections department"
    UNIVERSITY = "university", "University police"
    TRIBAL = "tribal", "Tribal police"
    OTHER = "other", "Other"


class Model287g(models.TextChoices):
    """The three 287(g) models. Values are the short codes used on badges and filters."""

    TFM = "TFM", "Task Force Model"
    JEM = "JEM", "Jail Enforcement Model"
    WSO = "WSO", "Warrant Service Officer"


class AgreementStatus(models.TextChoices):
    """Where an agreement stands on the latest ICE lists (see agencies.importer.lifecycle)."""

    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    # Dropped off the pending list without appearing on the participating list: ICE says
    # nothing about why (request withdrawn, refused, or signed but not yet listed).
    WITHDRAWN = "withdrawn", "No longer pending"


class Agency(models.Model):
    """A law enforcement agency, identified by state plus a normalised name (`match_key`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    match_key = models.CharField(max_length=200, help_text="Normalised name used for matching.")
    state = models.CharField(max_length=2, help_text="USPS code")
    kind = models.CharField(max_length=20, choices=AgencyKind.choices, default=AgencyKind.OTHER)
    county = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    ori = models.CharField("ORI", max_length=9, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["state", "name"]
        constraints = [
            models.UniqueConstraint(fields=["state", "match_key"], name="agency_unique_state_key"),
        ]
        indexes = [models.Index(fields=["state", "county"])]

    def __str__(self):
        return f"{self.name} ({self.state})"


class AgencyAlias(models.Model):
    """Every spelling of an agency's name seen in a source, for search and matching."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    match_key = models.CharField(max_length=200, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agency aliases"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="alias_unique_per_agency"),
        ]

    def __str__(self):
        return self.name


class Agreement(models.Model):
    """One agency's 287(g) agreement under one model: its current state.

    Its history (pending, active and ended spells, including reopenings) is kept as
    AgreementPeriod rows; "models in force on a date" is always read from periods.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agreements")
    model = models.CharField(max_length=3, choices=Model287g.choices)
    status = models.CharField(max_length=10, choices=AgreementStatus.choices)
    signed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    first_seen_on = models.DateField(help_text="Date of the first ICE list that showed it.")
    last_seen_on = models.DateField(help_text="Date of the latest ICE list that showed it.")
    moa_url = models.URLField(max_length=1000, blank=True)
    addendum_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__state", "agency__name", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "model"], name="agreement_unique_agency_model"
            ),
            models.CheckConstraint(
                condition=Q(last_seen_on__gte=models.F("first_seen_on")),
                name="agreement_seen_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(status="active"),
                name="agreement_active_has_no_end",
            ),
        ]
        indexes = [models.Index(fields=["status", "model"])]

    def __str__(self):
        return f"{self.agency} — {self.get_model_display()} ({self.status})"


class AgreementPeriod(models.Model):
    """A spell during which an agreement was pending or active: [start, end).

    Rebuilt from the lists held on every import (agencies.importer.history): it covers the
    days between the first and the last list that showed it, plus, for an active spell, the
    days back to a signed date before its first listing. Where it stopped is known only as
    a window, `last_listed` … `gone_by`; `end` is the day after `last_listed`. Periods of one
    agreement never overlap (an exclusion constraint on PostgreSQL, a check on rebuild).
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="periods")
    status = models.CharField(
        max_length=10,
        choices=[(AgreementStatus.PENDING, "Pending"), (AgreementStatus.ACTIVE, "Active")],
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Exclusive; empty while ongoing.")
    listed_from = models.DateField(
        null=True,
        help_text="Date of the first list that showed it (start may be earlier: the signed date).",
    )
    last_listed = models.DateField(null=True, help_text="Date of the last list that showed it.")
    gone_by = models.DateField(
        null=True, blank=True, help_text="Date of the first list of its kind without it."
    )
    end_unknown = models.BooleanField(
        default=False, help_text="The lists around its end are more than 60 days apart."
    )
    signed_on = models.DateField(
        null=True, blank=True, help_text="The signed date that extends it back before listing."
    )
    listings = models.JSONField(
        default=list, blank=True, help_text="Every list row that showed it: on, file, row, signed."
    )

    class Meta:
        ordering = ["agreement", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="period_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["agreement", "status", "start"])]

    def __str__(self):
        return f"{self.status} {self.start}–{self.end or ''}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    NOOP = "noop", "No changes (same content)"
    FAILED = "failed", "Failed"


class ListKind(models.TextChoices):
    PARTICIPATING = "participating", "Participating agencies"
    PENDING = "pending", "Pending agencies"


class AgreementImport(models.Model):
    """One run of the 287(g) import: its source, outcome and counts.

    This row, not the broker, is the source of truth for a run's state: a periodic
    reconciler re-queues runs stuck in queued/running (see agencies.tasks).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(max_length=1000, help_text="URL or uploaded file name")
    list_kind = models.CharField(max_length=15, choices=ListKind.choices, blank=True)
    list_date = models.DateField(null=True, blank=True)
    upload = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default="queued")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    ended_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    rejected_rows = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    already_active_count = models.PositiveIntegerField(
        default=0, help_text="Pending-list rows for agreements already active (not errors)."
    )
    row_notes = models.JSONField(
        default=list, blank=True, help_text="Rows applied with a remark: already active, warnings."
    )
    backfilled = models.BooleanField(
        default=False, help_text="Older than lists already imported: history was rebuilt."
    )
    notified_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "list_date"]),
        ]
        constraints = [
            # The same bytes are applied at most once; a later copy is recorded as a no-op.
            models.UniqueConstraint(
                fields=["content_hash"],
                condition=Q(status="done") & ~Q(content_hash=""),
                name="import_content_applied_once",
            ),
        ]

    def __str__(self):
        return f"{self.source} ({self.status})"


class ListRow(models.Model):
    """One row of one imported list, as ICE gave it: the evidence the history is built from.

    The directory (agreements, periods, changes) is a function of these rows alone; every
    import, merge and un-merge rebuilds it from them.
    """

    agreement_import = models.ForeignKey(
        AgreementImport, on_delete=models.CASCADE, related_name="list_rows"
    )
    row_number = models.PositiveIntegerField()
    state = models.CharField(max_length=2)
    agency_name = models.CharField(max_length=200)
    match_key = models.CharField(max_length=200)
    model = models.CharField(max_length=3, choices=Model287g.choices)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices, default=AgencyKind.OTHER)
    county = models.CharField(max_length=100, blank=True)
    signed = models.DateField(null=True, blank=True)
    moa_url = models.URLField(max_length=1000, blank=True)
    addendum_url = models.URLField(max_length=1000, blank=True)

    class Meta:
        ordering = ["agreement_import", "row_number"]
        indexes = [models.Index(fields=["state", "match_key"])]

    def __str__(self):
        return f"{self.agency_name} ({self.state}) {self.model}, row {self.row_number}"


class ChangeKind(models.TextChoices):
    CREATED = "created", "Created"
    SIGNED = "signed", "Signed (pending → active)"
    SIGNED_DATE = "signed_date", "Signed date changed"
    ENDED = "ended", "Ended"
    REOPENED = "reopened", "Reopened"
    LINKS = "links", "MOA / addendum link changed"
    PENDING = "pending", "Back on the pending list"
    WITHDRAWN = "withdrawn", "No longer pending"


class AgreementChange(models.Model):
    """What one import changed on one agreement, with the values before and after."""

    agreement_import = models.ForeignKey(
        AgreementImport, on_delete=models.CASCADE, related_name="changes"
    )
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=15, choices=ChangeKind.choices)
    effective_on = models.DateField(help_text="The list date the change took effect on.")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["effective_on", "kind"])]

    def __str__(self):
        return f"{self.agreement} {self.kind} {self.effective_on}"


class ImportLock(models.Model):
    """A single row that every import run updates first, so runs never interleave.

    An UPDATE takes a row lock on PostgreSQL and the write lock on SQLite, so the same
    code serialises imports on both; the reconciler probes it (SKIP LOCKED) to tell a
    dead run from a live one.
    """

    held_since = models.DateTimeField(null=True, blank=True)
    import_id = models.BigIntegerField(
        null=True, blank=True, help_text="The run that last held it."
    )

    def __str__(self):
        return f"import lock (last held by run {self.import_id})"


class RenameCandidate(models.Model):
    """A possible rename an administrator decides: an agreement left a list and a similar
    one (same state and model, same county or a shared distinctive word) appeared by the
    next list, but the names differ by more than a spelling (agencies.importer.matching).
    Merging deletes the old record, and with it this row (the audit log keeps the decision).
    """

    class Status(models.TextChoices):
        OPEN = "open", "To review"
        DISMISSED = "dismissed", "Different agencies"

    old_agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    new_agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=3, choices=Model287g.choices)
    on = models.DateField(help_text="The list the old one left and the new one appeared on.")
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "-on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["old_agency", "new_agency"], name="rename_candidate_unique_pair"
            ),
        ]

    def __str__(self):
        return f"{self.old_agency} → {self.new_agency} ({self.model}, {self.on})"
