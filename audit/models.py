import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

# pg_advisory_xact_lock key that serialises appends to the hash chain (any constant would do).
CHAIN_LOCK_KEY = 11_287_001


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    ARCHIVE = "archive", "Archived"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded"
    REVEAL = "reveal", "Revealed"
    IMPORT = "import", "Imported"
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOCKOUT = "lockout", "Locked out"
    TWO_FACTOR = "2fa", "Two-factor"
    TWO_FACTOR_FAILED = "2fa_failed", "Failed second factor"
    DENIED = "denied", "Denied"
    TOKEN_USED = "token_used", "Used an API token"


def entry_digest(entry, prev_hash: str) -> str:
    """sha256 over canonical JSON of the entry's fields and the previous entry's hash."""
    ip = entry.ip
    if ip and ":" in ip:
        ip = clean_ipv6_address(ip)  # as GenericIPAddressField stores it
    fields = {
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "actor": entry.actor_id,
        "action": str(entry.action),
        "target_type": entry.target_type,
        "target_id": str(entry.target_id),
        "case_id": entry.case_id,
        "summary": entry.summary,
        "changes": entry.changes,
        "ip": ip or None,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _chain_head(using: str) -> str:
    """The last entry's hash, after taking the chain lock (held until commit)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        # One round trip: the function (migration 0002) locks, then reads the head with a
        # fresh snapshot, so it sees an entry committed while it waited for the lock.
        with connection.cursor() as cursor:
            cursor.execute("SELECT audit_chain_head(%s)", [CHAIN_LOCK_KEY])
            return cursor.fetchone()[0] or ""
    # SQLite serialises writers itself.
    head = AuditEntry.objects.using(using).order_by("-id").values_list("hash", flat=True).first()
    return head or ""


def _chain(entries, using: str) -> None:
    prev = _chain_head(using)
    for entry in entries:
        entry.at = entry.at or timezone.now()
        entry.prev_hash = prev
        entry.hash = prev = entry_digest(entry, prev)


class AuditEntryQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            _chain(objs, self.db)
            return super().bulk_create(objs, *args, **kwargs)


class AuditEntry(models.Model):
    """Who did what to which record, and when. Append-only: never edited or deleted.

    `target_type`/`target_id` name the record (model label and public UUID) without a
    foreign key, so an entry outlives any archival of its target. `case_id` lets a case
    timeline and an audit review find everything about one case with one index.
    Each entry's `hash` chains it to the previous entry (`manage.py audit_verify`); on
    PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002).
    """

    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        using = kwargs.get("using") or router.db_for_write(AuditEntry, instance=self)
        with transaction.atomic(using=using, savepoint=False):
            _chain([self], using)
            super().save(*args, **kwargs)


class Submission(models.Model):
    """A write by its one-time token (a form's hidden field, or an API `Idempotency-Key`):
    the first request with a token writes; a double click, a retried POST or a replayed
    request gets the first one's answer instead of writing again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="one_submission_per_token")
        ]

    def __str__(self):
        return f"submission {self.token} by user {self.user_id}"
