"""Client page: identity with the A-number masked until revealed (audited), and edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import access_for
from cases import selectors, services
from cases.forms import ClientForm, add_service_errors
from cases.services import CLIENT_FIELDS
from caseworker.lib.anumber import mask_a_number
from caseworker.lib.web import client_ip, login_required, private


def _can_edit(user, cases) -> bool:
    access = access_for(user)
    return any(access.can_write_case_in(case.office_id) for case in cases)


def _client_page(request, client, *, revealed=False):
    cases = list(selectors.client_cases(user=request.user, client=client))
    context = {
        "client": client,
        "cases": cases,
        "revealed": revealed,
        "can_edit": _can_edit(request.user, cases),
    }
    return private(render(request, "cases/client_detail.html", context))


@login_required
@require_GET
def client_detail(request, public_id):
    client = selectors.client_get_for_user(user=request.user, public_id=public_id)
    services.client_read_record(user=request.user, client=client, ip=client_ip(request))
    return _client_page(request, client)


@login_required
@require_POST
def client_reveal(request, public_id):
    """Show the full A-number: a deliberate, audited act (POST, never a link)."""
    client = selectors.client_get_for_user(user=request.user, public_id=public_id)
    services.client_reveal_a_number(user=request.user, client=client, ip=client_ip(request))
    if request.htmx:
        return private(
            render(request, "cases/_a_number.html", {"client": client, "revealed": True})
        )
    return _client_page(request, client, revealed=True)


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request, public_id):
    client = selectors.client_get_for_user(user=request.user, public_id=public_id)
    cases = list(selectors.client_cases(user=request.user, client=client))
    if not _can_edit(request.user, cases):
        raise PermissionDenied("You may read this client's record but not change it.")
    # Audited once the record is shown: a refused edit shows nothing of the client.
    services.client_read_record(user=request.user, client=client, ip=client_ip(request))
    # The A-number is not put in the form (that would reveal it without an audit entry):
    # the field starts empty and only a newly typed number replaces the stored one.
    initial = {name: getattr(client, name) for name in CLIENT_FIELDS if name != "a_number"}
    form = ClientForm(request.POST or None, initial=initial)
    form.fields["a_number"].help_text = (
        f"On record: {mask_a_number(client.a_number)}. Type a new one only to change it."
        if client.a_number
        else form.fields["a_number"].help_text
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if not fields["a_number"]:
            fields.pop("a_number")
        try:
            services.client_update(actor=request.user, client=client, **fields)
        except ValidationError as exc:
            add_service_errors(exc, {"": form})
            client.refresh_from_db()
        else:
            messages.success(request, "Client record saved.")
            return redirect("cases:client", client.public_id)
    status = 400 if form.is_bound else 200
    context = {"client": client, "form": form}
    return private(render(request, "cases/client_form.html", context, status=status))
