from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database and uploaded files from a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the current data")

    def handle(self, *args, backup, yes, **options):
        if not backup.is_file():
            raise CommandError(f"No such file: {backup}")
        if not yes and input("This replaces the whole database and all uploaded files. Type 'yes': ") != "yes":
            raise CommandError("Restore cancelled.")
        try:
            restore(backup)
        except (BackupError, OSError) as error:
            raise CommandError(str(error))
        self.stdout.write(self.style.SUCCESS(f"Restored from {backup}."))
