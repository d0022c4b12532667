"""Attack the quarterly report's disclosure control the way a reader holding several of
our reports could: linear programming over everything published.

Each published count is a variable bounded by what its text allows (a rounded "10" is
8 to 12, "<5" is 0 to 4, "*" is 0 or more); the tables' additive relations are constraints
(a total is the sum of its partition, an office pair sums to the all-offices figure,
a median's n is at most the events it is over). For every suppressed cell we minimise
and maximise it: the attack fails only if both ends of the suppression range, 1 and
threshold - 1, stay feasible (0 and threshold - 1: zero is suppressed too).
"""

from __future__ import annotations

import pytest
from scipy.optimize import linprog

from reports.figures import report_content

pytestmark = pytest.mark.django_db

Q2 = {"year": 2025, "quarter": 2}


class Attack:
    """Variables with bounds, and linear constraints over them."""

    def __init__(self, threshold: int, base: int):
        self.threshold, self.base = threshold, base
        self.bounds: dict[tuple, tuple[int, int | None]] = {}
        self.equal: list[dict[tuple, int]] = []
        self.at_most: list[dict[tuple, int]] = []  # sum(coef * var) <= 0
        self.hidden: set[tuple] = set()

    def publish(self, key: tuple, cell) -> tuple:
        if cell.text == "*":  # small or withheld by secondary suppression: 0 or more
            self.bounds[key] = (0, None)
            if not cell.url or true_count(cell.url) < self.threshold:  # big ones need no range
                self.hidden.add(key)
        elif cell.value is None:
            assert cell.text == f"<{self.threshold}", (key, cell.text)
            self.bounds[key] = (0, self.threshold - 1)
            self.hidden.add(key)
        elif cell.value == 0:
            self.bounds[key] = (0, 0)
        else:
            half = self.base // 2
            self.bounds[key] = (max(self.threshold, cell.value - half), cell.value + half)
        return key

    def unknown(self, key: tuple) -> tuple:
        self.bounds.setdefault(key, (0, None))
        return key

    def sums(self, total: tuple, parts: list[tuple]) -> None:
        self.equal.append({total: 1, **{p: -1 for p in parts}})

    def le(self, small: tuple, big: list[tuple]) -> None:
        row = {small: 1}
        for b in big:
            row[b] = row.get(b, 0) - 1
        self.at_most.append(row)

    def ranges(self) -> dict[tuple, tuple[float, float]]:
        keys = list(self.bounds)
        index = {k: i for i, k in enumerate(keys)}

        def matrix(rows):
            out = []
            for row in rows:
                line = [0] * len(keys)
                for k, c in row.items():
                    line[index[k]] += c
                out.append(line)
            return out or None

        a_eq, a_ub = matrix(self.equal), matrix(self.at_most)
        b_eq = [0] * len(self.equal) or None
        b_ub = [0] * len(self.at_most) or None
        bounds = [self.bounds[k] for k in keys]
        found = {}
        for key in sorted(self.hidden):
            ends = []
            for sign in (1, -1):
                c = [0] * len(keys)
                c[index[key]] = sign
                result = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds)
                assert result.status == 0, (key, result.message)  # published figures agree
                ends.append(sign * result.fun)
            found[key] = tuple(ends)
        return found


def _rows(table) -> dict[str, list]:
    return {" / ".join(c.text for c in row[: table.numeric_from]): row for row in table.rows}


def publish_report(attack: Attack, name: str, content: dict) -> dict:
    """Every count of one report as variables, with the report's own relations."""
    keys: dict[tuple, tuple] = {}

    def put(table, label, column, cell):
        key = (name, table, label, column)
        keys[(table, label, column)] = attack.publish(key, cell)
        return key

    head = {}
    for label, row in _rows(content["headline"]).items():
        head[label, 1] = put("headline", label, 1, row[1])
        head[label, 2] = put("headline", label, 2, row[2])
    events, previous = head["Detention events (arrests and bookings)", 1], None
    previous = head["Detention events (arrests and bookings)", 2]
    attack.le(head["Cases with a detention", 1], [events])
    for figure in ("ICE detainers lodged", "Transfers to ICE custody"):
        attack.le(head[figure, 1], [events])
    outcomes = [head[f, 1] for f in ("Released", "Released on bond", "Removed")]
    attack.at_most.append({events: -1, **{o: 1 for o in outcomes}})

    for table, total in (("encounters", events), ("states", events)):
        cells = [put(table, label, 1, row[1]) for label, row in _rows(content[table]).items()]
        attack.sums(total, cells)
    per_state: dict[str, list] = {}
    for label, row in _rows(content["counties"]).items():
        per_state.setdefault(row[0].text, []).append(put("counties", label, 1, row[2]))
    for state, cells in per_state.items():
        attack.sums(keys[("states", state, 1)], cells)
    months = [put("months", label, 1, row[1]) for label, row in _rows(content["months"]).items()]
    attack.sums(previous, months[:3])
    attack.sums(events, months[3:])

    for column in (1, 2):
        cells = [
            put("models", label, column, r[column]) for label, r in _rows(content["models"]).items()
        ]
        for cell in cells:
            attack.le(cell, [events])
        attack.at_most.append({events: 1, **{c: -1 for c in cells}})  # every event has a row

    for label, row in _rows(content["agencies"]).items():
        either, arrested, held = (put("agencies", label, c, row[c]) for c in (2, 3, 4))
        attack.le(arrested, [either])
        attack.le(held, [either])
        attack.le(either, [arrested, held])
        attack.le(either, [events])

    # A median's n (printed rounded) is at most the events it is over.
    durations = _rows(content["durations"])
    over = {
        "Days from arrest to transfer to ICE custody": [head["Transfers to ICE custody", 1]],
        "Days from arrest to release (released or bond posted)": outcomes[:2],
    }
    for label, events_over in over.items():
        cell = durations[label][1]
        if cell.value is not None:
            n = int(cell.text.split("n ≈ ")[1].rstrip(")").replace(",", ""))
            half = attack.base // 2
            key = (name, "median n", label, 1)
            attack.bounds[key] = (n - half, n + half)
            attack.le(key, events_over)
    return keys


def family_relations(attack: Attack, whole: dict, parts: list[dict], truncated: set) -> None:
    """All offices = the sum of the offices, figure by figure. A row missing from an
    office's table is 0 there, except in a top-N table that was cut."""
    for figure, total in whole.items():
        table, label, _column = figure
        terms = []
        for i, part in enumerate(parts):
            if figure in part:
                terms.append(part[figure])
            elif table == "agencies" and i in truncated:
                terms.append(attack.unknown(("office", i, *figure)))
        attack.sums(total, terms)


def audit(reports: dict[str, dict], family: list[str] | None = None, base: int = 5):
    threshold = next(iter(reports.values()))["threshold"]
    attack = Attack(threshold, base=base)
    keys = {name: publish_report(attack, name, content) for name, content in reports.items()}
    if family:
        whole, *offices = family
        truncated = {
            i
            for i, name in enumerate(offices)
            if reports[name]["agencies"].title.startswith("Agencies involved (top")
        }
        family_relations(attack, keys[whole], [keys[n] for n in offices], truncated)
    return attack, narrowed(attack)


def narrowed(attack: Attack) -> dict:
    """Suppressed small counts an attacker learns more about than "a small count": the
    feasible range must hold 0 and threshold - 1."""
    top = attack.threshold - 1
    return {
        key: (lo, hi) for key, (lo, hi) in attack.ranges().items() if lo > 1e-6 or hi < top - 1e-6
    }


def true_count(url: str) -> int:
    """What a "*" cell really is: the count its link lists over every office."""
    from urllib.parse import urlsplit

    from django.http import QueryDict

    from reports.figures.base import CASES, EVENTS, matching

    params = QueryDict(urlsplit(url).query)
    target = EVENTS if "/cases/events/" in url else CASES
    values = {key: params.getlist(key) for key in params}
    return matching(user=None, target=target, params=values).count()


def test_one_report_reveals_no_suppressed_count(world):
    content = report_content(kind="quarterly", user=world.erin, params=Q2)
    attack, narrow = audit({"all": content})
    assert attack.hidden, "the fixture must have suppressed cells to attack"
    assert narrow == {}


def test_office_and_all_offices_reports_together_reveal_nothing(world):
    reports = {
        "all": report_content(kind="quarterly", user=world.erin, params=Q2),
        "north": report_content(
            kind="quarterly", user=world.erin, params={**Q2, "office": world.north.code}
        ),
        "south": report_content(
            kind="quarterly", user=world.erin, params={**Q2, "office": world.south.code}
        ),
    }
    attack, narrow = audit(reports, family=["all", "north", "south"])
    assert len(attack.hidden) >= 10
    assert narrow == {}


def test_the_audit_catches_the_old_rule(world, settings, monkeypatch):
    """Exact counts with small cells hidden and no secondary suppression (the old rule)
    give hidden cells away by subtraction; the audit sees it, so it can fail."""
    from reports.figures.base import Counts

    settings.REPORT_ROUNDING_BASE = 1
    monkeypatch.setattr(Counts, "protect", lambda self, total, parts: None)
    content = report_content(kind="quarterly", user=world.erin, params=Q2)
    _attack, narrow = audit({"all": content}, base=1)
    assert narrow


def test_fiscal_and_calendar_quarters_print_the_same_figures(world):
    """Fiscal Q3 2025 is calendar Q2 2025: one set of rounded figures, nothing to subtract."""
    calendar = report_content(kind="quarterly", user=world.erin, params=Q2)
    fiscal = report_content(
        kind="quarterly", user=world.erin, params={"year": 2025, "quarter": 3, "fiscal": True}
    )
    for name in ("headline", "encounters", "states", "counties", "months", "models", "agencies"):
        assert [[c.text for c in row[1:]] for row in calendar[name].rows] == [
            [c.text for c in row[1:]] for row in fiscal[name].rows
        ], name


def test_secondary_suppression_protects_every_random_partition(settings):
    """Many random tables (a total and its parts), each attacked by linear programming:
    rounding plus secondary suppression never narrows a suppressed part."""
    import random

    from reports.figures.base import Counts

    rng = random.Random(15)
    counts = Counts(5)
    withheld = 0
    for trial in range(400):
        parts_n = [
            rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 20]) for _ in range(rng.randint(2, 5))
        ]
        total = counts.cell(sum(parts_n))
        parts = [counts.cell(n) for n in parts_n]
        counts.protect(total, parts)
        withheld += sum(c.text == "*" for c in parts)
        attack = Attack(5, base=5)
        keys = [attack.publish((trial, i), cell) for i, cell in enumerate(parts)]
        attack.sums(attack.publish((trial, "total"), total), keys)
        if total.value is None:
            continue  # a suppressed total is bounded by its own range
        assert narrowed(attack) == {}, (parts_n, [c.text for c in parts])
    assert withheld  # the rule had work to do


def test_a_printed_five_next_to_a_total_of_five_is_withheld():
    """Total 6 and parts 5 + 1 print as 5, 5 and "<5": 5 - 5 would say the hidden part
    is at most 2, so the 5 is withheld."""
    from reports.figures.base import Counts

    counts = Counts(5)
    total, parts = counts.cell(6), [counts.cell(5), counts.cell(1)]
    counts.protect(total, parts)
    assert [c.text for c in parts] == ["*", "*"]


def _family_reports(world) -> dict:
    offices = {"north": world.north.code, "south": world.south.code}
    return {
        "all": report_content(kind="quarterly", user=world.erin, params=Q2),
        **{
            name: report_content(kind="quarterly", user=world.erin, params={**Q2, "office": code})
            for name, code in offices.items()
        },
    }


@pytest.mark.parametrize("family_rule", [True, False])
def test_subtracting_an_office_from_all_offices_reveals_nothing(world, monkeypatch, family_rule):
    """Clay County: 5 North events and 1 South event print as 5 (all offices), 5 (North)
    and "<5" (South), so all minus North would put South's at 1 or 2. The family rule
    withholds it; without the rule the audit finds the leak."""
    import datetime as dt

    from reports.figures import quarterly
    from tests.factories import CaseFactory, DetentionEventFactory

    for office, n in ((world.north, 5), (world.south, 1)):
        for i in range(n):
            DetentionEventFactory(
                case=CaseFactory(office=office, opened_on=dt.date(2025, 4, 1)),
                event_date=dt.date(2025, 4, 20 + i),
                state="FL",
                county="Clay",
            )
    if not family_rule:
        monkeypatch.setattr(quarterly, "_relate_family", lambda *args: None)
    _attack, narrow = audit(_family_reports(world), family=["all", "north", "south"])
    if family_rule:
        assert narrow == {}
    else:
        assert ("south", "counties", "FL / Clay", 1) in narrow


def test_demo_data_family_reveals_nothing(settings, tmp_path):
    """Typical data (the demo's two offices, many small counties): the quarterly report
    for all offices and for each office, attacked together."""
    from django.core.management import call_command

    from accounts.models import Office, User

    settings.VAR_DIR = tmp_path
    call_command("seed_demo", clients=150)
    director = User.objects.get(username="tx-director")
    codes = list(Office.objects.order_by("code").values_list("code", flat=True))
    reports = {"all": report_content(kind="quarterly", user=director, params=Q2)}
    for code in codes:
        reports[code] = report_content(
            kind="quarterly", user=director, params={**Q2, "office": code}
        )
    attack, narrow = audit(reports, family=["all", *codes])
    assert len(attack.hidden) >= 20
    assert narrow == {}
