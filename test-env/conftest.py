"""pytest set-up for wireboot's integration tests."""
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
