"""`shouzhan demo`: load the policy catalogue and the demo district, then each module's part of it."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from shouzhan.assets import demo as assets_demo
from shouzhan.cases import demo as cases_demo
from shouzhan.community import demo as community_demo
from shouzhan.frontline import demo as frontline_demo
from shouzhan.insight import demo as insight_demo
from shouzhan.ledger import demo as ledger_demo
from shouzhan.offers import demo as offers_demo
from shouzhan.patrols import demo as patrols_demo
from shouzhan.site.demo_data import DEMO_PASSWORD, load_demo, load_history
from shouzhan.spaces import demo as spaces_demo
from shouzhan.talent import demo as talent_demo

# Each module adds its part of the district (its demo.load_demo()), in this order: spaces and
# vouchers build on the cases, the community on all of them; today's policy push comes last.
MODULES = (cases_demo, spaces_demo, ledger_demo, community_demo, offers_demo)


class Command(BaseCommand):
    help = "Load the demo district (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Only today's records, without the district's past year.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()  # the one read of the clock: the history is the year ending today
        call_command("catalogue_load", stdout=self.stdout)
        result = load_demo()
        if not options["no_history"]:  # the past first: today's records (approved, due, waiting) come last
            for line in load_history(today=today):
                self.stdout.write(line)
        for module in MODULES:
            summary = module.load_demo(today=today)
            if summary:
                self.stdout.write(str(summary))
        # Frontline last: its officers, its year of visits and demands, today's open tickets.
        for line in frontline_demo.frontline_demo(today=today, history=not options["no_history"]):
            self.stdout.write(line)
        # Patrols after frontline: its hazards are tickets in the departments' queues.
        for line in patrols_demo.patrols_demo(today=today, history=not options["no_history"]):
            self.stdout.write(line)
        # Insight last: it measures what every other module's past left in the records.
        for line in insight_demo.insight_demo(today=today, history=not options["no_history"]):
            self.stdout.write(line)
        for line in assets_demo.assets_demo(
            today=today, history=not options["no_history"]
        ):  # works, licences, a case
            self.stdout.write(line)
        for line in talent_demo.talent_demo(
            today=today, history=not options["no_history"], password=DEMO_PASSWORD
        ):  # people, a course
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪：{result['enterprises']} 家企业，{result['patents']} 项专利。"
            )
        )
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）/ demo logins (password {DEMO_PASSWORD}):")
        for login in result["logins"]:
            self.stdout.write(f"  {login.mobile}  {login.name:<16} {login.note}")
        for mobile, person, note in frontline_demo.logins():  # the departments' officers (frontline tickets)
            self.stdout.write(f"  {mobile}  {person:<16} {note}")
        for mobile, person, note in patrols_demo.logins():  # 河长办 and a chief at each level (巡河)
            self.stdout.write(f"  {mobile}  {person:<16} {note}")
        # The voucher service providers are the ledger's part of the district; they log in the same way.
        for mobile, person, company, _items in ledger_demo.PROVIDERS:
            self.stdout.write(f"  {mobile}  {person:<16} {company}（券服务商：提交核销申请）")
        self.stdout.write("")
