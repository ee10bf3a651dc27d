from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from demo.builder import load_demo
from demo.dataset import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the illustrative Aalborg Kommune demo data set (idempotent: existing records are kept)."

    def handle(self, *args, **options):
        report = load_demo()
        if report.total == 0:
            self.stdout.write(_("Demo data already loaded; nothing changed."))
            return
        for name, count in sorted(report.created.items()):
            self.stdout.write(f"  {count:4d} {name}")
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data loaded. Demo users: demo-viewer, demo-editor, demo-administrator (password: %s).")
                % DEMO_PASSWORD
            )
        )
