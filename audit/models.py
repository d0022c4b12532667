from django.conf import settings
from django.db import models


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


class AuditEntry(models.Model):
    """Who did what to which record, and when. Append-only: never edited or deleted.

    `target_type`/`target_id` name the record (model label and public UUID) without a
    foreign key, so an entry outlives any archival of its target. `case_id` lets a case
    timeline and an audit review find everything about one case with one index.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
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

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}"
