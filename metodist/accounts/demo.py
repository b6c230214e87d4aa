"""The accounts' part of the demo: one user of every role, each bound to a plausible person and scope.

The registry's part runs first (``DEMO_ORDER``): the users pick their people from the staff it made.
"""

from __future__ import annotations

from metodist.accounts.choices import ROLE_SCOPE_KIND, Role, ScopeKind
from metodist.accounts.models import RoleAssignment, User
from metodist.registry import models as registry
from metodist.registry.choices import EmploymentKind, Gender, PersonStatusKind, QualificationCategory
from metodist.registry.demo.context import DEMO_PASSWORD, DemoContext, StaffMember, days, random_full_name

DEMO_ORDER = 20

# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------

# (login, role): one demo user of every role.
DEMO_USERS: list[tuple[str, str]] = [
    ("admin", Role.ADMIN),
    ("methodist", Role.METHODOLOGIST),
    ("nachalnik", Role.OBSERVER),
    ("koordinator", Role.COORDINATOR),
    ("uchitel", Role.TEACHER),
    ("nastavnik", Role.MENTOR),
    ("ekspert", Role.EXPERT),
    ("rukovoditel_rmo", Role.ASSOCIATION_HEAD),
]
DEMO_USERNAMES = [login for login, _ in DEMO_USERS]


def _pick(members: list[StaffMember], predicate, what: str) -> StaffMember:
    for member in members:
        if predicate(member):
            return member
    raise LookupError(f"В демо-данных не нашлось: {what}")


def build(ctx: DemoContext) -> None:
    today = ctx.today
    gymnasium = ctx.plan("gymnasium").members
    imc = ctx.plan("imc").members
    others = [m for key in ("sosh4", "sosh2", "sosh3", "sosh5") for m in ctx.plan(key).members]
    c = QualificationCategory

    def has_status(member: StaffMember, kind: str) -> bool:
        return any(s.kind == kind for s in member.statuses)

    teacher = _pick(
        gymnasium,
        lambda m: m.slot.key in ("subject", "primary") and m.person.is_young(today),
        "молодой учитель гимназии",
    )
    mentor = next(
        (m for m in gymnasium if has_status(m, PersonStatusKind.TEACHER_MENTOR) and m.slot.group == teacher.slot.group),
        None,
    ) or _pick(gymnasium, lambda m: has_status(m, PersonStatusKind.TEACHER_MENTOR), "наставник гимназии")
    expert = next((m for m in others if has_status(m, PersonStatusKind.EXPERT)), None) or _pick(
        others, lambda m: m.slot.key == "subject" and m.main.category == c.HIGHEST, "эксперт"
    )
    if not has_status(expert, PersonStatusKind.EXPERT):
        status = registry.PersonStatus(person=expert.person, kind=PersonStatusKind.EXPERT, since=today - days(400))
        status.save()
        expert.statuses.append(status)
    head = _pick(
        [m for m in others if m is not expert],
        lambda m: m.slot.group == "maths" and m.main.category in (c.HIGHEST, c.METHODIST) and m.experience(today) >= 15,
        "руководитель РМО учителей математики",
    )
    people: dict[str, StaffMember | None] = {
        "admin": None,
        "methodist": _pick(imc, lambda m: m.slot.key == "methodist", "методист ИМЦ"),
        "nachalnik": None,
        "koordinator": _pick(gymnasium, lambda m: m.slot.key == "deputy", "заместитель директора гимназии"),
        "uchitel": teacher,
        "nastavnik": mentor,
        "ekspert": expert,
        "rukovoditel_rmo": head,
    }
    scope = {
        "methodist": {"territory": ctx.municipality},
        "nachalnik": {"territory": ctx.region},
        "koordinator": {"organisation": ctx.plan("gymnasium").organisation},
    }
    for login, role in DEMO_USERS:
        member = people[login]
        if member is not None:
            first, last = member.person.first_name, member.person.last_name
        elif login == "admin":
            first, last = "Администратор", "системы"
        else:
            last, first, _ = random_full_name(ctx.rng, Gender.FEMALE, 1972)
        user = User(
            username=login,
            first_name=first,
            last_name=last,
            email=f"{login}@svetlogorsk-edu.example",
            person=member.person if member else None,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        RoleAssignment.objects.create(user=user, role=role, **scope.get(login, {}))
        ctx.users[login] = user


def delete() -> None:
    User.objects.filter(username__in=DEMO_USERNAMES).delete()


def login_rows() -> list[tuple[str, str, str, str]]:
    """(login, password, role, scope) of every demo user that exists."""
    users = (
        User.objects.filter(username__in=DEMO_USERNAMES)
        .select_related("person")
        .prefetch_related("role_assignments__territory", "role_assignments__organisation")
    )
    by_name = {u.username: u for u in users}
    rows = []
    for login in DEMO_USERNAMES:
        user = by_name.get(login)
        if user is None:
            continue
        for assignment in user.role_assignments.all():
            kind = ROLE_SCOPE_KIND[assignment.role]
            if kind == ScopeKind.GLOBAL:
                scope = "вся система"
            elif kind == ScopeKind.TERRITORY:
                scope = str(assignment.territory)
            elif kind == ScopeKind.ORGANISATION:
                scope = str(assignment.organisation)
            else:
                person = user.person
                place = ""
                if person is not None:
                    job = person.employments.filter(kind=EmploymentKind.MAIN, end_date__isnull=True).first()
                    place = f", {job.organisation}" if job else ""
                scope = f"свой профиль: {person.short_name if person else '—'}{place}"
            rows.append((login, DEMO_PASSWORD, assignment.get_role_display(), scope))
    return rows
