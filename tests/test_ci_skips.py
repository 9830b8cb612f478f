"""The CI skip rule, exercised on small throwaway test suites run by pytester."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SUITE = """
import pytest

def test_runs():
    pass

@pytest.mark.xfail(reason="known")
def test_expected_failure():
    assert False
"""

MEILI_SKIP = """
import pytest

@pytest.mark.meili
def test_meili_leg():
    pytest.skip("CNNT_MEILI_URL is not set")
"""

FORBIDDEN = """
import pytest

def test_needs_postgres():
    pytest.skip("no PostgreSQL here")
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None,
         **files: str) -> pytest.RunResult:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    pytester.makeini("[pytest]\nmarkers =\n    meili: needs Meilisearch\n")
    pytester.makepyfile(**files)
    return pytester.runpytest("-p", "tests.conftest_ci", "-p", "no:cacheprovider",
                              "-W", "ignore::pytest.PytestAssertRewriteWarning")


def test_xfail_is_allowed_in_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, "true", test_suite=SUITE)
    result.assert_outcomes(passed=1, xfailed=1)
    assert result.ret == pytest.ExitCode.OK
    assert "SKIPPED IN CI" not in result.stdout.str()


def test_a_skipped_meilisearch_leg_fails_the_run_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old exception is gone: `make test` starts a real server, so a meili skip is a failure."""
    result = _run(pytester, monkeypatch, "true", test_suite=SUITE, test_meili=MEILI_SKIP)
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["SKIPPED IN CI test_meili.py::test_meili_leg - *CNNT_MEILI_URL is not set*"])


def test_other_skip_fails_the_run_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(pytester, monkeypatch, "true", test_suite=SUITE, test_pg=FORBIDDEN)
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*CI: skipped tests are failures*",
                                 "SKIPPED IN CI test_pg.py::test_needs_postgres - *no PostgreSQL here*"])


def test_module_skipped_at_collection_fails_the_run_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(pytester, monkeypatch, "true",
                  test_browser="import pytest\npytest.importorskip('no_such_module_here')\n")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["SKIPPED IN CI test_browser.py - *no_such_module_here*"])


@pytest.mark.parametrize("ci", [None, "false", ""])
def test_skips_are_fine_outside_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    result = _run(pytester, monkeypatch, ci, test_pg=FORBIDDEN)
    result.assert_outcomes(skipped=1)
    assert result.ret == pytest.ExitCode.OK
