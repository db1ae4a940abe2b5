"""Staff reports of seed 004 fig. 33 ("выходные формы"): staff list, staffing table, book of
personnel, leave schedule; and the data of the certificate of employment. Each report is
(title, headers, rows) so the screen, the print and the XLSX export share it. Every report
runs a fixed number of queries whatever the number of employees."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models.people import SEX_LABELS
from app.models.staff import Education, StaffEvent, StaffEventKind, StaffFile
from app.services.records.staff import category_label


@dataclass
class Report:
    title: str
    headers: list[str]
    rows: list[list]


def _files(org_id: int, active_only: bool):
    q = select(StaffFile).where(StaffFile.organization_id == org_id)
    if active_only:
        q = q.where(StaffFile.dismissed_on.is_(None))
    files = db.session.scalars(q).unique().all()
    return sorted(files, key=lambda f: (f.person.last_name, f.person.first_name))


def staff_list(org_id: int, **_) -> Report:
    rows = [[i, f.full_name, f.birth_date, f.position or "", f.unit or "", f.hired_on,
             category_label(f.category), f.seniority_years, f.seniority_months]
            for i, f in enumerate(_files(org_id, True), 1)]
    return Report(gettext("Staff list"), [
        "№", gettext("Full name"), gettext("Birth date"), gettext("Position"), gettext("Unit"),
        gettext("Hired on"), gettext("Qualification category"), gettext("Seniority, years"),
        gettext("Seniority, months")], rows)


def staffing_table(org_id: int, **_) -> Report:
    """Positions per unit with the number of employees holding them."""
    counts = Counter((f.unit or "", f.position or "") for f in _files(org_id, True))
    rows = [[i, unit, position, n] for i, ((unit, position), n) in
            enumerate(sorted(counts.items()), 1)]
    rows.append(["", gettext("Total"), "", sum(counts.values())])
    return Report(gettext("Staffing table"), [
        "№", gettext("Unit"), gettext("Position"), gettext("Employees")], rows)


def personnel_book(org_id: int, **_) -> Report:
    """Every file, dismissed ones too, in order of hiring."""
    files = sorted(_files(org_id, False), key=lambda f: (f.hired_on or dt.date.min, f.id))
    education: dict[int, str] = {}
    for e in db.session.scalars(select(Education).where(Education.organization_id == org_id)
                                .order_by(Education.graduated_year)):
        education[e.staff_file_id] = ", ".join(x for x in (e.level, e.institution,
                                                            e.specialty) if x)
    rows = [[i, f.full_name, f.birth_date,
             str(SEX_LABELS.get(f.person.sex, "")) if f.person.sex else "",
             education.get(f.id, ""), f.position or "", f.hired_on,
             " ".join(x for x in (f.contract_number or "",
                                  f.contract_date.strftime("%d.%m.%Y") if f.contract_date
                                  else "") if x),
             f.dismissed_on, f.dismissal_reason or ""]
            for i, f in enumerate(files, 1)]
    return Report(gettext("Book of personnel"), [
        "№", gettext("Full name"), gettext("Birth date"), gettext("Sex"), gettext("Education"),
        gettext("Position"), gettext("Hired on"), gettext("Contract"),
        gettext("Dismissed on"), gettext("Dismissal reason")], rows)


def leave_schedule(org_id: int, year: int | None = None, **_) -> Report:
    year = year or dt.date.today().year
    events = db.session.scalars(select(StaffEvent).where(
        StaffEvent.organization_id == org_id, StaffEvent.kind == StaffEventKind.leave,
        StaffEvent.start_date >= dt.date(year, 1, 1),
        StaffEvent.start_date <= dt.date(year, 12, 31)).order_by(StaffEvent.start_date)
    ).unique().all()
    rows = [[i, e.staff_file.full_name, e.staff_file.position or "", e.start_date, e.end_date,
             e.days, e.recalled_on] for i, e in enumerate(events, 1)]
    return Report(gettext("Leave schedule %(year)s", year=year), [
        "№", gettext("Full name"), gettext("Position"), gettext("Start date"),
        gettext("End date"), gettext("Days"), gettext("Recalled on")], rows)


REPORTS = {
    "staff_list": staff_list,
    "staffing_table": staffing_table,
    "personnel_book": personnel_book,
    "leave_schedule": leave_schedule,
}
