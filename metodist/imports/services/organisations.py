"""Checking and loading organisation lists (списки организаций) of the municipalities a user may load into."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from metodist.core.permissions import Action
from metodist.core.scoping import scope_for
from metodist.registry.choices import InnovationSite, OrganisationKind, TerritoryKind
from metodist.registry.models import Organisation, Territory
from metodist.registry.validators import is_valid_inn, is_valid_ogrn

from .. import errors, progress
from ..columns import EXAMPLE_INN, ORGANISATION_COLUMNS
from ..limits import ORGANISATION_LIMITS
from ..models import ImportKind
from ..parsing import ParsedTable, SheetRow, cell_text, normalise
from ..vocabulary import INNOVATION, MUNICIPALITY_WORDS, organisation_kind_from_text
from .base import (
    STATUS_NEW,
    STATUS_UNCHANGED,
    STATUS_UPDATED,
    ImportReport,
    RowResult,
    _apply,
    _BaseImport,
    _lines,
    _suggest,
)

ORGANISATION_FLAGS = ("low_results", "unfavourable_conditions", "growth_point", "internship_site")


def _municipality_core(name: str) -> str:
    return " ".join(w for w in normalise(name).split() if w not in MUNICIPALITY_WORDS)


def municipalities_for_import(user) -> list[Territory]:
    """The municipalities whose organisation lists ``user`` may load (none for a coordinator)."""
    scope = scope_for(user, Action.IMPORT)
    qs = Territory.objects.filter(kind=TerritoryKind.MUNICIPALITY)
    if scope.is_global:
        return list(qs.order_by("name"))
    if not scope.territory_ids:
        return []
    return list(qs.filter(id__in=scope.territory_ids).order_by("name"))


def can_import_organisations(user) -> bool:
    scope = scope_for(user, Action.IMPORT)
    return scope.is_global or bool(scope.territory_ids)


@dataclass
class _OrganisationRow:
    result: RowResult
    data: dict[str, Any] = field(default_factory=dict)
    territory: Territory | None = None
    kind_given: bool = False
    organisation: Organisation | None = None
    changes: dict[str, Any] = field(default_factory=dict)


class _OrganisationImport(_BaseImport):
    kind = ImportKind.ORGANISATIONS
    columns = ORGANISATION_COLUMNS
    limits = ORGANISATION_LIMITS

    def __init__(self, *, user, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.municipalities = municipalities_for_import(user)
        self.default_municipality = self.municipalities[0] if len(self.municipalities) == 1 else None
        self.report.columns = ["Краткое наименование", "Тип", "ИНН", "ОГРН", "Муниципалитет", "Признаки"]
        self.rows: list[_OrganisationRow] = []
        self._district_verdict: bool | None = None  # whether a «Район» column names municipalities

    def missing_columns(self, table: ParsedTable) -> list[str]:
        missing = []
        if not table.has("short_name"):
            missing.append("Краткое наименование")
        if not table.has("municipality") and not table.has("district") and self.default_municipality is None:
            missing.append("Муниципалитет")
        return missing

    def _known_municipality(self, value: str) -> Territory | None:
        by_name = {normalise(t.name): t for t in self.municipalities}
        if normalise(value) in by_name:
            return by_name[normalise(value)]
        cores = [t for t in self.municipalities if _municipality_core(t.name) == _municipality_core(value)]
        if len(cores) == 1 and _municipality_core(value):
            return cores[0]
        return None

    def _district_decides(self) -> bool:
        """A «Район» column names municipalities only if its values are municipalities the user has: in a
        city's list it names the city's districts and must not take the place of the municipality."""
        if self.table is None or not self.table.has("district") or self.table.has("municipality"):
            return False
        if self._district_verdict is None:
            values = {row.text("district") for row in self.table.rows if row.text("district")}
            known = {v for v in values if self._known_municipality(v) is not None}
            self._district_verdict = bool(values) and (
                len(known) * 2 > len(values) or self.default_municipality is None
            )
            if not self._district_verdict and values and self.default_municipality is not None:
                self.report.warnings.append(
                    str(
                        errors.DISTRICT_IGNORED
                        % {"column": self.labels["district"], "municipality": self.default_municipality.name}
                    )
                )
        return bool(self._district_verdict)

    def _municipality(self, row: SheetRow, result: RowResult) -> Territory | None:
        key = "district" if self._district_decides() else "municipality"
        value = row.text(key)
        if not value:
            if self.default_municipality is None:
                result.error(errors.REQUIRED_VALUE, column=self.labels[key])
            return self.default_municipality
        known = self._known_municipality(value)
        if known is not None:
            return known
        suggestion = _suggest(value, {normalise(t.name): t.name for t in self.municipalities})
        if suggestion:
            result.error(errors.UNKNOWN_MUNICIPALITY_SUGGEST, value=value, suggestion=suggestion)
        else:
            allowed = ", ".join(f"«{t.name}»" for t in self.municipalities[:20]) or str(errors.NOTHING_FOUND)
            result.error(errors.UNKNOWN_MUNICIPALITY, value=value, allowed=allowed)
        return None

    def _number(self, row: SheetRow, key: str, result: RowResult, check, message) -> str:
        raw = cell_text(row.get(key))
        if not raw:
            return ""
        value = raw.replace(" ", "").replace("-", "")
        if not value.isdigit() or not check(value):
            result.error(message, value=raw)
            return ""
        return value

    def _clean(self, row: SheetRow) -> _OrganisationRow | None:
        result = RowResult(line=row.line)
        item = _OrganisationRow(result=result)
        d = item.data
        d["short_name"] = self.text(row, "short_name", result, limit=255)
        result.label = d["short_name"]
        if not d["short_name"] and not row.text("short_name"):
            result.error(errors.REQUIRED_VALUE, column=self.labels["short_name"])
        d["inn"] = self._number(row, "inn", result, is_valid_inn, errors.BAD_INN)
        if normalise(d["short_name"]) == normalise(ORGANISATION_COLUMNS[0].example) and d["inn"] == EXAMPLE_INN:
            self.report.warnings.append(str(errors.EXAMPLE_ROW_SKIPPED % {"line": row.line}))
            return None
        d["full_name"] = self.text(row, "full_name", result, limit=1000)
        kind_text = row.text("kind")
        if kind_text:
            d["kind"] = organisation_kind_from_text(kind_text)
            item.kind_given = True
            if d["kind"] is None:
                result.error(errors.UNKNOWN_ORG_KIND, value=kind_text)
        else:
            d["kind"] = organisation_kind_from_text(d["short_name"]) or organisation_kind_from_text(d["full_name"])
        d["ogrn"] = self._number(row, "ogrn", result, is_valid_ogrn, errors.BAD_OGRN)
        item.territory = self._municipality(row, result)
        d["municipality_given"] = bool(row.text("municipality")) or (
            self._district_decides() and bool(row.text("district"))
        )
        d["address"] = self.text(row, "address", result, limit=500)
        d["phone"] = self.text(row, "phone", result, limit=64)
        d["email"] = self.email(row, "email", result)
        website = row.text("website")
        d["website"] = ""
        if website:
            url = website if "://" in website else f"https://{website}"
            try:
                URLValidator()(url)
                d["website"] = url
            except ValidationError:
                result.error(errors.BAD_URL, value=website)
        for name in ORGANISATION_FLAGS:
            if self.table.has(name):
                d[name] = bool(self.flag(row, name, result))
        if self.table.has("innovation_site"):
            raw = row.text("innovation_site")
            key = normalise(raw)
            if key in INNOVATION or raw in {"-", "–", "—"}:
                d["innovation_site"] = INNOVATION.get(key, InnovationSite.NONE)
            else:
                result.error(errors.BAD_INNOVATION_SITE, value=raw)
        return item

    def _check_duplicates(self) -> None:
        for key, message in (("inn", errors.DUPLICATE_INN), ("ogrn", errors.DUPLICATE_OGRN)):
            groups: dict[str, list[_OrganisationRow]] = defaultdict(list)
            for item in self.rows:
                if item.data.get(key):
                    groups[item.data[key]].append(item)
            for value, group in groups.items():
                if len(group) > 1:
                    lines = _lines(i.result.line for i in group)
                    for item in group:
                        item.result.error(message, value=value, lines=lines)
        by_name: dict[tuple, list[_OrganisationRow]] = defaultdict(list)
        for item in self.rows:
            if item.territory is not None and item.data["short_name"]:
                by_name[(item.territory.pk, normalise(item.data["short_name"]))].append(item)
        for group in by_name.values():
            if len(group) > 1:
                lines = _lines(i.result.line for i in group)
                for item in group:
                    item.result.error(errors.DUPLICATE_ORGANISATION, value=item.data["short_name"], lines=lines)

    def _resolve(self) -> None:
        allowed = {t.pk for t in self.municipalities}
        rows = [item for item in self.rows if item.result.ok]
        inns = {item.data["inn"] for item in rows if item.data["inn"]}
        ogrns = {item.data["ogrn"] for item in rows if item.data["ogrn"]}
        by_inn = {o.inn: o for o in Organisation.objects.filter(inn__in=inns)} if inns else {}
        by_ogrn = {o.ogrn: o for o in Organisation.objects.filter(ogrn__in=ogrns)} if ogrns else {}
        by_name: dict[tuple, list[Organisation]] = defaultdict(list)
        for org in Organisation.objects.filter(territory_id__in=allowed).order_by("pk"):
            by_name[(org.territory_id, normalise(org.short_name))].append(org)
        for item in rows:
            d = item.data
            org = by_inn.get(d["inn"]) if d["inn"] else None
            same_ogrn = by_ogrn.get(d["ogrn"]) if d["ogrn"] else None
            if org is None and same_ogrn is not None and not (d["inn"] and same_ogrn.inn):
                org = same_ogrn  # without ИНН on either side, the ОГРН tells which organisation it is
                if org.territory_id not in allowed:
                    item.result.error(errors.ORGANISATION_OUT_OF_SCOPE_OGRN, value=d["ogrn"])
                    continue
            if org is not None and org.territory_id not in allowed:
                item.result.error(errors.ORGANISATION_OUT_OF_SCOPE, value=d["inn"])
                continue
            if org is None and item.territory is not None:
                candidates = by_name.get((item.territory.pk, normalise(d["short_name"])), [])
                if candidates:
                    org = candidates[0]
                    if d["inn"] and org.inn and org.inn != d["inn"]:
                        item.result.error(errors.ORGANISATION_OTHER_INN, value=org.short_name)
                        continue
            if same_ogrn is not None and same_ogrn != org:
                if same_ogrn.territory_id in allowed:  # name the organisation only to who may see it
                    item.result.error(errors.OGRN_TAKEN_BY, value=d["ogrn"], organisation=same_ogrn.short_name)
                else:
                    item.result.error(errors.OGRN_TAKEN, value=d["ogrn"])
                continue
            if org is None and d["kind"] is None:
                item.result.error(errors.ORG_KIND_UNDETERMINED)
                continue
            item.organisation = org
            item.changes = self._changes(item, org)

    def _changes(self, item: _OrganisationRow, org: Organisation | None) -> dict[str, Any]:
        d = item.data
        if org is None:
            values = {
                "territory": item.territory,
                "kind": d["kind"],
                "short_name": d["short_name"],
                "full_name": d["full_name"] or d["short_name"],
            }
            for name in ("inn", "ogrn", "address", "phone", "email", "website", "innovation_site", *ORGANISATION_FLAGS):
                if d.get(name) not in (None, ""):
                    values[name] = d[name]
            return values
        changes: dict[str, Any] = {}
        if d["municipality_given"] and item.territory is not None and org.territory_id != item.territory.pk:
            changes["territory"] = item.territory
        if item.kind_given and d["kind"] != org.kind:
            changes["kind"] = d["kind"]
        for name in ("short_name", "full_name", "ogrn", "address", "phone", "email", "website"):
            if d.get(name) and getattr(org, name) != d[name]:
                changes[name] = d[name]
        if d["inn"] and not org.inn:
            changes["inn"] = d["inn"]
        for name in (*ORGANISATION_FLAGS, "innovation_site"):
            if name in d and getattr(org, name) != d[name]:
                changes[name] = d[name]
        return changes

    def _finish_rows(self) -> None:
        flag_titles = {
            "low_results": "ШНОР",
            "unfavourable_conditions": "неблагоприятные условия",
            "growth_point": "Точка роста",
            "internship_site": "стажировочная площадка",
        }
        for item in self.rows:
            result = item.result
            if not result.ok:
                continue
            org = item.organisation
            if org is None:
                result.status = STATUS_NEW
            else:
                result.status = STATUS_UPDATED if item.changes else STATUS_UNCHANGED
            d = item.data
            kind = d["kind"] if (item.kind_given or org is None) else org.kind
            flags = [title for name, title in flag_titles.items() if d.get(name)]
            if d.get("innovation_site"):
                flags.append(str(InnovationSite(d["innovation_site"]).label).split(" —")[0])
            territory = item.territory or (org.territory if org else None)
            result.cells = [
                d["short_name"],
                str(OrganisationKind(kind).label) if kind else "",
                d["inn"],
                d["ogrn"],
                territory.name if territory else "",
                ", ".join(flags),
            ]

    def _check_rows(self) -> None:
        self._clean_rows()
        self._check_duplicates()
        self._resolve()

    def write(self) -> None:
        for done, item in enumerate(self.rows, start=1):
            progress.report(progress.WRITING, done, len(self.rows))
            if not item.result.ok:
                continue
            if item.organisation is None:
                item.organisation = Organisation.objects.create(**item.changes)
            elif item.changes:
                for name, value in item.changes.items():
                    setattr(item.organisation, name, value)
                item.organisation.save(update_fields=[*item.changes, "updated_at"])


def organisations_import_check(
    *, user, content: bytes, filename: str, today: datetime.date | None = None
) -> ImportReport:
    """Check an organisation list for the municipalities ``user`` may load into, without writing anything."""
    return _OrganisationImport(user=user, content=content, filename=filename, today=today).check()


def organisations_import_apply(
    *, user, content: bytes, filename: str, only_valid: bool = False, today: datetime.date | None = None
) -> ImportReport:
    """Load an organisation list into the municipalities ``user`` may load into, in one transaction."""
    importer = _OrganisationImport(user=user, content=content, filename=filename, today=today)
    return _apply(importer, only_valid=only_valid)
