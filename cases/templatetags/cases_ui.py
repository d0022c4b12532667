"""Template helpers of the caseworker pages: badges, dates with their precision, masks."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import formats

from accounts.access import access_for
from agencies.models import Model287g
from cases.models import DatePrecision
from cases.selectors import agency_cases
from caseworker.lib.anumber import mask_a_number

register = template.Library()

MODEL_TITLES = dict(Model287g.choices)
# Badges always in the same order (TFM, JEM, WSO) so a different order never looks like a
# different finding from one page to the next.
MODEL_ORDER = {code: n for n, code in enumerate(Model287g.values)}


def _in_order(codes):
    return [(m, MODEL_TITLES.get(m, m)) for m in sorted(codes, key=lambda m: MODEL_ORDER.get(m, 9))]


@register.inclusion_tag("cases/_badges.html")
def agency_badges(active=(), pending=(), ended=(), known=True):
    """Badges for the 287(g) models in force (and pending / ended) on a date."""
    return {
        "active": _in_order(active),
        "pending": _in_order(pending),
        "ended": _in_order(ended),
        "known": known,
    }


@register.inclusion_tag("cases/_badges.html")
def event_badges(event, role):
    """The snapshot stored on a detention event for its arresting or custody agency."""
    extra = (event.snapshot_other or {}).get(role, {})
    known = getattr(event, f"{role}_agency_id") is not None
    return agency_badges(
        event.models_at(role), extra.get("pending", ()), extra.get("ended", ()), known
    )


@register.filter
def event_evidence(event, role):
    """Why each stored model was in force: "TFM: ICE participating list of … row …"."""
    why = (event.snapshot_evidence or {}).get(role, {})
    return [f"{model}: {why[model]}" for model in event.models_at(role) if why.get(model)]


@register.filter
def event_when(event):
    """The event date as precise as it is known ("March 2025" for month precision)."""
    day = event.event_date
    if event.date_precision == DatePrecision.MONTH:
        return formats.date_format(day, "F Y")
    text = formats.date_format(day, "j M Y")
    if event.date_precision == DatePrecision.APPROXIMATE:
        return f"about {text}"
    if event.event_time:
        text += " " + formats.time_format(event.event_time, "H:i")
    return text


@register.filter
def masked(value):
    return mask_a_number(value) if value else ""


@register.simple_tag
def url_if(name, *args):
    """reverse() or "" when the route is not installed (another app's optional page)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def agency_label(event, role):
    agency = getattr(event, f"{role}_agency")
    return str(agency.name) if agency else getattr(event, f"{role}_agency_name")


@register.inclusion_tag("cases/_agency_picker.html", takes_context=True)
def agency_picker(context, form, role, prefix=""):
    """The combobox for one agency role, with the badges of the agency already chosen."""
    picker = context.get("picker") or {}
    agency, standing = picker.get(role) or (None, None)
    unlisted = f"{role}_unlisted"
    return {
        "role": role,
        "prefix": prefix,
        "id_field": form[f"{role}_agency"],
        "name_field": form[f"{role}_agency_name"],
        "unlisted_field": form[unlisted] if unlisted in form.fields else None,
        "state_id": form["state"].auto_id if "state" in form.fields else "id_state",
        "date_id": form["event_date"].auto_id if "event_date" in form.fields else "id_event_date",
        "agency": agency,
        "standing": standing,
        "date": picker.get("date"),
    }


@register.filter
def any_errors(forms):
    return any(form is not None and form.errors for form in forms)


@register.simple_tag
def form_list(*forms):
    return [form for form in forms if form is not None]


@register.inclusion_tag("cases/_agency_case_panel.html", takes_context=True)
def agency_case_panel(context, agency, agreements):
    """The agency page's panel of detentions in the user's cases (nothing without case access)."""
    user = context["request"].user
    if not access_for(user).can_read_cases:
        return {"cases": None}
    cases, case_total = agency_cases(user=user, agency=agency, agreements=agreements)
    return {"cases": cases, "case_total": case_total}
