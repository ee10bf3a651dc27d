from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and uploaded files into one .tar file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="file to write (default: registry-backup-<time>.tar in the current directory)",
        )

    def handle(self, *args, output, **options):
        target = output or Path(f"registry-backup-{datetime.now():%Y%m%d-%H%M%S}.tar")
        try:
            self.stdout.write(str(backup(target)))
        except (BackupError, OSError) as error:
            raise CommandError(str(error))
