from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo.builder import load_demo
from demo.dataset import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the illustrative Aalborg Kommune demo data set (idempotent: existing records are kept)."

    def handle(self, *args, **options):
        # The demo users' password is "demo": never on an installation running with DEBUG off (production).
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                _(
                    "Refusing to load the demo data with DJANGO_DEBUG off: it creates users with the password "
                    "“%s”. Run it on a development installation (DJANGO_DEBUG=1)."
                )
                % DEMO_PASSWORD
            )
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
