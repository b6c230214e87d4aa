"""Reading a competence framework from a file: the federal register's XML of a professional standard, or a
spreadsheet tree (code, parent code, kind, title, areas), and the spreadsheet's downloadable template.

Both readers give a :class:`ParsedFramework` — nodes in file order with the place each came from — or raise
:class:`FrameworkFileError` listing **every** problem with its place and a Russian reason. Nothing is written
here; :func:`metodist.competences.services.framework_import` writes a checked file in one transaction.

The XML is untrusted: lxml parses it with entities unresolved, no DTD loading, no network and no huge-tree
mode, and a file with a DOCTYPE is refused outright (the register's files have none), so neither «billion
laughs» nor an external entity (XXE) can do anything.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from metodist.imports.limits import MB, FileLimits
from metodist.imports.parsing import INSTRUCTION_SHEET, ColumnSpec, FileError, normalise, read_table

from .choices import CompetenceArea, NodeKind
from .models import code_key

MAX_XML_BYTES = 5 * MB
MAX_NODES = 5_000
TITLE_MAX = 2_000
CODE_MAX = 64

TREE_LIMITS = FileLimits(
    max_rows=MAX_NODES + 50,
    max_columns=50,
    max_cells=100_000,
    max_shared_strings=50_000,
    max_uncompressed_bytes=20 * MB,
    max_line_chars=20_000,
)

# Messages (tests assert them) ------------------------------------------------------------------------------

XML_TOO_BIG = _("Файл больше %(max)s МБ: профессиональный стандарт столько не занимает. Проверьте, тот ли это файл.")
XML_EMPTY = _("Файл пустой.")
XML_BROKEN = _("Файл не читается как XML: %(reason)s (строка %(line)s).")
XML_DOCTYPE = _(
    "Файл содержит объявление DOCTYPE (внутренние сущности или ссылки на внешние файлы). "
    "Файлы реестра профессиональных стандартов его не содержат; такой файл не загружается."
)
XML_NO_STANDARD = _(
    "В файле нет элемента ProfessionalStandart: это не XML-файл профессионального стандарта из реестра."
)
XML_SEVERAL_STANDARDS = _("В файле %(count)s профессиональных стандартов; загрузите файл с одним стандартом.")
XML_NO_FUNCTIONS = _("В стандарте нет ни одной обобщённой трудовой функции (GeneralizedWorkFunction).")
XML_MISSING = _("не указано %(element)s")
XML_TF_OUTSIDE = _("код трудовой функции «%(code)s» не относится к обобщённой функции «%(parent)s»")
TOO_MANY_NODES = _("В файле больше %(max)s элементов: так много показателей рамка не содержит.")

NO_COLUMN = _("Нет обязательного столбца «%(column)s».")
NO_ROWS = _("В файле нет ни одной строки с элементами рамки.")
CODE_EMPTY = _("не указан код")
CODE_TOO_LONG = _("код длиннее %(max)s символов")
CODE_REPEATED = _("код «%(code)s» уже встречается (%(place)s)")
TITLE_EMPTY = _("не указана формулировка")
TITLE_TOO_LONG = _("формулировка длиннее %(max)s символов")
KIND_UNKNOWN = _("неизвестный вид «%(value)s»; допустимо: %(allowed)s")
AREA_UNKNOWN = _("неизвестная область компетенций «%(value)s»; допустимо: %(allowed)s")
PARENT_UNKNOWN = _("родитель «%(code)s» не найден среди кодов файла")
PARENT_SELF = _("элемент указан родителем самого себя")
PARENT_CYCLE = _("родители образуют цикл: %(chain)s")

# The register's names for what the XML holds; shown in messages as they appear in the file.
_KIND_ELEMENTS = {
    NodeKind.LABOUR_ACTION: ("LaborActions", "LaborAction", "ТД"),
    NodeKind.SKILL: ("RequiredSkills", "RequiredSkill", "НУ"),
    NodeKind.KNOWLEDGE: ("NecessaryKnowledges", "NecessaryKnowledge", "НЗ"),
}


class FrameworkFileError(FileError):
    """The file cannot be imported; ``messages`` list every problem, each with its place."""


@dataclass
class ParsedNode:
    """A node as read from a file: natural code, parent code, kind, title, areas and where it was."""

    code: str
    parent_code: str
    kind: str
    title: str
    areas: list[str]
    place: str

    @property
    def kind_label(self) -> str:
        return str(NodeKind(self.kind).label) if self.kind in NodeKind.values else self.kind

    @property
    def area_labels(self) -> str:
        return ", ".join(str(CompetenceArea(a).label) for a in self.areas)


@dataclass
class ParsedFramework:
    """What a file holds: the standard's name and number (XML) and the nodes in file order."""

    name: str = ""
    registration_number: str = ""
    order: str = ""
    nodes: list[ParsedNode] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for node in self.nodes:
            found[node.kind] = found.get(node.kind, 0) + 1
        return found

    def kind_counts(self) -> list[tuple[str, int]]:
        counts = self.counts()
        return [(str(label), counts[value]) for value, label in NodeKind.choices if value in counts]


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = element.find(name)
    return found


def _place(element: etree._Element, what: str) -> str:
    return str(_("строка %(line)s, %(what)s")) % {"line": element.sourceline, "what": what}


def parse_standard_xml(content: bytes) -> ParsedFramework:
    """The professional standard of the register's XML as a tree: generalised functions (code «A»), labour
    functions («A/01.6»), and under each its labour actions («A/01.6.ТД.1»), skills («.НУ.») and knowledge
    («.НЗ.»), numbered in file order. Raises :class:`FrameworkFileError` with every problem found."""
    if not content or not content.strip():
        raise FrameworkFileError(XML_EMPTY)
    if len(content) > MAX_XML_BYTES:
        raise FrameworkFileError(XML_TOO_BIG % {"max": MAX_XML_BYTES // MB})
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else "?"
        raise FrameworkFileError(XML_BROKEN % {"reason": error.msg, "line": line}) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise FrameworkFileError(XML_DOCTYPE)
    standards = [root] if root.tag == "ProfessionalStandart" else root.findall(".//ProfessionalStandart")
    if not standards:
        raise FrameworkFileError(XML_NO_STANDARD)
    if len(standards) > 1:
        raise FrameworkFileError(XML_SEVERAL_STANDARDS % {"count": len(standards)})
    standard = standards[0]
    parsed = ParsedFramework(
        name=_text(_child(standard, "NameProfessionalStandart")),
        registration_number=_text(_child(standard, "RegistrationNumber")),
        order=_text(_child(standard, "OrderNumber")),
    )
    functions = standard.findall(".//GeneralizedWorkFunction")
    if not functions:
        raise FrameworkFileError(XML_NO_FUNCTIONS)
    problems: list[str] = []
    for g_index, generalised in enumerate(functions, start=1):
        g_code = _text(_child(generalised, "CodeOTF"))
        g_name = _text(_child(generalised, "NameOTF"))
        g_what = f"GeneralizedWorkFunction № {g_index}" + (f" ({g_code})" if g_code else "")
        for element, value in (("CodeOTF", g_code), ("NameOTF", g_name)):
            if not value:
                problems.append(f"{_place(generalised, g_what)}: {XML_MISSING % {'element': element}}")
        parsed.nodes.append(
            ParsedNode(g_code, "", NodeKind.GENERALISED_FUNCTION, g_name, [], _place(generalised, g_what))
        )
        for t_index, particular in enumerate(generalised.findall(".//ParticularWorkFunction"), start=1):
            t_code = _text(_child(particular, "CodeTF"))
            t_name = _text(_child(particular, "NameTF"))
            if t_code and "/" not in t_code and g_code:
                t_code = f"{g_code}/{t_code}"  # some files give «01.6» under «A»
            t_what = (
                f"ParticularWorkFunction № {t_index}" + (f" ({t_code})" if t_code else "") + f" в {g_code or g_index}"
            )
            t_place = _place(particular, t_what)
            for element, value in (("CodeTF", t_code), ("NameTF", t_name)):
                if not value:
                    problems.append(f"{t_place}: {XML_MISSING % {'element': element}}")
            if t_code and g_code and code_key(t_code.split("/")[0]) != code_key(g_code):
                problems.append(f"{t_place}: {XML_TF_OUTSIDE % {'code': t_code, 'parent': g_code}}")
            parsed.nodes.append(ParsedNode(t_code, g_code, NodeKind.LABOUR_FUNCTION, t_name, [], t_place))
            for kind, (container, item, abbreviation) in _KIND_ELEMENTS.items():
                box = _child(particular, container)
                if box is None:
                    continue
                number = 0
                for entry in box.findall(item):
                    text = _text(entry)
                    if not text:
                        continue  # the register's files carry empty placeholders
                    number += 1
                    parsed.nodes.append(
                        ParsedNode(
                            f"{t_code}.{abbreviation}.{number}",
                            t_code,
                            kind,
                            text,
                            [],
                            _place(entry, f"{item} № {number} в {t_code or t_index}"),
                        )
                    )
    problems.extend(check_tree(parsed.nodes))
    if problems:
        raise FrameworkFileError(*problems)
    return parsed


# The spreadsheet tree -------------------------------------------------------------------------------------

TREE_COLUMNS = (
    ColumnSpec(
        "code", "Код", ("Код элемента", "Шифр", "Код показателя"), _("Уникальный код элемента в рамке."), "ПМ-М.1", True
    ),
    ColumnSpec(
        "parent", "Код родителя", ("Родитель", "Входит в", "Код раздела"), _("Пусто — элемент верхнего уровня."), "ПМ-М"
    ),
    ColumnSpec("kind", "Вид", ("Тип", "Вид элемента"), _("Раздел, показатель, трудовая функция …"), "показатель", True),
    ColumnSpec(
        "title",
        "Формулировка",
        ("Наименование", "Название", "Содержание", "Текст"),
        _("Текст показателя."),
        "Подбирает задания, проверяющие умение строить математическую модель ситуации",
        True,
    ),
    ColumnSpec(
        "areas",
        "Области компетенций",
        ("Области", "Область", "Область компетенций"),
        _(
            "Через запятую: предметная, методическая, психолого-педагогическая, коммуникативная, цифровая, "
            "управленческая."
        ),
        "предметная, методическая",
    ),
)
_KIND_NAMES = {normalise(label): value for value, label in NodeKind.choices} | {
    normalise(value): value for value in NodeKind.values
}
_KIND_NAMES |= {"умение": NodeKind.SKILL, "знание": NodeKind.KNOWLEDGE, "отф": NodeKind.GENERALISED_FUNCTION}
_KIND_NAMES |= {"тф": NodeKind.LABOUR_FUNCTION, "тд": NodeKind.LABOUR_ACTION, "группа": NodeKind.GROUP}
_AREA_NAMES = {normalise(label): value for value, label in CompetenceArea.choices} | {
    normalise(value): value for value in CompetenceArea.values
}
_AREA_NAMES |= {
    "психолого педагогическая": CompetenceArea.PSYCHOLOGICAL,
    "психологическая": CompetenceArea.PSYCHOLOGICAL,
}


def _allowed(choices: Sequence[tuple[str, object]]) -> str:
    return ", ".join(f"«{label}»" for _value, label in choices)


def parse_areas(text: str) -> tuple[list[str], list[str]]:
    """«методическая, цифровая» → (["methodological", "digital"], unknown names)."""
    areas: list[str] = []
    unknown: list[str] = []
    for item in text.replace(";", ",").split(","):
        name = normalise(item)
        if not name:
            continue
        value = _AREA_NAMES.get(name)
        if value is None:
            unknown.append(item.strip())
        elif value not in areas:
            areas.append(value)
    return areas, unknown


def parse_tree_sheet(content: bytes, filename: str) -> ParsedFramework:
    """The spreadsheet tree (XLSX or CSV): one row per node. Raises :class:`FrameworkFileError` with every
    bad row (line, column, reason)."""
    try:
        table = read_table(content=content, filename=filename, columns=TREE_COLUMNS, limits=TREE_LIMITS)
    except FrameworkFileError:
        raise
    except FileError as error:
        raise FrameworkFileError(*error.messages) from None
    missing = [c.title for c in TREE_COLUMNS if c.required and not table.has(c.key)]
    if missing:
        raise FrameworkFileError(*(NO_COLUMN % {"column": title} for title in missing))
    parsed = ParsedFramework(notes=list(table.notes))
    problems: list[str] = []
    titles = {c.key: c.title for c in TREE_COLUMNS}
    for row in table.rows:
        code, parent, kind_text, title = row.text("code"), row.text("parent"), row.text("kind"), row.text("title")
        line = str(_("строка %(line)s")) % {"line": row.line}

        def bad(column: str, reason: str, *, line: str = line) -> None:
            problems.append(f"{line}, «{titles[column]}»: {reason}")

        kind = _KIND_NAMES.get(normalise(kind_text), "")
        if not kind:
            bad("kind", str(KIND_UNKNOWN % {"value": kind_text, "allowed": _allowed(NodeKind.choices)}))
        areas, unknown = parse_areas(row.text("areas"))
        for name in unknown:
            bad("areas", str(AREA_UNKNOWN % {"value": name, "allowed": _allowed(CompetenceArea.choices)}))
        parsed.nodes.append(ParsedNode(code, parent, kind, title, areas, line))
    if not parsed.nodes:
        raise FrameworkFileError(NO_ROWS)
    problems.extend(
        check_tree(
            parsed.nodes, code_column=titles["code"], parent_column=titles["parent"], title_column=titles["title"]
        )
    )
    if problems:
        raise FrameworkFileError(*sorted(problems, key=_line_order))
    return parsed


def _line_order(message: str) -> tuple[int, str]:
    digits = "".join(c for c in message.split(",")[0] if c.isdigit())
    return (int(digits) if digits else 0, message)


def check_tree(
    nodes: Sequence[ParsedNode], *, code_column: str = "", parent_column: str = "", title_column: str = ""
) -> list[str]:
    """Every problem of the tree as a whole: codes empty, too long or repeated (compared as ``code_key``),
    unknown parents, cycles, empty or too long titles; each message starts with the node's place."""

    def where(node: ParsedNode, column: str) -> str:
        return f"{node.place}, «{column}»" if column else node.place

    problems: list[str] = []
    if len(nodes) > MAX_NODES:
        return [str(TOO_MANY_NODES % {"max": MAX_NODES})]
    seen: dict[str, ParsedNode] = {}
    for node in nodes:
        if not node.code:
            problems.append(f"{where(node, code_column)}: {CODE_EMPTY}")
            continue
        if len(node.code) > CODE_MAX:
            problems.append(f"{where(node, code_column)}: {CODE_TOO_LONG % {'max': CODE_MAX}}")
        key = code_key(node.code)
        if key in seen:
            problems.append(
                f"{where(node, code_column)}: {CODE_REPEATED % {'code': node.code, 'place': seen[key].place}}"
            )
        else:
            seen[key] = node
        if not node.title:
            problems.append(f"{where(node, title_column)}: {TITLE_EMPTY}")
        elif len(node.title) > TITLE_MAX:
            problems.append(f"{where(node, title_column)}: {TITLE_TOO_LONG % {'max': TITLE_MAX}}")
    for node in nodes:
        if not node.parent_code or not node.code:
            continue
        parent_key = code_key(node.parent_code)
        if parent_key == code_key(node.code):
            problems.append(f"{where(node, parent_column)}: {PARENT_SELF}")
        elif parent_key not in seen:
            problems.append(f"{where(node, parent_column)}: {PARENT_UNKNOWN % {'code': node.parent_code}}")
    reported: set[str] = set()
    for node in nodes:  # cycles: walk up from every node; a chain longer than the tree is a cycle
        if not node.code or not node.parent_code or code_key(node.parent_code) == code_key(node.code):
            continue
        chain = [node.code]
        current = node
        while current.parent_code and code_key(current.parent_code) in seen:
            current = seen[code_key(current.parent_code)]
            if current.code in chain:
                cycle = chain[chain.index(current.code) :] + [current.code]
                if not reported.intersection(cycle):
                    problems.append(f"{where(node, parent_column)}: {PARENT_CYCLE % {'chain': ' → '.join(cycle)}}")
                    reported.update(cycle)
                break
            chain.append(current.code)
    return problems


# The template ---------------------------------------------------------------------------------------------

_TEMPLATE_EXAMPLE = [
    ("ПМ-М", "", "раздел", "Предметно-методические показатели учителя математики", "предметная, методическая"),
    (
        "ПМ-М.1",
        "ПМ-М",
        "показатель",
        "Подбирает задания, проверяющие умение строить математическую модель ситуации",
        "",
    ),
    ("ПМ-М.2", "ПМ-М", "показатель", "Учит проверять решение на соответствие условию и правдоподобие", ""),
]
_TEMPLATE_NOTES = [
    _("Одна строка — один элемент рамки: раздел, показатель, трудовая функция, действие, умение или знание."),
    _(
        "«Код» — уникальный код элемента в рамке (например, «ПМ-М.1»): по нему задания оценочных процедур "
        "ссылаются на показатели."
    ),
    _("«Код родителя» — код элемента, в который входит строка; у элементов верхнего уровня оставьте пустым."),
    _(
        "«Вид» — одно из: раздел, показатель, обобщённая трудовая функция, трудовая функция, трудовое действие, "
        "необходимое умение, необходимое знание."
    ),
    _("«Области компетенций» — через запятую; область раздела действует и для всех его показателей."),
    _(
        "Строки-образцы замените своими. Файл с ошибками не загружается целиком: будет показан список строк "
        "с причинами."
    ),
]


def tree_template() -> bytes:
    """The XLSX template of a framework tree: the header, example rows, drop-down kinds, an instruction sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Рамка"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(TREE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for width, letter in zip((14, 16, 24, 80, 40), "ABCDE", strict=True):
        sheet.column_dimensions[letter].width = width
    for row_index, row in enumerate(_TEMPLATE_EXAMPLE, start=2):
        for index, value in enumerate(row, start=1):
            sheet.cell(row=row_index, column=index, value=value or None).number_format = "@"
    kinds = ",".join(str(label) for _v, label in NodeKind.choices)
    validation = DataValidation(type="list", formula1=f'"{kinds}"', allow_blank=True, showErrorMessage=False)
    validation.add("C2:C2000")
    sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(INSTRUCTION_SHEET)
    notes.column_dimensions["A"].width = 120
    notes["A1"] = str(_("Рамка компетенций: как заполнить"))
    notes["A1"].font = Font(bold=True, size=14)
    for row_index, note in enumerate(_TEMPLATE_NOTES, start=3):
        notes.cell(row=row_index, column=1, value=f"• {note}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
