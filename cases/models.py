import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.access import access_for
from accounts.models import Office
from agencies.models import Agency, Model287g
from caseworker.lib.crypto import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedTextField,
    private_file_storage,
)


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one rule for which cases a user may read (accounts.access decides)."""
        offices = access_for(user).case_office_ids
        if offices is None:
            return self
        return self.filter(office_id__in=offices)


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Clients with at least one case the user may read."""
        offices = access_for(user).case_office_ids
        if offices is None:
            return self
        return self.filter(
            models.Exists(
                Case.objects.filter(client_id=models.OuterRef("pk"), office_id__in=offices)
            )
        )


class LegalHold(models.Model):
    """A litigation hold: while `hold_reason` is set, retention never touches the record.
    Set and lifted by attorneys through cases.services.retention (audited)."""

    hold_reason = models.CharField(max_length=300, blank=True)
    hold_set_at = models.DateTimeField(null=True, blank=True)
    hold_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="When retention removed the personal data."
    )

    class Meta:
        abstract = True

    @property
    def on_hold(self) -> bool:
        return bool(self.hold_reason)


A_NUMBER_CANONICAL = re.compile(r"A[0-9]{9}")


class Client(Timestamped, LegalHold):
    """A person the organisation helps. A-number unique when known (normalised).

    The A-number, date of birth and safe-contact notes are encrypted at rest; the
    A-number and date of birth also have a keyed blind index for exact lookups. Names
    stay in clear so that they can be searched (the database volume should be encrypted).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_names = models.CharField(max_length=120)
    family_names = models.CharField(max_length=120)
    other_names = models.TextField(blank=True, help_text="Aliases and other spellings, one a line")
    search_name = models.CharField(
        max_length=400,
        db_index=True,
        editable=False,
        help_text="Accent-folded lower-case of all names, for search and duplicate checks.",
    )
    a_number = EncryptedTextField("A-number", null=True, blank=True)
    a_number_bidx = BlindIndexField(source="a_number", purpose="a_number")
    date_of_birth = EncryptedDateField(null=True, blank=True)
    date_of_birth_bidx = BlindIndexField(source="date_of_birth", purpose="date_of_birth")
    country_of_birth = models.CharField(max_length=80, blank=True)
    languages = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    contacts = models.TextField(blank=True, help_text="Family and other contacts")
    safe_contact_notes = EncryptedTextField(blank=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["family_names", "given_names"]
        constraints = [
            models.UniqueConstraint(
                fields=["a_number_bidx"],
                condition=Q(a_number_bidx__isnull=False),
                name="client_unique_a_number_bidx",
            ),
            models.CheckConstraint(
                condition=Q(a_number__isnull=True, a_number_bidx__isnull=True)
                | Q(a_number__isnull=False, a_number_bidx__isnull=False),
                name="client_a_number_has_bidx",
            ),
        ]
        indexes = [models.Index(fields=["date_of_birth_bidx"])]

    def __str__(self):
        return self.full_name

    def save(self, *args, update_fields=None, **kwargs):
        # The database sees only ciphertext, so it cannot check the A-number's form.
        if self.a_number is not None and not A_NUMBER_CANONICAL.fullmatch(self.a_number):
            raise ValueError("A-numbers are saved in canonical form (cases.services normalise)")
        if update_fields is not None:
            # A blind index is only recomputed when saved, so it goes with its source.
            update_fields = set(update_fields)
            for source in ("a_number", "date_of_birth"):
                if source in update_fields:
                    update_fields.add(f"{source}_bidx")
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def full_name(self):
        return f"{self.given_names} {self.family_names}".strip()


class CaseStatus(models.TextChoices):
    NEW = "new", "New — awaiting attorney review"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CaseOutcome(models.TextChoices):
    RELEASED = "released", "Released"
    BOND_GRANTED = "bond_granted", "Bond granted"
    RELIEF_GRANTED = "relief_granted", "Relief granted"
    REMOVED = "removed", "Removed"
    VOLUNTARY_DEPARTURE = "voluntary_departure", "Voluntary departure"
    REFERRED = "referred", "Referred elsewhere"
    WITHDRAWN = "withdrawn", "Client withdrew / lost contact"
    OTHER = "other", "Other"


class Case(Timestamped, LegalHold):
    """A matter for one client in one office. Number like 2025-000123."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(max_length=12, unique=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.NEW)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseworker_cases",
    )
    attorney = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attorney_cases",
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=CaseOutcome.choices, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="case_closed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "status"]),
            models.Index(
                fields=["office", "id"], include=["archived_at"], name="case_office_id_archived"
            ),
            models.Index(fields=["opened_on", "id"]),
        ]

    def __str__(self):
        return self.number


class CaseCounter(models.Model):
    """Per-year counter behind human-readable case numbers (incremented atomically)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class IntakeChannel(models.TextChoices):
    HOTLINE = "hotline", "Hotline"
    WALK_IN = "walk_in", "Walk-in"
    REFERRAL = "referral", "Referral"
    JAIL_VISIT = "jail_visit", "Jail visit"
    RAPID_RESPONSE = "rapid_response", "Rapid response"


class Intake(Timestamped):
    """The first contact that opened a case: who called, how, and what they said."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="intake")
    received_on = models.DateField()
    channel = models.CharField(max_length=20, choices=IntakeChannel.choices)
    caller_name = models.CharField(max_length=200, blank=True)
    caller_relation = models.CharField(max_length=100, blank=True)
    caller_phone = models.CharField(max_length=40, blank=True)
    narrative = models.TextField()
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"Intake {self.received_on} ({self.case})"


class DatePrecision(models.TextChoices):
    EXACT = "exact", "Exact date"
    MONTH = "month", "Month known, day unknown"
    APPROXIMATE = "approximate", "Approximate"


class Encounter(models.TextChoices):
    TRAFFIC_STOP = "traffic_stop", "Traffic stop"
    HOME = "home", "Home"
    WORKPLACE = "workplace", "Workplace"
    COURTHOUSE = "courthouse", "Courthouse"
    JAIL_BOOKING = "jail_booking", "Jail booking"
    PROBATION = "probation", "Probation / parole"
    CHECKPOINT = "checkpoint", "Checkpoint"
    STREET = "street", "Street / public place"
    OTHER = "other", "Other"


class DetentionOutcome(models.TextChoices):
    STILL_DETAINED = "detained", "Still detained"
    RELEASED = "released", "Released"
    BOND_POSTED = "bond_posted", "Bond posted"
    TRANSFERRED = "transferred", "Transferred"
    REMOVED = "removed", "Removed"


class DetentionEvent(Timestamped):
    """An arrest/booking of a client, with both agencies and their 287(g) snapshot.

    The `*_tfm/_jem/_wso` booleans are the models each agency had in force on
    `event_date`, computed by cases.services when the event is saved and never
    rewritten by later imports. Booleans (not a list) so filters use plain indexes.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="detention_events")
    event_date = models.DateField()
    date_precision = models.CharField(
        max_length=12, choices=DatePrecision.choices, default=DatePrecision.EXACT
    )
    event_time = models.TimeField(null=True, blank=True)
    state = models.CharField(max_length=2)
    county = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    encounter = models.CharField(max_length=20, choices=Encounter.choices)

    arresting_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="arrests"
    )
    arresting_agency_name = models.CharField(
        max_length=200, blank=True, help_text="As typed, when the agency is not in the directory."
    )
    custody_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="custody_events"
    )
    custody_agency_name = models.CharField(max_length=200, blank=True)
    arresting_tfm = models.BooleanField(default=False)
    arresting_jem = models.BooleanField(default=False)
    arresting_wso = models.BooleanField(default=False)
    custody_tfm = models.BooleanField(default=False)
    custody_jem = models.BooleanField(default=False)
    custody_wso = models.BooleanField(default=False)
    snapshot_other = models.JSONField(
        default=dict,
        blank=True,
        help_text='Models not in force that day, pending or ended: {"arresting": {...}}',
    )
    snapshot_evidence = models.JSONField(
        default=dict,
        blank=True,
        help_text='Why each model was in force: {"arresting": {"TFM": "signed …"}}',
    )
    snapshot_at = models.DateTimeField(null=True, blank=True)
    directory_flag = models.JSONField(
        default=dict,
        blank=True,
        help_text="How the rebuilt 287(g) history now reads the event's date, where it differs "
        'from the stored snapshot: {"arresting": {"was": [], "now": ["TFM"], "why": {...}}}',
    )
    directory_flagged_at = models.DateTimeField(null=True, blank=True, db_index=True)
    scope_flags = models.JSONField(
        default=list, blank=True, help_text="Reasons this event may fall outside the agreements."
    )
    needs_scope_review = models.BooleanField(
        default=False, db_index=True, help_text="Has scope flags (whether reviewed or not)."
    )
    scope_reviewed_at = models.DateTimeField(null=True, blank=True)
    scope_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    charges = models.TextField(blank=True)
    no_prior_record = models.BooleanField(default=False)
    questioned_about_status = models.BooleanField(default=False)
    detainer_lodged = models.BooleanField(default=False)
    detainer_date = models.DateField(null=True, blank=True)
    warrant_served = models.BooleanField(default=False)
    transferred_to_ice = models.BooleanField(default=False)
    transfer_date = models.DateField(null=True, blank=True)
    transfer_facility = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(
        max_length=12, choices=DetentionOutcome.choices, default=DetentionOutcome.STILL_DETAINED
    )
    outcome_date = models.DateField(null=True, blank=True)
    bond_amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-event_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome_date__isnull=True) | Q(outcome_date__gte=F("event_date")),
                name="event_outcome_not_before_arrest",
            ),
            models.CheckConstraint(
                condition=Q(detainer_date__isnull=True) | Q(detainer_date__gte=F("event_date")),
                name="event_detainer_not_before_arrest",
            ),
            models.CheckConstraint(
                condition=Q(transfer_date__isnull=True) | Q(transfer_date__gte=F("event_date")),
                name="event_transfer_not_before_arrest",
            ),
            models.CheckConstraint(
                condition=Q(bond_amount__isnull=True) | Q(bond_amount__gte=0),
                name="event_bond_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(arresting_agency__isnull=False)
                | ~Q(arresting_agency_name="")
                | Q(arresting_tfm=False, arresting_jem=False, arresting_wso=False),
                name="event_arresting_snapshot_needs_agency",
            ),
        ]
        indexes = [
            # Covering (PostgreSQL): the attorney filter "agency + period" and its
            # visibility join are answered from the index alone.
            models.Index(
                fields=["arresting_agency", "event_date"],
                include=["case"],
                name="event_arresting_date_case",
            ),
            models.Index(
                fields=["custody_agency", "event_date"],
                include=["case"],
                name="event_custody_date_case",
            ),
            models.Index(fields=["event_date", "id"]),
            models.Index(fields=["state", "county", "event_date"]),
            models.Index(fields=["case", "event_date"]),
        ]

    def __str__(self):
        return f"{self.get_encounter_display()} {self.event_date}"

    def models_at(self, role: str) -> list[str]:
        """Snapshot models for 'arresting' or 'custody', in display order."""
        return [m for m in Model287g.values if getattr(self, f"{role}_{m.lower()}")]

    @property
    def arresting_models(self):
        return self.models_at("arresting")

    @property
    def custody_models(self):
        return self.models_at("custody")

    @property
    def needs_agency_link(self) -> bool:
        return bool(
            (self.arresting_agency_id is None and self.arresting_agency_name)
            or (self.custody_agency_id is None and self.custody_agency_name)
        )


class Note(Timestamped):
    """A case note. Privileged notes are attorney work product: only attorneys read them.
    Every note body is encrypted at rest (privileged or not, it is about the client)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    body = EncryptedTextField()
    privileged = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "privileged"])]

    def __str__(self):
        return self.body[:60]


class Attachment(Timestamped):
    """A file on a case, stored encrypted outside the web root and served by an
    access-checked view."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/", storage=private_file_storage)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.original_name


class DeadlineKind(models.TextChoices):
    HEARING = "hearing", "Hearing"
    BOND_HEARING = "bond_hearing", "Bond hearing"
    FILING = "filing", "Filing"
    OTHER = "other", "Other"


class Deadline(Timestamped):
    """A date the case must not miss."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(max_length=15, choices=DeadlineKind.choices)
    due_on = models.DateField()
    due_time = models.TimeField(null=True, blank=True)
    description = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "due_time", "id"]
        indexes = [models.Index(fields=["due_on", "done_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.due_on}"


class SavedSearch(models.Model):
    """A user's named case-list filter (the query string of the case list)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    # Encrypted: a saved name or A-number search holds client data (issue 17).
    query = EncryptedTextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_unique_name"),
        ]

    def __str__(self):
        return self.name


class RetentionRun(models.Model):
    """One run of the retention policy (cases.services.retention), with its counts.
    Kept, and audited, whether it was a dry run or not."""

    started_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dry_run = models.BooleanField(default=False)
    cutoff = models.DateField(help_text="Cases closed before this date were due.")
    cases_anonymised = models.PositiveIntegerField(default=0)
    clients_anonymised = models.PositiveIntegerField(default=0)
    notes_cleared = models.PositiveIntegerField(default=0)
    attachments_removed = models.PositiveIntegerField(default=0)
    held_skipped = models.PositiveIntegerField(
        default=0, help_text="Due cases left alone because of a litigation hold."
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        kind = "dry run" if self.dry_run else "run"
        return f"Retention {kind} {self.started_at:%Y-%m-%d %H:%M}"


class CaseSearch(models.Model):
    """Identifying search terms (names, A-numbers) kept on the server under an opaque,
    per-user, expiring id, so that addresses, browser history and logs hold only the id.
    `digest` (keyed hash of user and terms) lets the same search reuse its id."""

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, db_index=True)
    params = EncryptedTextField()
    expires_at = models.DateTimeField(db_index=True)

    # The filter parameters that can carry a client's name or A-number, and the
    # parameter that carries the id in their place.
    IDENTIFYING_PARAMS = ("q",)
    PARAM = "s"

    def __str__(self):
        return self.token
