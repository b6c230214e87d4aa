"""The professional standard «Педагог» (приказ Минтруда России от 18.10.2013 № 544н) shipped with Metodist.

``data/professional_standard_pedagog.xml`` has the structure of the federal register's XML (``XMLCardInfo →
ProfessionalStandarts → ProfessionalStandart → … → GeneralizedWorkFunction → ParticularWorkFunction``) with
the standard's generalised functions A and B, labour functions A/01.6 … A/03.6 and B/01.5 … B/05.6 and
their labour actions, skills and knowledge, worded after the standard. :func:`load_professional_standard`
imports it (``manage.py competences_load_standard``, the demo) with the default competence areas below,
which methodologists may change on the framework's page.

Node codes: «A», «A/01.6», and under a labour function «A/01.6.ТД.3» (третье трудовое действие),
«A/01.6.НУ.1» (необходимое умение), «A/01.6.НЗ.2» (необходимое знание).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .choices import CompetenceArea, FrameworkKind
from .framework_files import parse_standard_xml
from .models import Framework

if TYPE_CHECKING:
    from metodist.accounts.models import User

STANDARD_FILE = Path(__file__).parent / "data" / "professional_standard_pedagog.xml"
STANDARD_CODE = "ПС 01.001"
STANDARD_VERSION = "544н"
STANDARD_NAME = "Профессиональный стандарт «Педагог»"
STANDARD_SOURCE = "Приказ Минтруда России от 18.10.2013 № 544н"

_S, _M, _P, _C, _D, _G = (
    CompetenceArea.SUBJECT,
    CompetenceArea.METHODOLOGICAL,
    CompetenceArea.PSYCHOLOGICAL,
    CompetenceArea.COMMUNICATIVE,
    CompetenceArea.DIGITAL,
    CompetenceArea.MANAGERIAL,
)
# Areas are inherited down the tree: a labour function's areas hold for its actions, skills and knowledge.
DEFAULT_AREAS: dict[str, list[str]] = {
    "A/01.6": [_M],
    "A/01.6.ТД.2": [_G],
    "A/01.6.ТД.8": [_D],
    "A/01.6.НУ.5": [_D],
    "A/01.6.НЗ.1": [_S],
    "A/01.6.НЗ.5": [_S],
    "A/02.6": [_P, _C],
    "A/03.6": [_P],
    "A/03.6.ТД.6": [_C],
    "B/01.5": [_M],
    "B/01.5.НУ.3": [_D],
    "B/02.6": [_M],
    "B/02.6.НУ.3": [_C],
    "B/03.6": [_M],
    "B/03.6.НУ.1": [_D],
    "B/03.6.НЗ.2": [_S],
    "B/04.6": [_S, _M],
    "B/04.6.НУ.5": [_D],
    "B/05.6": [_S, _M],
    "B/05.6.НУ.3": [_C],
}


def load_professional_standard(*, user: User | None = None) -> Framework:
    """Import the shipped standard, or return it if this version is already loaded."""
    from .services import framework_import

    existing: Framework | None = Framework.objects.filter(code=STANDARD_CODE, version=STANDARD_VERSION).first()
    if existing is not None:
        return existing
    parsed = parse_standard_xml(STANDARD_FILE.read_bytes())
    return framework_import(
        parsed=parsed,
        user=user,
        code=STANDARD_CODE,
        version=STANDARD_VERSION,
        name=STANDARD_NAME,
        kind=FrameworkKind.PROFESSIONAL_STANDARD,
        source=STANDARD_SOURCE,
        default_areas=DEFAULT_AREAS,
    )
