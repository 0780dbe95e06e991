"""pytest set-up for wireboot's integration tests."""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import wbqemu  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def firmware_built():
    if not wbqemu.ELF.exists() or not wbqemu.ROM.exists():
        pytest.exit("build/wireboot.elf and build/wireboot.rom are missing: run make first", 2)


@pytest.fixture
def vm_name(request):
    """A log-file-safe name for the test's VM."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)


def _skip_reason(report):
    """What a skipped (or xfailed) report says about why."""
    if hasattr(report, "wasxfail"):
        return "xfail: " + str(report.wasxfail)
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _name_skip(nodeid, report):
    """Append "nodeid<TAB>reason" to $WB_SKIPS_FILE: scripts/test.sh names every
    skip in the summary and fails the ones tests/allowed-skips.txt does not list."""
    path = os.environ.get("WB_SKIPS_FILE")
    if not path:
        return
    reason = " ".join(_skip_reason(report).split())
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{nodeid}\t{reason}\n")


def pytest_runtest_logreport(report):
    if report.skipped:
        _name_skip(report.nodeid, report)


def pytest_collectreport(report):
    # A whole module skipped at collection (pytest.skip(allow_module_level=True)).
    if report.skipped:
        _name_skip(report.nodeid, report)
