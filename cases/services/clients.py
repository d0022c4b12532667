"""Clients: create, update, validate, fill blanks on a linked record."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import access_for
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import (
    Client,
)
from cases.services._common import model_update
from caseworker.lib.anumber import a_number_lookup, normalize_a_number
from caseworker.lib.text import fold

CLIENT_FIELDS = (
    "given_names",
    "family_names",
    "other_names",
    "a_number",
    "date_of_birth",
    "country_of_birth",
    "languages",
    "phone",
    "contacts",
    "safe_contact_notes",
)

# Clients -----------------------------------------------------------------------

A_NUMBER_TAKEN = (
    "A client with this A-number is already recorded. Link the existing client instead of "
    "creating a second one."
)
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def _client_prepare(client: Client, *, check_unique: bool = True) -> None:
    """Normalise and validate; every problem is reported at once, per field."""
    errors: dict[str, list[str]] = {}
    try:
        client.a_number = normalize_a_number(client.a_number) if client.a_number else None
    except ValidationError as exc:
        errors["a_number"] = exc.messages
        client.a_number = None
    client.given_names = (client.given_names or "").strip()
    client.family_names = (client.family_names or "").strip()
    client.search_name = fold(
        " ".join([client.given_names, client.family_names, client.other_names])
    )
    dob = client.date_of_birth
    if dob and dob > timezone.localdate():
        errors["date_of_birth"] = ["The date of birth cannot be in the future."]
    elif dob and dob < EARLIEST_BIRTH:
        errors["date_of_birth"] = ["Check the year of birth: it is before 1900."]
    if (
        check_unique
        and client.a_number
        and Client.objects.filter(a_number_lookup(client.a_number)).exclude(pk=client.pk).exists()
    ):
        errors["a_number"] = [A_NUMBER_TAKEN]
    try:
        # The A-number's uniqueness is checked above with a readable message.
        client.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def client_validate(*, fields: dict) -> None:
    """The client rules without saving, so a form can show every problem in one round
    (the A-number's uniqueness is left to the duplicate check and to client_create)."""
    client = Client(**{k: v for k, v in fields.items() if k in CLIENT_FIELDS})
    _client_prepare(client, check_unique=False)


def _client_save(client: Client) -> None:
    """Save; a concurrent insert of the same A-number becomes a field error, not a 500."""
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        if client.a_number and Client.objects.filter(a_number_lookup(client.a_number)).exists():
            raise ValidationError({"a_number": [A_NUMBER_TAKEN]}) from None
        raise


def _require_client_write(actor, client: Client) -> None:
    access = access_for(actor)
    offices = client.cases.values_list("office_id", flat=True)
    if not any(access.can_write_case_in(office_id) for office_id in offices):
        raise PermissionDenied("You may not change this client's record.")


def client_create(*, actor, **fields) -> Client:
    client = Client(created_by=actor, **{k: v for k, v in fields.items() if k in CLIENT_FIELDS})
    _client_prepare(client)
    _client_save(client)
    audit_record(actor=actor, action=AuditAction.CREATE, target=client, summary="Client created")
    return client


def client_update(*, actor, client: Client, **fields) -> Client:
    _require_client_write(actor, client)
    changes = model_update(
        client, fields=CLIENT_FIELDS, data=fields, redact=CLIENT_FIELDS, normalise=_client_prepare
    )
    if changes:
        _client_save(client)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=client,
            summary="Client updated: " + ", ".join(changes),
            changes=changes,
        )
    return client


def client_fill_blanks(*, actor, client: Client, fields: dict) -> tuple[list[str], list[str]]:
    """Copy typed values into a linked client's empty fields; never overwrite.

    Returns (labels of fields filled in, labels of fields typed differently from the
    record), so the caseworker is told what was kept and what to check.
    """
    filled, differing = {}, []
    for name in CLIENT_FIELDS:
        typed = fields.get(name)
        if typed in (None, ""):
            continue
        current = getattr(client, name)
        if name == "a_number":
            try:
                typed = normalize_a_number(typed)
            except ValidationError:
                differing.append(name)
                continue
        if current in (None, ""):
            filled[name] = typed
        elif (fold(str(current)) if isinstance(current, str) else current) != (
            fold(typed) if isinstance(typed, str) else typed
        ):
            differing.append(name)
    if filled:
        client_update(actor=actor, client=client, **filled)
    label = {f.name: str(f.verbose_name) for f in Client._meta.concrete_fields}
    return [label[n] for n in filled], [label[n] for n in differing]
