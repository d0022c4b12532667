"""Clients: one client, their cases, and possible duplicates of a person being taken in."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from cases.duplicate_scoring import REASONS, THRESHOLDS, best_name_score, dob_relation, dob_variants
from cases.models import Case, Client
from cases.selectors.cases import cases_visible
from caseworker.lib.anumber import a_number_lookup
from caseworker.lib.lookup import object_get_or_404
from caseworker.lib.text import fold


def client_get_for_user(*, user, public_id) -> Client:
    """A client the user may see; reading their record is audited by the caller
    (cases.services.client_read_record), which knows whether the record is shown."""
    clients = Client.objects.visible_to(user)
    return object_get_or_404(clients, message="No such client", public_id=public_id)


def client_cases(*, user, client: Client) -> QuerySet[Case]:
    return (
        cases_visible(user=user)
        .filter(client=client)
        .select_related("office", "caseworker", "attorney")
    )


DUPLICATE_SCAN_LIMIT = 5000


DUPLICATE_SHOW = 8


@dataclass
class DuplicateCandidate:
    """A visible client who may be the person being taken in, and why."""

    client: Client
    score: int
    reasons: list[str]

    @property
    def choice_value(self) -> str:
        return f"client:{self.client.public_id}"


@dataclass
class DuplicateReport:
    """Possible existing clients. `a_number_client` is set when the A-number is taken,
    even by a client of another office (who is then not shown: only the fact is)."""

    candidates: list[DuplicateCandidate] = field(default_factory=list)
    a_number_client: Client | None = None
    a_number_visible: bool = False

    def __bool__(self) -> bool:
        return bool(self.candidates or self.a_number_client)


def client_by_a_number(a_number: str) -> Client | None:
    """The client holding an A-number in any office (for linking; never shown as is)."""
    try:
        return Client.objects.filter(a_number_lookup(a_number)).first()
    except ValidationError:
        return None


def client_duplicates(
    *, user, given_names: str, family_names: str, date_of_birth=None, a_number: str = ""
) -> DuplicateReport:
    """Existing clients who may be this person: A-number exactly (any input format),
    or a similar name with the same, swapped or unknown date of birth.

    Fuzzy matches are limited to clients the user may see; an A-number held by a client
    of another office is reported without details, so the caller can link, not copy.
    Two queries: narrow in SQL (date of birth, or a 3-letter piece of any name), score in
    Python with rapidfuzz, then load the best few with their visible cases.
    """
    report = DuplicateReport()
    if a_number:
        report.a_number_client = client_by_a_number(a_number)
    typed = f"{given_names} {family_names}".strip()
    scores: dict[int, tuple[int, list[str]]] = {}
    words = [w for w in fold(typed).split() if len(w) >= 2]
    if words:
        pieces = Q()
        for word in words:
            pieces |= Q(search_name__contains=word[:3])
        visible = Client.objects.visible_to(user)
        if date_of_birth:
            # Dates of birth are encrypted: the same or swapped date is found by its index.
            dob_index = Client._meta.get_field("date_of_birth_bidx")
            found = visible.filter(
                Q(date_of_birth_bidx__in=[dob_index.digest(d) for d in dob_variants(date_of_birth)])
                | (Q(date_of_birth__isnull=True) & pieces)
            )
        else:
            found = visible.filter(pieces)
        rows = found.values_list(
            "pk", "given_names", "family_names", "other_names", "date_of_birth"
        )[:DUPLICATE_SCAN_LIMIT]
        for pk, given, family, other, dob in rows:
            relation = dob_relation(date_of_birth, dob)
            if relation == "different":
                continue
            score = best_name_score(typed, f"{given} {family}", other)
            if score >= THRESHOLDS[relation]:
                scores[pk] = (score, [f"similar name ({score}%)", REASONS[relation]])
    if report.a_number_client is not None:
        pk = report.a_number_client.pk
        report.a_number_visible = Client.objects.visible_to(user).filter(pk=pk).exists()
        if report.a_number_visible:
            scores[pk] = (100, ["same A-number", *scores.get(pk, (0, []))[1]])
    best = sorted(scores.items(), key=lambda item: -item[1][0])[:DUPLICATE_SHOW]
    if best:
        clients = Client.objects.prefetch_related(
            Prefetch("cases", queryset=cases_visible(user=user).select_related("office"))
        ).in_bulk([pk for pk, _ in best])
        report.candidates = [
            DuplicateCandidate(client=clients[pk], score=score, reasons=reasons)
            for pk, (score, reasons) in best
            if pk in clients
        ]
    return report
