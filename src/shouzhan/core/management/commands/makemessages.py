"""Django's makemessages, also reading the project's `_l` (`gettext_lazy as _l`, the lazy strings of models,
forms and case types): without it `make messages --no-obsolete` would drop their translations."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
