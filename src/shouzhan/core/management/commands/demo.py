"""`shouzhan demo`: load the policy catalogue (when the policies module is installed) and the demo district."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from shouzhan.demo_data import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo district (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("catalogue_load", stdout=self.stdout)
        result = load_demo()
        for module in ("cases", "spaces", "ledger", "community"):
            # Each module may add its part of the demo district in `shouzhan.<module>.demo.load_demo()`.
            try:
                demo = importlib.import_module(f"shouzhan.{module}.demo")
            except ModuleNotFoundError:
                continue
            summary = demo.load_demo()
            if summary:
                self.stdout.write(str(summary))
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪：{result['enterprises']} 家企业，{result['patents']} 项专利。"
            )
        )
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）/ demo logins (password {DEMO_PASSWORD}):")
        for login in result["logins"]:
            self.stdout.write(f"  {login.mobile}  {login.name:<16} {login.note}")
        self.stdout.write("")
