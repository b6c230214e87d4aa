"""Template filters of the analysis pages: percentages in Russian, mastery as a CSS class."""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..choices import Mastery

register = template.Library()


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    """63.25 → «63,3»; ``None`` → «—»."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(digits)}f}".replace(".", ",")


@register.filter
def signed(value: Any) -> str:
    """A difference in percentage points with its sign: «+5,1», «−3,0»."""
    if value is None:
        return "—"
    number = float(value)
    text = f"{abs(number):.1f}".replace(".", ",")
    return ("+" if number > 0 else "−" if number < 0 else "±") + text


@register.filter
def mastery_class(mastery: Any) -> str:
    return f"cell-{mastery}" if mastery else "cell-empty"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (``None`` when absent)."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


# Large tables rendered in Python ----------------------------------------------------------------
# A region's page has a row per school (a thousand) × a cell per task: the template engine spent most of
# the page's time resolving variables and filters cell by cell (bench/analysis_pages.py), so the rows of
# the heatmap and of the marks table are written here, with the same markup the templates had.


def _attr(value: Any) -> str:
    return html.escape(str(value))


@register.simple_tag
def matrix_rows(analysis: Any) -> str:
    """The ``<tr>`` rows of the heatmap table (``Analysis.matrix()``)."""
    not_informative = _attr(gettext("не информативно"))
    to_region, points = gettext("к региону"), gettext("п. п.")
    labels = {m: f" — {m.label}" for m in Mastery}
    classes = {m: mastery_class(m) for m in [*Mastery, None]}
    numbers: dict[int, str] = {}
    out: list[str] = []
    for row in analysis.matrix():
        label = _attr(row["label"])
        head = f'<a href="{_attr(row["url"])}">{label}</a>' if row["url"] else label
        if row["kind"] == "reference":
            head += f'<div class="small fw-normal text-muted">{_attr(row.get("origin", ""))}</div>'
        if not row["informative"]:
            head += f'<span class="badge text-bg-light">{not_informative}</span>'
        participants = row["participants"]
        cells = []
        for cell in row["cells"]:
            rate, mastery, task = cell["rate"], cell["mastery"], cell["task"]
            number = numbers.get(task.pk)
            if number is None:
                number = numbers[task.pk] = _attr(task.number)
            title = ""
            if rate is not None:
                text = f"{number}: {pct(rate)} %{labels[mastery] if mastery else ''}"
                if cell["diff"] is not None:
                    text += f"; {to_region} {signed(cell['diff'])} {points}"
                title = f' title="{text}"'
            cells.append(f'<td class="text-center {classes[mastery]}" data-task="{number}"{title}>{pct(rate, 0)}</td>')
        out.append(
            f'<tr class="matrix-{row["kind"]}{"" if row["informative"] else " text-muted"}" data-row="{label}">'
            f'<th scope="row" class="text-nowrap">{head}</th>'
            f'<td class="text-end">{"—" if participants is None else participants}</td>'
            f'<td class="text-end fw-semibold" data-figure="overall">{pct(row["overall"])}</td>'
            f"{''.join(cells)}</tr>"
        )
    return mark_safe("\n".join(out))  # every value above is escaped


@register.simple_tag
def marks_rows(rows: Any) -> str:
    """The ``<tr>`` rows of the marks table for the groups of a page (schools, classes, municipalities)."""
    out: list[str] = []
    for row in rows:
        marks = row.marks
        if marks is None:
            shares = "".join('<td class="text-end">—</td>' for _ in range(4))
            total, quality, progress = "", "—", "—"
        else:
            shares = "".join(f'<td class="text-end">{pct(s)}</td>' for s in marks.shares.values())
            total, quality, progress = marks.total, pct(marks.quality), pct(marks.progress)
        out.append(
            f'<tr><th scope="row" class="fw-normal">{_attr(row.label)}</th><td class="text-end">{total}</td>'
            f'{shares}<td class="text-end">{quality}</td><td class="text-end">{progress}</td></tr>'
        )
    return mark_safe("\n".join(out))  # every value above is escaped
