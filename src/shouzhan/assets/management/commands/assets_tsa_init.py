"""`manage.py assets_tsa_init`: make the platform's own time-stamping authority if it is missing (#18)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shouzhan.assets.tsa import TsaError, tsa_ensure


class Command(BaseCommand):
    help = "Make the embedded RFC 3161 time-stamping authority (root CA, TSA certificate) if missing; print its files."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            files = tsa_ensure()
        except TsaError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("时间戳服务（RFC 3161）已就绪：%(dir)s") % {"dir": files.directory})
        rows = [
            (_("根证书"), files.root_cert),
            (_("根证书私钥（请离线备份）"), files.root_key),
            (_("时间戳证书"), files.tsa_cert),
            (_("时间戳私钥"), files.tsa_key),
            (_("证书链（供第三方下载验证）"), files.chain),
            (_("openssl 配置"), files.config),
            (_("序列号文件"), files.serial),
        ]
        for label, path in rows:
            self.stdout.write(f"  {label}: {path}")
