"""Framework files: the register's XML of the standard and the spreadsheet tree — every bad row or element
reported with its place and a Russian reason, nothing written; hostile XML refused."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from metodist.competences import framework_files as ff
from metodist.competences import services
from metodist.competences.choices import CompetenceArea, FrameworkKind, NodeKind
from metodist.competences.models import CompetenceNode, Framework, FrameworkUpload
from metodist.competences.selectors import framework_tree
from metodist.competences.standard import DEFAULT_AREAS, STANDARD_FILE, load_professional_standard

pytestmark = pytest.mark.django_db

GOOD_XML = """<?xml version="1.0" encoding="UTF-8"?>
<XMLCardInfo><ProfessionalStandarts><ProfessionalStandart>
<NameProfessionalStandart>Педагог</NameProfessionalStandart><RegistrationNumber>1</RegistrationNumber>
<ThirdSection><WorkFunctions><GeneralizedWorkFunctions>
<GeneralizedWorkFunction><CodeOTF>A</CodeOTF><NameOTF>Обобщённая</NameOTF>
<ParticularWorkFunctions>
<ParticularWorkFunction><CodeTF>A/01.6</CodeTF><NameTF>Обучение</NameTF>
<LaborActions><LaborAction>Планирование уроков</LaborAction><LaborAction> </LaborAction>
<LaborAction>Проведение уроков</LaborAction></LaborActions>
<RequiredSkills><RequiredSkill>Владеть формами обучения</RequiredSkill></RequiredSkills>
<NecessaryKnowledges><NecessaryKnowledge>Методика</NecessaryKnowledge></NecessaryKnowledges>
</ParticularWorkFunction>
<ParticularWorkFunction><CodeTF>02.6</CodeTF><NameTF>Воспитание</NameTF></ParticularWorkFunction>
</ParticularWorkFunctions></GeneralizedWorkFunction>
</GeneralizedWorkFunctions></WorkFunctions></ThirdSection>
</ProfessionalStandart></ProfessionalStandarts></XMLCardInfo>"""


def _errors(call) -> list[str]:
    with pytest.raises(ff.FrameworkFileError) as error:
        call()
    return error.value.messages


# XML ----------------------------------------------------------------------------------------------------


def test_xml_becomes_the_tree_with_natural_codes():
    parsed = ff.parse_standard_xml(GOOD_XML.encode())
    assert [(n.code, n.parent_code, n.kind) for n in parsed.nodes] == [
        ("A", "", NodeKind.GENERALISED_FUNCTION),
        ("A/01.6", "A", NodeKind.LABOUR_FUNCTION),
        ("A/01.6.ТД.1", "A/01.6", NodeKind.LABOUR_ACTION),
        ("A/01.6.ТД.2", "A/01.6", NodeKind.LABOUR_ACTION),  # the empty placeholder is skipped
        ("A/01.6.НУ.1", "A/01.6", NodeKind.SKILL),
        ("A/01.6.НЗ.1", "A/01.6", NodeKind.KNOWLEDGE),
        ("A/02.6", "A", NodeKind.LABOUR_FUNCTION),  # «02.6» under «A»
    ]
    assert parsed.nodes[3].title == "Проведение уроков"
    assert parsed.name == "Педагог" and parsed.registration_number == "1"


def test_the_shipped_standard_has_the_structure_of_544n():
    parsed = ff.parse_standard_xml(STANDARD_FILE.read_bytes())
    functions = [n.code for n in parsed.nodes if n.kind == NodeKind.LABOUR_FUNCTION]
    assert functions == ["A/01.6", "A/02.6", "A/03.6", "B/01.5", "B/02.6", "B/03.6", "B/04.6", "B/05.6"]
    titles = {n.code: n.title for n in parsed.nodes}
    assert titles["A/01.6"] == "Общепедагогическая функция. Обучение"
    assert titles["A/02.6"] == "Воспитательная деятельность"
    assert titles["A/03.6"] == "Развивающая деятельность"
    a01_actions = [n.title for n in parsed.nodes if n.parent_code == "A/01.6" and n.kind == NodeKind.LABOUR_ACTION]
    assert any("Планирование уроков" in t for t in a01_actions)
    assert any("анализ" in t.lower() and "урок" in t for t in a01_actions)
    assert set(DEFAULT_AREAS) <= {n.code for n in parsed.nodes}  # every default tag names a real node


def test_loading_the_standard_twice_creates_it_once():
    first = load_professional_standard()
    assert load_professional_standard() == first
    assert first.nodes.count() == len(ff.parse_standard_xml(STANDARD_FILE.read_bytes()).nodes)
    tree = {item.node.code: item for item in framework_tree(first)}
    assert tree["A/01.6.ТД.3"].areas == [CompetenceArea.METHODOLOGICAL]  # inherited from A/01.6
    assert tree["B/04.6.НУ.5"].areas == [CompetenceArea.SUBJECT, CompetenceArea.METHODOLOGICAL, CompetenceArea.DIGITAL]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", ff.XML_EMPTY),
        (b"<a><b></a>", "Файл не читается как XML"),
        (b"<root><Other/></root>", ff.XML_NO_STANDARD),
        (
            b"<ProfessionalStandart><NameProfessionalStandart>x</NameProfessionalStandart></ProfessionalStandart>",
            ff.XML_NO_FUNCTIONS,
        ),
    ],
)
def test_bad_xml_files(content, expected):
    messages = _errors(lambda: ff.parse_standard_xml(content))
    assert str(expected) in messages[0] or messages[0].startswith(str(expected))


def test_every_bad_element_is_listed_with_its_line():
    xml = GOOD_XML.replace("<CodeOTF>A</CodeOTF>", "<CodeOTF></CodeOTF>").replace("<NameTF>Воспитание</NameTF>", "")
    messages = _errors(lambda: ff.parse_standard_xml(xml.encode()))
    assert any(m.startswith("строка 5, GeneralizedWorkFunction № 1") and "CodeOTF" in m for m in messages)
    assert any("ParticularWorkFunction № 2" in m and "NameTF" in m for m in messages)


def test_codes_repeated_in_the_xml_are_refused():
    xml = GOOD_XML.replace("<CodeTF>02.6</CodeTF>", "<CodeTF>A/01.6</CodeTF>")
    messages = _errors(lambda: ff.parse_standard_xml(xml.encode()))
    assert any("код «A/01.6» уже встречается" in m for m in messages)


def test_a_labour_function_under_the_wrong_generalised_function():
    xml = GOOD_XML.replace("<CodeTF>02.6</CodeTF>", "<CodeTF>B/02.6</CodeTF>")
    messages = _errors(lambda: ff.parse_standard_xml(xml.encode()))
    assert any("не относится к обобщённой функции «A»" in m for m in messages)


def test_external_entities_and_entity_bombs_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("СЕКРЕТ")
    xxe = f"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>
<ProfessionalStandart><NameProfessionalStandart>&s;</NameProfessionalStandart></ProfessionalStandart>"""
    bomb = """<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<ProfessionalStandart>&d;</ProfessionalStandart>"""
    for content in (xxe, bomb):
        messages = _errors(lambda content=content: ff.parse_standard_xml(content.encode()))
        assert messages == [str(ff.XML_DOCTYPE)]
        assert "СЕКРЕТ" not in " ".join(messages)


def test_a_huge_file_is_refused_before_parsing():
    content = b"<ProfessionalStandart>" + b" " * (ff.MAX_XML_BYTES + 1) + b"</ProfessionalStandart>"
    assert _errors(lambda: ff.parse_standard_xml(content)) == [str(ff.XML_TOO_BIG % {"max": 5})]


# The spreadsheet tree -------------------------------------------------------------------------------------


def _xlsx(rows, header=("Код", "Код родителя", "Вид", "Формулировка", "Области компетенций")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_template_reads_back_as_a_valid_tree():
    template = ff.tree_template()
    book = load_workbook(io.BytesIO(template))
    assert book.sheetnames == ["Рамка", "Инструкция"]
    parsed = ff.parse_tree_sheet(template, "shablon.xlsx")
    assert [(n.code, n.parent_code, n.kind) for n in parsed.nodes] == [
        ("ПМ-М", "", NodeKind.GROUP),
        ("ПМ-М.1", "ПМ-М", NodeKind.INDICATOR),
        ("ПМ-М.2", "ПМ-М", NodeKind.INDICATOR),
    ]
    assert parsed.nodes[0].areas == [CompetenceArea.SUBJECT, CompetenceArea.METHODOLOGICAL]


def test_every_bad_row_is_listed_with_line_column_and_reason():
    content = _xlsx(
        [
            ("Р", "", "раздел", "Раздел", ""),
            ("Р.1", "Р", "показательь", "Первый", "методическая"),  # line 3: unknown kind
            ("Р.2", "НЕТ", "показатель", "Второй", "волшебная"),  # line 4: unknown parent and area
            ("р.1", "Р", "показатель", "Дубль", ""),  # line 5: a repeated code (case does not matter)
            ("", "Р", "показатель", "Без кода", ""),  # line 6
            ("Р.3", "Р", "показатель", "", ""),  # line 7: no title
            ("Ц.1", "Ц.2", "показатель", "Цикл", ""),  # lines 8-9: a cycle
            ("Ц.2", "Ц.1", "показатель", "Цикл", ""),
        ]
    )
    messages = _errors(lambda: ff.parse_tree_sheet(content, "tree.xlsx"))
    assert messages == [
        "строка 3, «Вид»: неизвестный вид «показательь»; допустимо: «обобщённая трудовая функция», «трудовая функция», "
        "«трудовое действие», «необходимое умение», «необходимое знание», «раздел», «показатель»",
        "строка 4, «Код родителя»: родитель «НЕТ» не найден среди кодов файла",
        "строка 4, «Области компетенций»: неизвестная область компетенций «волшебная»; допустимо: «предметная», "
        "«методическая», «психолого-педагогическая», «коммуникативная», «цифровая», «управленческая»",
        "строка 5, «Код»: код «р.1» уже встречается (строка 3)",
        "строка 6, «Код»: не указан код",
        "строка 7, «Формулировка»: не указана формулировка",
        "строка 8, «Код родителя»: родители образуют цикл: Ц.1 → Ц.2 → Ц.1",
    ]


def test_a_csv_in_windows_1251_and_missing_columns():
    csv = "Код;Родитель;Тип;Наименование;Области\nП;;раздел;Раздел;цифровая\nП.1;П;показатель;Текст;\n"
    parsed = ff.parse_tree_sheet(csv.encode("cp1251"), "tree.csv")
    assert [n.code for n in parsed.nodes] == ["П", "П.1"]
    assert _errors(lambda: ff.parse_tree_sheet("Код;Области\nП;\n".encode(), "t.csv")) == [
        "Нет обязательного столбца «Вид».",
        "Нет обязательного столбца «Формулировка».",
    ]


def test_import_writes_nothing_for_a_taken_version_and_keeps_areas_of_the_previous_one():
    parsed = ff.parse_tree_sheet(ff.tree_template(), "t.xlsx")
    first = services.framework_import(
        parsed=parsed, user=None, code="ПМ-М", version="1", name="", kind=FrameworkKind.OTHER
    )
    node = first.nodes.get(code="ПМ-М.1")
    node.areas = [CompetenceArea.DIGITAL]
    node.save()
    with pytest.raises(ValidationError) as error:
        services.framework_import(parsed=parsed, user=None, code="ПМ-М", version="1", name="", kind=FrameworkKind.OTHER)
    assert error.value.messages == [str(services.FRAMEWORK_VERSION_EXISTS % {"code": "ПМ-М", "version": "1"})]
    second = services.framework_import(
        parsed=parsed, user=None, code="ПМ-М", version="2", name="", kind=FrameworkKind.OTHER
    )
    assert second.nodes.get(code="ПМ-М.1").areas == [CompetenceArea.DIGITAL]
    assert Framework.objects.count() == 2 and CompetenceNode.objects.count() == 6


# The pages: upload → preview → load ---------------------------------------------------------------------


def test_methodologist_uploads_previews_and_loads_a_tree(client, world):
    client.force_login(world.users["methodologist"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("tree.xlsx", ff.tree_template())
    response = client.post(
        reverse("competences:framework_upload"),
        {
            "file": upload,
            "code": "ПМ-М",
            "version": "2026",
            "name": "Математика",
            "kind": "subject_methodological",
            "proficiency_threshold": "65",
        },
    )
    assert response.status_code == 302
    preview = client.get(response.url)
    assert preview.status_code == 200
    assert not Framework.objects.exists()  # nothing before the confirmation
    assert "ПМ-М.2" in preview.content.decode()
    loaded = client.post(response.url)
    framework = Framework.objects.get()
    assert loaded.url == framework.get_absolute_url()
    assert framework.proficiency_threshold == 65 and framework.nodes.count() == 3
    assert not FrameworkUpload.objects.exists()


def test_a_bad_file_is_listed_and_nothing_is_stored(client, world):
    client.force_login(world.users["methodologist"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = _xlsx([("Р.1", "НЕТ", "показатель", "Текст", "")])
    response = client.post(
        reverse("competences:framework_upload"),
        {
            "file": SimpleUploadedFile("t.xlsx", content),
            "code": "X",
            "version": "1",
            "kind": "other",
            "proficiency_threshold": "60",
        },
    )
    assert response.status_code == 200
    assert "строка 2, «Код родителя»: родитель «НЕТ» не найден среди кодов файла" in response.content.decode()
    assert not FrameworkUpload.objects.exists() and not Framework.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "teacher", "observer"])
def test_only_methodologists_and_admin_import_and_edit(client, world, role):
    framework = load_professional_standard()
    client.force_login(world.users[role])
    assert client.get(reverse("competences:framework_upload")).status_code == 403
    assert client.get(reverse("competences:framework_edit", args=[framework.pk])).status_code == 403
    node = framework.nodes.first()
    assert client.post(reverse("competences:node_delete", args=[node.pk])).status_code == 403
    assert client.get(reverse("competences:framework_detail", args=[framework.pk])).status_code == 200


def test_someone_elses_upload_is_404(client, world):
    upload = FrameworkUpload.objects.create(user=world.users["admin"], filename="a.csv", content=b"x", params={})
    client.force_login(world.users["methodologist"])
    assert client.get(reverse("competences:framework_upload_preview", args=[upload.pk])).status_code == 404
