"""The declared-actions contract of core/audit.py, and `audited_update`.

1. Every declared action is named ``<module>.<thing>_<verb>`` after an installed app.
2. A static scan of src/: every action given to `audit_record` or `audited_update` — a literal, a named
   constant, a lookup in a table of codes, or passed through a helper's `action` parameter — is a declared
   code, and none is built at run time (an f-string, ``+``, ``%`` or ``.format``).
3. `audited_update`: a stale version is a Conflict and nothing is written; nothing changed, no entry; only
   the changed fields in before/after; the version moves on.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from shouzhan.core import audit
from shouzhan.core.audit import (
    ACTION_NAME,
    AuditAction,
    audit_action_all,
    audit_action_get,
    audited_update,
)
from shouzhan.core.errors import Conflict
from shouzhan.core.models import AuditEntry, WorkdayOverride

SRC = Path(__file__).resolve().parents[2] / "src"
WRITERS = {"audit_record", "audited_update"}
CODE_LIKE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_.]+$")  # a string that is meant as an action code


# ----------------------------------------------------------------------------- 1. the names
def test_every_declared_action_is_named_module_thing_verb() -> None:
    labels = {config.label for config in apps.get_app_configs()}
    declared = audit_action_all()
    assert declared, "no module declared its audit actions"
    wrong = [a.code for a in declared if not ACTION_NAME.match(a.code) or a.code.split(".")[0] not in labels]
    assert wrong == [], f"not named <module>.<thing>_<verb> after an installed app: {wrong}"
    unlabelled = [a.code for a in declared if not str(a.label).strip()]
    assert unlabelled == [], f"declared without words for the audit page: {unlabelled}"


def test_core_declares_what_its_services_write() -> None:
    for code in (
        "core.workday_override_set",
        "core.workday_override_delete",
        "core.calendar_year_confirm",
        "core.chain_verify",
        "core.backup_restore",
    ):
        assert audit_action_get(code) is not None, code


# ----------------------------------------------------------------------------- 2. the static scan
@dataclass
class _Module:
    path: Path
    name: str  # dotted
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def where(self, node: ast.AST) -> str:
        shown = self.path.relative_to(SRC) if self.path.is_relative_to(SRC) else self.path.name
        return f"{shown}:{getattr(node, 'lineno', '?')}"


def _modules() -> list[_Module]:
    found = []
    for path in sorted((SRC / "shouzhan").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        dotted = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        found.append(_Module(path, dotted, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _called(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _action_argument(node: ast.Call) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == "action"), None)


def _built_at_run_time(expr: ast.expr) -> str | None:
    """How the expression makes a string at run time, if it does."""
    for node in ast.walk(expr):
        if isinstance(node, ast.JoinedStr):
            return "an f-string"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            return "a string built with + or %"
        if isinstance(node, ast.Call) and _called(node) in {"format", "join", "str", "replace", "lower"}:
            return f"a string built with {_called(node)}()"
    return None


def _codes_in(value: Any, depth: int = 0) -> Iterator[str]:
    """The action codes a module-level value holds: itself, or the values of a table of codes."""
    if depth > 3:
        return
    if isinstance(value, str):
        if CODE_LIKE.match(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _codes_in(item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _codes_in(item, depth + 1)


def _runtime_value(module: _Module, expr: ast.expr) -> Any:
    """The value of a module-level name or dotted attribute (`A.CASE_SUBMIT`), or None."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.insert(0, expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.insert(0, expr.id)
    value: Any = importlib.import_module(module.name)
    for part in parts:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


@dataclass
class _Scan:
    modules: list[_Module]
    problems: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # code → where it is written
    forwarders: set[tuple[str, str]] = field(default_factory=set)  # (module or "", function name)
    seen: set[int] = field(default_factory=set)

    def run(self) -> None:
        for module in self.modules:
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Call) and _called(node) in WRITERS:
                    self.call(module, node)
        # Helpers that pass their own `action` parameter on: each call of theirs names the action.
        done: set[tuple[str, str]] = set()
        while self.forwarders - done:
            forwarder = next(iter(self.forwarders - done))
            done.add(forwarder)
            home, name = forwarder
            for module in self.modules:
                if home and module.name != home:
                    continue
                for node in ast.walk(module.tree):
                    if isinstance(node, ast.Call) and _called(node) == name and _action_argument(node):
                        self.call(module, node)

    def call(self, module: _Module, node: ast.Call) -> None:
        if id(node) in self.seen:
            return
        self.seen.add(id(node))
        expr = _action_argument(node)
        if expr is None:
            if not any(k.arg is None for k in node.keywords) and _called(node) in WRITERS:
                self.problems.append(f"{module.where(node)}: {_called(node)} without an action")
            return
        self.expression(module, node, expr, set())

    def expression(self, module: _Module, at: ast.AST, expr: ast.expr, following: set[str]) -> None:
        """`expr` is what becomes the action: follow it to the codes it can be."""
        built = _built_at_run_time(expr)
        if built:
            self.problems.append(f"{module.where(expr)}: the action is {built}: {ast.unparse(expr)}")
            return
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            self.codes.setdefault(expr.value, module.where(expr))
        elif isinstance(expr, ast.IfExp):
            self.expression(module, at, expr.body, following)
            self.expression(module, at, expr.orelse, following)
        elif isinstance(expr, ast.Name):
            self.name(module, at, expr, following)
        elif (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id in ("self", "cls")
        ):
            self.class_attribute(module, expr.attr, following)
        elif isinstance(expr, ast.Attribute):
            self.module_value(module, expr)
        elif isinstance(expr, ast.Subscript):  # a table of codes, looked up
            self.container(module, at, expr.value, following)
        elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get":
            self.container(module, at, expr.func.value, following)
            if len(expr.args) > 1:
                self.expression(module, at, expr.args[1], following)
        else:  # a lookup function (e.g. cases' transition_action): the codes it names in its arguments
            for node in ast.walk(expr):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and CODE_LIKE.match(node.value)
                ):
                    self.codes.setdefault(node.value, module.where(node))

    def class_attribute(self, module: _Module, name: str, following: set[str]) -> None:
        """`self.audit_action`: what the module's classes set it to (an empty placeholder is no action)."""
        for cls in ast.walk(module.tree):
            if not isinstance(cls, ast.ClassDef):
                continue
            for stmt in cls.body:
                targets = (
                    stmt.targets
                    if isinstance(stmt, ast.Assign)
                    else [stmt.target]
                    if isinstance(stmt, ast.AnnAssign)
                    else []
                )
                value = getattr(stmt, "value", None)
                if value is None or not any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    continue
                if isinstance(value, ast.Constant) and value.value == "":
                    continue
                self.expression(module, cls, value, following | {name})

    def container(self, module: _Module, at: ast.AST, expr: ast.expr, following: set[str]) -> None:
        if isinstance(expr, ast.Name | ast.Attribute):
            self.module_value(module, expr)
        for node in ast.walk(expr):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_LIKE.match(node.value):
                self.codes.setdefault(node.value, module.where(node))

    def module_value(self, module: _Module, node: ast.expr) -> None:
        for code in _codes_in(_runtime_value(module, node)):
            self.codes.setdefault(code, module.where(node))

    def imported_value(self, module: _Module, function: ast.AST, node: ast.Name) -> None:
        """A module-level name, or one the function imports for itself (to keep an import cycle away)."""
        for sub in ast.walk(function):
            if isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                for alias in sub.names:
                    if (alias.asname or alias.name) == node.id:
                        value = getattr(importlib.import_module(sub.module), alias.name, None)
                        for code in _codes_in(value):
                            self.codes.setdefault(code, module.where(node))
                        return
        self.module_value(module, node)

    def name(self, module: _Module, at: ast.AST, node: ast.Name, following: set[str]) -> None:
        function = module.function_of(at)
        if function is None or node.id in following:
            self.module_value(module, node)
            return
        params = function.args
        every = params.posonlyargs + params.args + params.kwonlyargs
        if any(p.arg == node.id for p in every):
            home = module.name if function.name.startswith("_") else ""
            self.forwarders.add((home, function.name))
            defaults = dict(zip([p.arg for p in params.kwonlyargs], params.kw_defaults, strict=True)) | dict(
                zip([p.arg for p in params.args][::-1], params.defaults[::-1], strict=False)
            )
            default = defaults.get(node.id)
            if default is not None:
                self.expression(module, function, default, following | {node.id})
            return
        assigned = [
            sub.value
            for sub in ast.walk(function)
            if isinstance(sub, ast.Assign | ast.AnnAssign)
            and sub.value is not None
            and any(
                isinstance(t, ast.Name) and t.id == node.id
                for target in (sub.targets if isinstance(sub, ast.Assign) else [sub.target])
                for t in ast.walk(target)
            )
        ]
        if not assigned:
            self.imported_value(module, function, node)
            return
        for value in assigned:
            self.expression(module, function, value, following | {node.id})


def _scan() -> _Scan:
    scan = _Scan(_modules())
    scan.run()
    return scan


def test_every_action_written_is_declared_and_none_is_built_at_run_time() -> None:
    scan = _scan()
    assert len(scan.codes) > 20, (
        f"the scan found too few actions to be looking in the right place: {scan.codes}"
    )
    undeclared = [
        f"{where}: {code!r} is not declared"
        for code, where in sorted(scan.codes.items())
        if audit_action_get(code) is None
    ]
    problems = scan.problems + undeclared
    assert problems == [], "\n".join(["audit actions that break the contract:", *problems])


def test_the_scan_catches_an_undeclared_literal_and_a_code_built_at_run_time(tmp_path: Path) -> None:
    """The scan itself: it must see what it is there to refuse."""
    source = (
        "def case_move(*, actor, case, action):\n"
        '    audit_record(actor=actor, action=f"case.{action}", target=case)\n'
        "def tag_add(*, actor, tag):\n"
        '    audit_record(actor=actor, action="tags.tag_add", target=tag)\n'
        "def _touch(*, actor, row, action):\n"
        "    audited_update(actor=actor, instance=row, action=action, changes={})\n"
        "def row_touch(*, actor, row):\n"
        '    _touch(actor=actor, row=row, action="rows." + "row_touch")\n'
    )
    module = _Module(tmp_path / "fake.py", "fake", ast.parse(source))
    scan = _Scan([module])
    scan.run()
    assert sorted(p.split(": ", 1)[1] for p in scan.problems) == [
        "the action is a string built with + or %: 'rows.' + 'row_touch'",
        "the action is an f-string: f'case.{action}'",
    ]
    assert list(scan.codes) == ["tags.tag_add"]


# ----------------------------------------------------------------------------- 3. audited_update
@pytest.fixture
def test_action(monkeypatch: pytest.MonkeyPatch) -> str:
    """An action declared for these tests only (the registry is restored afterwards)."""
    code = "core.thing_update"
    monkeypatch.setitem(audit._actions, code, AuditAction(code, "测试"))
    return code


def test_a_stale_version_is_a_conflict_and_nothing_is_written(
    make_user: Any, make_enterprise: Any, test_action: str
) -> None:
    enterprise, _owner = make_enterprise(name="旧名")
    actor = make_user()
    entries = AuditEntry.objects.count()
    with pytest.raises(Conflict) as raised:
        audited_update(
            actor=actor, instance=enterprise, action=test_action, changes={"name": "新名"}, expected_version=0
        )
    assert raised.value.detail == {"current_version": 1}
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.version) == ("旧名", 1)
    assert AuditEntry.objects.count() == entries


def test_nothing_changed_writes_no_entry_and_keeps_the_version(
    make_user: Any, make_enterprise: Any, test_action: str
) -> None:
    enterprise, _owner = make_enterprise(name="不变", address="浦东")
    entries = AuditEntry.objects.count()
    same = audited_update(
        actor=make_user(),
        instance=enterprise,
        action=test_action,
        changes={"name": "不变", "address": "浦东"},
        expected_version=1,
    )
    assert same.version == 1
    enterprise.refresh_from_db()
    assert enterprise.version == 1
    assert AuditEntry.objects.count() == entries


def test_only_the_changed_fields_are_audited_and_the_version_moves_on(
    make_user: Any, make_enterprise: Any, test_action: str
) -> None:
    enterprise, _owner = make_enterprise(name="甲", address="浦东")
    actor = make_user()
    updated = audited_update(
        actor=actor,
        instance=enterprise,
        action=test_action,
        changes={"name": "乙", "address": "浦东"},
        expected_version=1,
        note="改名",
        enterprise_id=enterprise.pk,
    )
    assert updated.version == 2
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.address, enterprise.version) == ("乙", "浦东", 2)
    entry = AuditEntry.objects.get(action=test_action)
    assert (entry.before, entry.after) == ({"name": "甲"}, {"name": "乙"})
    assert (entry.actor_id, entry.target_id, entry.enterprise_id, entry.note) == (
        actor.pk,
        str(enterprise.pk),
        enterprise.pk,
        "改名",
    )


def test_apply_and_fields_limit_the_change_and_its_record(
    make_user: Any, make_enterprise: Any, test_action: str
) -> None:
    enterprise, _owner = make_enterprise(name="丙", address="浦东")

    def move(row: Any) -> None:
        row.address = "徐汇"
        row.description = "搬到徐汇"  # outside `fields`: neither compared nor recorded

    audited_update(actor=make_user(), instance=enterprise, action=test_action, apply=move, fields=["address"])
    entry = AuditEntry.objects.get(action=test_action)
    assert (entry.before, entry.after) == ({"address": "浦东"}, {"address": "徐汇"})
    enterprise.refresh_from_db()
    assert enterprise.version == 2


def test_a_row_without_a_version_is_updated_without_one(make_user: Any, test_action: str) -> None:
    override = WorkdayOverride.objects.create(date=dt.date(2031, 10, 8), is_workday=False, reason="国庆")
    audited_update(actor=make_user(), instance=override, action=test_action, changes={"reason": "国庆调休"})
    entry = AuditEntry.objects.get(action=test_action)
    assert (entry.before, entry.after) == ({"reason": "国庆"}, {"reason": "国庆调休"})


def test_an_undeclared_action_is_refused(make_user: Any, make_enterprise: Any, test_action: str) -> None:
    enterprise, _owner = make_enterprise(name="丁")
    with pytest.raises(audit.UnknownAuditAction):
        audited_update(
            actor=make_user(), instance=enterprise, action="core.nobody_declared", changes={"name": "戊"}
        )
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.version) == ("丁", 1)


# ----------------------------------------------------------------------------- 4. core's services write their entries
def _override_set(admin: Any) -> None:
    from shouzhan.core import services

    services.workday_override_set(actor=admin, date=dt.date(2031, 10, 11), is_workday=True, reason="调休上班")


def _override_delete(admin: Any) -> None:
    from shouzhan.core import services

    WorkdayOverride.objects.create(date=dt.date(2031, 10, 12), is_workday=True, reason="调休上班")
    services.workday_override_delete(actor=admin, date=dt.date(2031, 10, 12))


def _year_confirm(admin: Any) -> None:
    from shouzhan.core import services

    services.calendar_year_confirm(actor=admin, year=2031, note="国务院办公厅通知")


def _chain_check(admin: Any) -> None:
    from shouzhan.core.audit_chain import chain_check

    chain_check(actor=admin)


# core.backup_restore is asserted by tests/core/test_backup.py (a restore needs a database of its own).
@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (_override_set, ["core.workday_override_set"]),
        (_override_delete, ["core.workday_override_delete"]),
        (_year_confirm, ["core.calendar_year_confirm"]),
        (_chain_check, ["core.chain_verify"]),
    ],
    ids=["workday_override_set", "workday_override_delete", "calendar_year_confirm", "chain_check"],
)
def test_each_core_service_writes_exactly_its_declared_entries(
    service: Any, expected: list[str], make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shouzhan.core.roles import Role

    admin = make_user(role=Role.ADMIN)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    service(admin)
    written = list(AuditEntry.objects.filter(id__gt=last).order_by("id").values_list("action", flat=True))
    assert written == expected
