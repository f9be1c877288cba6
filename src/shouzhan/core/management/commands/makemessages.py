"""makemessages that also extracts strings marked with the `_l` alias of gettext_lazy."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
