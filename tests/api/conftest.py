"""After a run that included the API conformance test: how many requests it made, by status code."""

from __future__ import annotations

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    module = sys.modules.get("tests.api.test_conformance")
    tally = getattr(module, "TALLY", None)
    if tally:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(tally.items()) if code.isdigit())
        terminalreporter.write_line(
            f"API conformance: {tally['operations']} operation × visitor tests, "
            f"{tally['requests']} requests ({statuses}); "
            f"{len(module.SUCCEEDED)} of {len(module.TRIED)} operations answered a success"
        )
        if terminalreporter.verbosity > 0:
            for label in sorted(module.TRIED - module.SUCCEEDED):
                terminalreporter.write_line(f"  never a success: {label}")
