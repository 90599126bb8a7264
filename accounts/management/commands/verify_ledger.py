from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import ledger_mismatches


class Command(BaseCommand):
    help = "Recompute every credit account from its ledger entries; exit non-zero on any mismatch."

    def handle(self, *args, **options):
        mismatches = ledger_mismatches()
        for mismatch in mismatches:
            self.stderr.write(str(mismatch))
        if mismatches:
            raise CommandError(f"{len(mismatches)} ledger mismatch(es)")
        self.stdout.write(self.style.SUCCESS("Ledger clean: every balance matches its entries."))
