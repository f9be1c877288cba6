"""Fixtures of the registry tests: staff users and spreadsheet builders."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from shouzhan.accounts.models import User
from shouzhan.core.roles import Role


@pytest.fixture
def caseworker(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.CASEWORKER, name="王专员")


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.AUDITOR, name="审计员")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)
