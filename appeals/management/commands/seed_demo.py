from django.core.management import call_command
from django.db import transaction

from accounts.demo import PASSWORD, seed_accounts
from accounts.management.demo_guard import DemoDataCommand
from appeals.demo import seed_appeals


class Command(DemoDataCommand):
    help = "Create demo logins and data replaying DOMAIN.md's cases, with appeals in the queue. Idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            rows, created_now = seed_accounts()
            seed_appeals(created_now)
            # the platform's demo key (integrations), under the same guard
            call_command("seed_demo_client", stdout=self.stdout, not_production=options["not_production"])
        self.stdout.write(f"Demo logins (password for all: {PASSWORD}):")
        for username, role, story in rows:
            self.stdout.write(f"  {username:<11} {role:<11} {story}")
