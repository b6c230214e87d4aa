"""``manage.py demo_seed``: load the demo municipality once and print a login for every role."""

import time

from django.core.management.base import BaseCommand, CommandError

from metodist.demo import generator


class Command(BaseCommand):
    help = "Загружает демо-муниципалитет (организации, педагоги, классы, пользователи всех ролей)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Удалить демо-данные и создать заново.")
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED, help="Зерно генератора.")

    def handle(self, *args, reset: bool = False, seed: int = generator.DEFAULT_SEED, **options):
        if generator.demo_exists():
            if not reset:
                self.stdout.write("Демо-данные уже загружены.")
                self.print_logins()
                return
            generator.delete_demo()
            self.stdout.write("Демо-данные удалены.")
        started = time.monotonic()
        try:
            ctx = generator.generate_demo(seed=seed)
        except LookupError as error:
            raise CommandError(str(error)) from error
        people = {id(m.person) for m in ctx.staff}
        employments = sum(len(m.employments) for m in ctx.staff)
        courses = sum(len(m.courses) for m in ctx.staff)
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-данные загружены за {time.monotonic() - started:.1f} с: {ctx.region}, {ctx.municipality}; "
                f"организаций — {len(ctx.plans)}, педагогов — {len(people)}, мест работы — {employments}, "
                f"курсов — {courses}, классов — {len(ctx.classes)}, записей нагрузки — {len(ctx.assignments)}."
            )
        )
        self.print_logins()

    def print_logins(self) -> None:
        rows = generator.login_rows()
        self.stdout.write("")
        self.stdout.write(generator.format_table(("Логин", "Пароль", "Роль", "Область доступа"), rows))
        self.stdout.write("")
