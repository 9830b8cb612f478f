"""CI rule: with CI=true any skipped test fails the run, so a missing PostgreSQL, browser or
Meilisearch server cannot turn into a green build (`make test` starts a real Meilisearch).

Loaded from tests/conftest.py; also usable as a plugin on its own (`-p tests.conftest_ci`).
"""

from __future__ import annotations

import os

import pytest

GREEN = (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)


def in_ci() -> bool:
    """Whether this is a CI build (CI systems set CI=true)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


class SkipGuard:
    """Collects forbidden skips of one run and fails that run in CI."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if not report.skipped or hasattr(report, "wasxfail"):
            return
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        self.skipped.append(f"{report.nodeid or '<collection>'} - {reason}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Remember every skipped test that is not an allowed leg."""
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module skipped at collection (importorskip, module-level skip) counts too."""
        self._record(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """In CI, an otherwise green run with forbidden skips becomes a failed one."""
        if in_ci() and self.skipped and exitstatus in GREEN:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Name the skipped tests that fail the CI run."""
        if not (in_ci() and self.skipped):
            return
        terminalreporter.section("CI: skipped tests are failures", sep="=", red=True, bold=True)
        for line in self.skipped:
            terminalreporter.line(f"SKIPPED IN CI {line}", red=True)
        terminalreporter.line(f"{len(self.skipped)} skipped test(s); no test may skip in CI.")


def pytest_configure(config: pytest.Config) -> None:
    """Register one guard per run (xdist workers report to the controller's guard)."""
    if not config.pluginmanager.has_plugin("cnnt-ci-skip-guard"):
        config.pluginmanager.register(SkipGuard(), "cnnt-ci-skip-guard")
