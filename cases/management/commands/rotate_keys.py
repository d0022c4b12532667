"""Re-encrypt every encrypted field and file under the first FIELD_ENCRYPTION_KEYS key,
and recompute the blind indexes under the current BLIND_INDEX_KEY.

Rotation: put the new key first (keep the old one after it), run this, then remove the
old key. Each batch commits on its own, and rows and files already under the primary
key are skipped, so an interrupted run is resumed by running it again.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from caseworker.lib.crypto import (
    BlindIndexField,
    EncryptedFileSystemStorage,
    encrypted_fields,
    generate_key,
    is_current,
)


class Command(BaseCommand):
    help = "Re-encrypt data and files under the primary key; recompute blind indexes."
    # No system checks first: --generate must work before any key is set, and a wrong
    # key still fails loudly (DecryptionFailed) on the first row it cannot open.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--generate", action="store_true", help="Print a new random key and exit."
        )

    def handle(self, *args, batch_size, generate, **options):
        if generate:
            self.stdout.write(generate_key())
            return
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if fields:
                self._rotate_rows(model, fields, batch_size)
            for field in model._meta.concrete_fields:
                if isinstance(field, models.FileField) and isinstance(
                    field.storage, EncryptedFileSystemStorage
                ):
                    self._rotate_files(model, field, batch_size)

    def _rotate_rows(self, model, fields, batch_size):
        indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
        raw = {f"_raw_{f.name}": Cast(f.name, output_field=models.TextField()) for f in fields}
        save_fields = [f.name for f in fields] + [f.name for f in indexes]
        last, seen, changed = 0, 0, 0
        while True:
            with transaction.atomic():
                batch = list(
                    model._default_manager.filter(pk__gt=last)
                    .annotate(**raw)
                    .order_by("pk")[:batch_size]
                )
                if not batch:
                    break
                for obj in batch:
                    stale = any(
                        token and not is_current(token.encode())
                        for token in (getattr(obj, name) for name in raw)
                    ) or any(
                        index.digest(getattr(obj, index.source)) != getattr(obj, index.attname)
                        for index in indexes
                    )
                    if stale:
                        obj.save(update_fields=save_fields)
                        changed += 1
                seen += len(batch)
                last = batch[-1].pk
            self.stdout.write(f"{model._meta.label}: {seen} rows checked, {changed} rotated")
        self.stdout.write(
            self.style.SUCCESS(f"{model._meta.label}: done, {changed} of {seen} rows rotated")
        )

    def _rotate_files(self, model, field, batch_size):
        last, seen, changed = 0, 0, 0
        while True:
            batch = list(
                model._default_manager.filter(pk__gt=last)
                .exclude(**{field.name: ""})
                .order_by("pk")
                .values_list("pk", field.name)[:batch_size]
            )
            if not batch:
                break
            for _pk, name in batch:
                changed += field.storage.rotate(name)
            seen += len(batch)
            last = batch[-1][0]
        self.stdout.write(
            self.style.SUCCESS(f"{model._meta.label} files: {changed} of {seen} re-encrypted")
        )
