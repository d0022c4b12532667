"""Encryption at rest for the most sensitive client data, and keyed blind indexes.

* `FIELD_ENCRYPTION_KEYS` (comma list of Fernet keys): the first encrypts, every one
  decrypts (MultiFernet), so a new key is added in front, `manage.py rotate_keys`
  re-encrypts, and then the old key is dropped.
* `BLIND_INDEX_KEY` (its own secret): HMAC-SHA256 of a normalised value, stored next to
  the ciphertext so exact lookups and the uniqueness constraint work without decrypting.

A value that no configured key opens raises `DecryptionFailed` (never garbage, never the
raw token), and the `crypto` system checks refuse to start with missing, malformed or
wrong keys. Encrypted columns accept only `isnull` lookups: anything else is a FieldError
rather than a query that silently matches nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import io
import json
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, models
from django.db.models.functions import Cast

# Every Fernet token starts with its version byte and a 64-bit timestamp's high zeros.
FERNET_PREFIX = "gAAAAA"


class DecryptionFailed(ImproperlyConfigured):
    """A stored value none of FIELD_ENCRYPTION_KEYS opens: a wrong or missing key."""


def _valid_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (binascii.Error, ValueError):
        return False


@functools.lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is not set: client data cannot be read")
    return keys


def encrypt_bytes(data: bytes) -> bytes:
    return _multifernet(_keys()).encrypt(data)


def decrypt_bytes(token: bytes, *, what: str = "a stored value") -> bytes:
    try:
        return _multifernet(_keys()).decrypt(token)
    except InvalidToken:
        raise DecryptionFailed(
            f"Cannot decrypt {what}: none of FIELD_ENCRYPTION_KEYS opens it. The keys are "
            "wrong or the key that encrypted it was removed before `manage.py rotate_keys` ran."
        ) from None


def is_current(token: bytes) -> bool:
    """True when the primary (first) key encrypted `token`: rotation can skip it."""
    try:
        Fernet(_keys()[0].encode()).decrypt(token)
    except InvalidToken:
        return False
    return True


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of an already-normalised value; `purpose` separates the A-number index
    from the date-of-birth index so equal strings never share an index value."""
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("BLIND_INDEX_KEY is not set: lookups cannot be computed")
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def generate_key() -> str:
    return Fernet.generate_key().decode()


def demo_keys(path: Path) -> tuple[list[str], str]:
    """Development keys kept in `path` (created on first use, readable by the owner only).
    Only settings under DEBUG or DEMO call this; production sets the keys in the environment."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(
                {"FIELD_ENCRYPTION_KEYS": [generate_key()], "BLIND_INDEX_KEY": generate_key()},
                handle,
            )
    stored = json.loads(path.read_text())
    return stored["FIELD_ENCRYPTION_KEYS"], stored["BLIND_INDEX_KEY"]


# Model fields ---------------------------------------------------------------------------


class EncryptedMixin:
    """Stores `Fernet(serialised value)` in a text column; "" and NULL are stored as is."""

    def get_internal_type(self):
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, name):
        return None

    def _serialise(self, value) -> str:
        return str(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        what = f"{self.model._meta.label}.{self.name}"
        return self.to_python(decrypt_bytes(value.encode(), what=what).decode())

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.to_python(value)
        if value is None or value == "":
            return value
        return encrypt_bytes(self._serialise(value).encode()).decode()


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedDateField(EncryptedMixin, models.DateField):
    def _serialise(self, value) -> str:
        return value.isoformat()

    def to_python(self, value):
        if isinstance(value, str) and value:
            return dt.date.fromisoformat(value)
        return super().to_python(value)


class BlindIndexField(models.CharField):
    """HMAC of `source`'s value, recomputed on every save (and bulk_create).

    The source is normalised before saving (A-numbers by cases.services), and a date is
    hashed in its ISO form.
    """

    def __init__(self, *args, source: str, purpose: str, **kwargs):
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        for default in ("max_length", "null", "blank", "editable"):
            kwargs.pop(default, None)
        return name, path, args, kwargs

    def digest(self, value) -> str | None:
        if value is None or value == "":
            return None
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        return blind_index(text, purpose=self.purpose)

    def pre_save(self, model_instance, add):
        value = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


# Files ----------------------------------------------------------------------------------


class EncryptedFileSystemStorage(FileSystemStorage):
    """Files on disk hold one Fernet token; `open` returns the plaintext in memory.

    Attachments are capped (ATTACHMENT_MAX_BYTES), so a whole file fits in memory; the
    token is about 4/3 the size of the file.
    """

    def _save(self, name, content):
        content.seek(0)
        token = encrypt_bytes(content.read())
        return super()._save(name, ContentFile(token))

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("Encrypted files are written only through save()")
        with super()._open(name, "rb") as handle:
            plain = decrypt_bytes(handle.read(), what=f"the file {name}")
        return File(io.BytesIO(plain), name=name)

    def rotate(self, name) -> bool:
        """Re-encrypt `name` under the primary key; False when it already was (or is gone)."""
        path = Path(self.path(name))
        try:
            token = path.read_bytes()
        except FileNotFoundError:
            return False
        if is_current(token):
            return False
        fresh = _multifernet(_keys()).rotate(token)
        # Write beside the file then rename, so a crash never leaves half a file.
        descriptor, temp = tempfile.mkstemp(dir=path.parent, prefix=".rotate-")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(fresh)
        os.replace(temp, path)
        return True


def private_file_storage():
    """Storage of files with client data: attachments and generated reports (a callable,
    so migrations do not pin settings)."""
    return EncryptedFileSystemStorage()


def encrypt_file_in_place(path: Path) -> bool:
    """Encrypt a plaintext file (data migrations); False when missing or already encrypted."""
    if not path.exists():
        return False
    data = path.read_bytes()
    try:
        decrypt_bytes(data)
    except DecryptionFailed:
        path.write_bytes(encrypt_bytes(data))
        return True
    return False


# System checks ---------------------------------------------------------------------------
# Deployment checks: schema-only commands (makemigrations) need no keys; everything that
# serves or reads data runs them through require_keys (wsgi/asgi, so runserver too; the
# Celery worker at start) and `manage.py check --deploy` reports them.


@checks.register("crypto", deploy=True)
def check_keys(app_configs=None, **kwargs):
    errors = []
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        errors.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS is not set.",
                hint="Generate one with `python manage.py rotate_keys --generate` and set it.",
                id="crypto.E001",
            )
        )
    for position, key in enumerate(keys, start=1):
        if not _valid_fernet_key(key):
            errors.append(
                checks.Error(
                    f"Key {position} of FIELD_ENCRYPTION_KEYS is not a Fernet key "
                    "(32 url-safe base64-encoded bytes).",
                    id="crypto.E002",
                )
            )
    blind = settings.BLIND_INDEX_KEY
    if len(blind) < 32:
        errors.append(
            checks.Error(
                "BLIND_INDEX_KEY is missing or shorter than 32 characters.",
                hint="Generate one with `python manage.py rotate_keys --generate`.",
                id="crypto.E003",
            )
        )
    elif blind in keys:
        errors.append(
            checks.Error(
                "BLIND_INDEX_KEY must differ from every FIELD_ENCRYPTION_KEYS key.",
                id="crypto.E004",
            )
        )
    return errors


@checks.register("crypto", deploy=True)
def check_keys_open_data(app_configs=None, **kwargs):
    """The configured keys open one stored value of each encrypted field (wrong keys are
    an error at start-up, not at the first client page)."""
    if check_keys():
        return []
    from django.apps import apps

    errors = []
    for model in apps.get_models():
        for field in encrypted_fields(model):
            try:
                token = raw_tokens(model._default_manager.all(), field.name).first()
                # Not a Fernet token at all: plaintext a pending migration will encrypt.
                if token and token.startswith(FERNET_PREFIX):
                    decrypt_bytes(token.encode(), what=f"{model._meta.label}.{field.name}")
            except DecryptionFailed as exc:
                errors.append(checks.Error(str(exc), id="crypto.E005"))
            except DatabaseError:
                return errors  # no database yet (or not migrated): nothing to open
    return errors


def raw_tokens(queryset, field_name: str):
    """The stored ciphertexts of `field_name` (non-empty ones), without decrypting."""
    return (
        queryset.annotate(_raw=Cast(field_name, output_field=models.TextField()))
        .filter(_raw__gt="")
        .values_list("_raw", flat=True)
    )


def require_keys() -> None:
    """Refuse to serve when the crypto checks fail (gunicorn runs no system checks)."""
    problems = checks.run_checks(tags=["crypto"], include_deployment_checks=True)
    serious = [p for p in problems if p.is_serious()]
    if serious:
        raise ImproperlyConfigured("; ".join(f"{p.id}: {p.msg}" for p in serious))
