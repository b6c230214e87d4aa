"""The test world: two municipalities, three organisations, a person in each, a user of every role.

    region R
      municipality M1: organisation A (person pa, the teacher; pa2), organisation B (person pb)
      municipality M2: organisation C (person pc)

Every role's in-scope and out-of-scope people are listed in ``World.expect`` so that permission tests
are written once, as data, for every role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from metodist.accounts.choices import Role
from metodist.accounts.models import User
from metodist.accounts.tests.factories import user_with_role
from metodist.registry import models as registry
from metodist.registry.tests.factories import (
    EmploymentFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    RegionFactory,
)


@dataclass
class World:
    region: registry.Territory
    m1: registry.Territory
    m2: registry.Territory
    org_a: registry.Organisation
    org_b: registry.Organisation
    org_c: registry.Organisation
    pa: registry.Person
    pa2: registry.Person
    pb: registry.Person
    pc: registry.Person
    users: dict[str, User] = field(default_factory=dict)

    def people(self) -> dict[str, registry.Person]:
        return {"pa": self.pa, "pa2": self.pa2, "pb": self.pb, "pc": self.pc}

    def organisations(self) -> dict[str, registry.Organisation]:
        return {"org_a": self.org_a, "org_b": self.org_b, "org_c": self.org_c}


# For each user of the world: which people and organisations they may see, and whether they may
# change, export and import registry data. Everything else must be invisible (404 on detail pages).
EXPECTED_SCOPE: dict[str, dict] = {
    "admin": {"people": {"pa", "pa2", "pb", "pc"}, "orgs": {"org_a", "org_b", "org_c"}, "change": True, "export": True},
    "methodologist": {"people": {"pa", "pa2", "pb"}, "orgs": {"org_a", "org_b"}, "change": True, "export": True},
    "observer": {"people": {"pa", "pa2", "pb"}, "orgs": {"org_a", "org_b"}, "change": False, "export": True},
    "region_observer": {
        "people": {"pa", "pa2", "pb", "pc"},
        "orgs": {"org_a", "org_b", "org_c"},
        "change": False,
        "export": True,
    },
    "coordinator": {"people": {"pa", "pa2"}, "orgs": {"org_a"}, "change": True, "export": True},
    "teacher": {"people": {"pa"}, "orgs": {"org_a"}, "change": False, "export": False},
    "mentor": {"people": {"pa2"}, "orgs": {"org_a"}, "change": False, "export": False},
    "expert": {"people": {"pb"}, "orgs": {"org_b"}, "change": False, "export": False},
    "association_head": {"people": {"pc"}, "orgs": {"org_c"}, "change": False, "export": False},
    "nobody": {"people": set(), "orgs": set(), "change": False, "export": False},
}


def build_world() -> World:
    region = RegionFactory(name="Тестовая область")
    m1 = MunicipalityFactory(name="Первый район", parent=region)
    m2 = MunicipalityFactory(name="Второй район", parent=region)
    org_a = OrganisationFactory(territory=m1, short_name="Школа А")
    org_b = OrganisationFactory(territory=m1, short_name="Школа Б")
    org_c = OrganisationFactory(territory=m2, short_name="Школа В")
    pa = PersonFactory(last_name="Аничкова")
    pa2 = PersonFactory(last_name="Архипова")
    pb = PersonFactory(last_name="Борисова")
    pc = PersonFactory(last_name="Васильева")
    for person, org in ((pa, org_a), (pa2, org_a), (pb, org_b), (pc, org_c)):
        EmploymentFactory(person=person, organisation=org)
    world = World(region, m1, m2, org_a, org_b, org_c, pa, pa2, pb, pc)
    world.users = {
        "admin": user_with_role(Role.ADMIN, username="admin"),
        "methodologist": user_with_role(Role.METHODOLOGIST, territory=m1, username="methodologist"),
        "observer": user_with_role(Role.OBSERVER, territory=m1, username="observer"),
        "region_observer": user_with_role(Role.OBSERVER, territory=region, username="region_observer"),
        "coordinator": user_with_role(Role.COORDINATOR, organisation=org_a, username="coordinator"),
        "teacher": user_with_role(Role.TEACHER, person=pa, username="teacher"),
        "mentor": user_with_role(Role.MENTOR, person=pa2, username="mentor"),
        "expert": user_with_role(Role.EXPERT, person=pb, username="expert"),
        "association_head": user_with_role(Role.ASSOCIATION_HEAD, person=pc, username="association_head"),
        "nobody": User.objects.create_user(username="nobody", password="x"),
    }
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


def cold_caches() -> None:
    """Forget cached counts (metodist.core.counts), so that a query-count test compares two cold requests:
    a warm one reads the tables' versions instead of counting."""
    from django.core.cache import cache

    cache.clear()
