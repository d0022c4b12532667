import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac


class Role(models.TextChoices):
    """The four roles of DESIGN.md: fixed codes held in RoleGrant, never group names."""

    CASEWORKER = "caseworker", "Caseworker"
    ATTORNEY = "attorney", "Attorney"
    DIRECTOR = "director", "Director"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    """A staff member. Roles are RoleGrant rows; offices are memberships."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Part of every session's auth hash: changing it ends all the user's sessions at once
    # ("log out everywhere"); empty keeps Django's own hash, so existing sessions survive.
    session_salt = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(
            key_salt, self.password + self.session_salt, secret=secret, algorithm="sha256"
        ).hexdigest()


class Office(models.Model):
    """A legal aid office. Every case belongs to exactly one office."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True)
    members = models.ManyToManyField(User, related_name="offices", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RoleGrant(models.Model):
    """One role held by one user. The code is fixed (`Role`), so renaming or editing a
    Django group cannot change what anyone may do; grants go through
    `accounts.services.role_grant`, which checks who may grant and audits it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}"


class Notification(models.Model):
    """An in-app message to one user (agreement changes on their cases, reports ready)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    message = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.message[:60]


class ApiToken(models.Model):
    """A personal REST API token (`Authorization: Token <key>`), several per user.

    Only a SHA-256 of the key is stored, so a copy of the database signs nobody in; the
    key is shown once, when it is made. It expires (API_TOKEN_DAYS) and is revoked by its
    owner, a password change, deactivation, "log out everywhere" or a second-factor reset.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, so the owner can tell which script holds which token.
    key_prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()
