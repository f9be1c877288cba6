"""Publish the shipped chains and targets (`make run` runs it through the demo); nothing when unchanged."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shouzhan.core.actors import system_actor
from shouzhan.insight.services.data import insight_data_load


class Command(BaseCommand):
    help = "Publish insight's chain files and targets file (a new version only where a file changed)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = insight_data_load(actor=system_actor("insight-load"))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"chains published: {counts['chains']}, targets published: {counts['targets']}")
