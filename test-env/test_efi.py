"""EFI payloads on wireboot (issue 8), served by QEMU's user-network TFTP:

- efitest.efi (test-env/efi/, gnu-efi) as the DHCP boot file: it calls
  every boot service, runtime service and protocol wireboot claims and
  prints one `EFITEST ok|FAIL <check>: ...` line per check, LoadImage/
  StartImage-ing efichild.efi on the way;
- a Unified Kernel Image (systemd-stub + Debian's kernel + a busybox
  initramfs, test-env/payload/mkuki.sh) as the boot file: the kernel sees
  /sys/firmware/efi and lists, reads and writes variables through the
  runtime services after SetVirtualAddressMap;
- Debian's kernel through its EFI stub from a pxelinux-style config
  (KERNEL vmlinuz.efi, INITRD, APPEND) with linux_boot=efi, on q35, pc and
  microvm: the stub loads the initrd through LoadFile2.

The same programs pass on OVMF (test-env/efi/run_ovmf.py). The TFTP root is
build/efi-tree (make efi-tree)."""
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from test_handoff import microvm_append
from wbqemu import LOGS, ROOT, Result, Vm

TREE = ROOT / "build" / "efi-tree"

# Every check efitest.efi runs, in its order (test-env/efi/efitest.c).
EFITEST_CHECKS = [
    "systab", "memmap", "pages", "pool", "tpl", "events", "timers", "event-groups",
    "protocol-db", "open-protocol", "protocol-notify", "locate-device-path",
    "misc-services", "crc32", "config-table", "loaded-image", "device-path-text", "time",
    "variables", "global-variables", "rng", "console-out", "console-in", "snp",
    "load-image", "start-image",
]
EFITEST_RESULT = re.compile(r"^EFITEST (ok|FAIL) ([\w-]+): (.*)$", re.M)
EFITEST_DONE = re.compile(r"^EFITEST done: (\d+) ok, (\d+) failed$", re.M)
DEMO_MARKER = r"WIREBOOT-DEMO: initramfs up; cmdline: (.*)"
EFI_PRESENT = "WIREBOOT-EFI: /sys/firmware/efi present; fw_platform_size 64"
EFIVARS = r"WIREBOOT-EFI: efivars lists (\d+) variables"
GLOBAL_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
# systemd's loader-interface vendor GUID: systemd-stub sets StubInfo with it.
LOADER_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
UKI_CMDLINE = "console=ttyS0 panic=-1 wb.poweroff wb.uki"  # its .cmdline (mkuki.sh)
STUB_INITRD = "EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path"
CRASH = "*** wireboot: CPU exception"
# OVMF's serial console and ours may colour text and move the cursor.
ANSI = re.compile(r"\x1b(\[[0-9;=?]*[A-Za-z]|[()][0-9A-Za-z])")


@pytest.fixture(scope="session")
def efi_tree():
    for f in ("efitest.efi", "uki.efi", "vmlinuz.efi", "initrd-efi.img"):
        if not (TREE / f).exists():
            pytest.fail(f"build/efi-tree/{f} is missing: make efi-tree (test-env/efi/efi.mk)")
    return TREE


def plain(output):
    """Console output without escape sequences or carriage returns, and with
    efitest's long lines joined again: it wraps them to 79 columns itself,
    continuation lines indented by four spaces, a mid-word break marked by
    a trailing backslash (t_print_wrapped in test-env/efi/efitest.c)."""
    lines = []
    for line in ANSI.sub("", output).replace("\r", "").split("\n"):
        if lines and line.startswith("    ") and lines[-1].startswith("EFITEST "):
            prev = lines[-1]
            lines[-1] = prev[:-1] + line[4:] if prev.endswith("\\") else prev + " " + line[4:]
        else:
            lines.append(line)
    return "\n".join(lines)


def slirp_vm(name, tree, bootfile, entry="pvh", machine="q35", cmdline=None, config=None):
    mmio = machine.startswith("microvm")
    return Vm(entry=entry, machine=machine, memory="512M", name=name, cmdline=cmdline,
              config=config, netdevs=[f"user,id=n0,tftp={tree},bootfile={bootfile}"],
              nics=["virtio-net-device,netdev=n0" if mmio else "virtio-net-pci,netdev=n0"])


def tail(r, n=25):
    return "\n".join(plain(r.output).splitlines()[-n:])


# ---- efitest.efi: every service and protocol, one marker per check ----

def assert_efitest(r, out):
    """Every check printed ok, the summary agrees, the child ran."""
    assert CRASH not in out, f"firmware exception; see {r.log}"
    assert EFITEST_DONE.search(out), f"no 'EFITEST done' line; see {r.log}\n{tail(r)}"
    results = {name: (verdict, text) for verdict, name, text in EFITEST_RESULT.findall(out)}
    failed = [f"{n}: {t}" for n, (v, t) in results.items() if v != "ok"]
    assert not failed, "EFITEST FAIL lines:\n" + "\n".join(failed)
    missing = [c for c in EFITEST_CHECKS if c not in results]
    assert not missing, f"checks that printed nothing: {missing}; see {r.log}"
    ok, nfail = map(int, EFITEST_DONE.search(out).groups())
    assert (ok, nfail) == (len(EFITEST_CHECKS), 0)
    # The child efitest started read the parent's variable and its load options.
    assert re.search(r"^EFICHILD: started; load options 'efichild-options wb\.child=1'$", out,
                     re.M), out
    assert re.search(r"^EFICHILD: parent variable 'parent-[0-9a-f]{16}'$", out, re.M), out
    assert re.search(r"^EFICHILD: exiting with status 0x800000000000002A$", out, re.M)
    # SNP: the gateway of QEMU's user network answered our ARP request.
    assert "ARP reply from 10.0.2.2 at 52:55:0A:00:02:02" in results["snp"][1]
    return results


@pytest.mark.parametrize("entry", ["pvh", "rom"])
def test_efitest_every_service_and_protocol_passes(entry, efi_tree, vm_name):
    run = slirp_vm(vm_name, efi_tree, "efitest.efi", entry=entry).start()
    run.wait_for(r"EFITEST done: \d+ ok, \d+ failed\n", timeout=300)
    # The firmware reports the exit status (efi/run.c), then ends the VM.
    status = run.wait_for(r"efi: efitest\.efi returned (\S+)", timeout=30)
    r = run.finish(timeout=30)
    assert_efitest(r, plain(r.output))
    assert status and status.group(1) == "EFI_SUCCESS", \
        f"no 'efi: efitest.efi returned EFI_SUCCESS' line; see {r.log}"


# ---- a Unified Kernel Image as the DHCP boot file ----

def assert_efi_linux(r, out):
    """The initramfs ran under an EFI-booted kernel that reaches our
    variables through the runtime services; returns its command line."""
    assert CRASH not in out, f"firmware exception; see {r.log}"
    assert not r.timed_out, f"timed out; see {r.log}\n{tail(r)}"
    m = re.search(DEMO_MARKER, out)
    assert m, f"initramfs marker missing; see {r.log}\n{tail(r)}"
    assert EFI_PRESENT in out, "/sys/firmware/efi absent: the kernel saw no EFI system table"
    assert re.search(r"^\[ *[0-9.]+\] efi: EFI v2\.\d+ by \S", out, re.M)
    n = re.search(EFIVARS, out)
    assert n and int(n.group(1)) >= 1, f"efivarfs listed no variables; see {r.log}"
    listed = re.findall(r"^WIREBOOT-EFI: efivar (\S+) (\d+) bytes$", out, re.M)
    names = {name for name, _ in listed}
    assert f"BootCurrent-{GLOBAL_GUID}" in names, sorted(names)
    assert "WIREBOOT-EFI: runtime SetVariable and GetVariable ok" in out
    assert "WIREBOOT-EFI: runtime delete ok" in out
    assert r.exit_code == 0, f"exit {r.exit_code}"
    return m.group(1).strip(), names


@pytest.mark.parametrize("entry", ["pvh", "rom"])
def test_uki_boots_with_efivars_at_runtime(entry, efi_tree, vm_name):
    r = slirp_vm(vm_name, efi_tree, "uki.efi", entry=entry).run(timeout=300)
    out = plain(r.output)
    cmdline, names = assert_efi_linux(r, out)
    # The stub took the command line from its .cmdline section (no load
    # options overrode it) and served the .initrd section through LoadFile2.
    assert cmdline == UKI_CMDLINE
    assert STUB_INITRD in out
    # Variables systemd-stub set during boot services are still there.
    assert f"StubInfo-{LOADER_GUID}" in names, sorted(names)
    # The kernel found our configuration tables: an ACPI 2.0 RSDP (built for
    # QEMU's revision 0 one), SMBIOS from fw_cfg, the memory attributes table.
    tables = r.value(r"^\[ *[0-9.]+\] efi: (ACPI=.*)$")
    assert tables, f"no 'efi: ACPI=...' line; see {r.log}"
    for t in ("ACPI 2.0=", "SMBIOS", "MEMATTR="):
        assert t in tables, f"{t} missing from the kernel's table list: {tables}"


# ---- Debian's kernel through its EFI stub from a pxelinux-style config ----

def stub_tree(tmp_path, tree, token, extra=""):
    root = tmp_path / "tftp"
    (root / "pxelinux.cfg").mkdir(parents=True)
    for f in ("vmlinuz.efi", "initrd-efi.img"):
        shutil.copy(tree / f, root / f)
    (root / "pxelinux.cfg" / "default").write_text(
        "DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz.efi\n  INITRD initrd-efi.img\n"
        f"  APPEND console=ttyS0 panic=-1 wb.poweroff wb.token={token}{extra}\n")
    return root


STUB_MATRIX = [("pvh", "q35"), ("rom", "q35"), ("pvh", "pc"), ("rom", "pc"), ("pvh", "microvm")]


@pytest.mark.parametrize("entry,machine", STUB_MATRIX, ids=[f"{m}-{e}" for e, m in STUB_MATRIX])
def test_linux_efi_stub_from_pxelinux_config(entry, machine, efi_tree, tmp_path, vm_name):
    # A microvm kernel under TCG cannot calibrate its TSC (docs/boot-flow.md).
    extra = f" {microvm_append()}" if machine == "microvm" else ""
    root = stub_tree(tmp_path, efi_tree, vm_name, extra)
    # linux_boot=efi: start the kernel as an EFI program, not through the
    # boot protocol. PVH passes it on the command line, the ROM through fw_cfg.
    setting = "linux_boot=efi"
    vm = slirp_vm(vm_name, root, "pxelinux.0", entry=entry, machine=machine,
                  cmdline=setting if entry == "pvh" else None,
                  config=None if entry == "pvh" else setting + "\n")
    r = vm.run(timeout=300)
    out = plain(r.output)
    cmdline, _ = assert_efi_linux(r, out)
    # The command line came through LoadOptions, the initrd through LoadFile2.
    assert f"wb.token={vm_name}" in cmdline.split(), cmdline
    assert "console=ttyS0" in cmdline.split()
    assert STUB_INITRD in out, f"the EFI stub did not load the initrd via LoadFile2; see {r.log}"
    assert not r.lines(r"linux: booting vmlinuz\.efi \(boot protocol"), \
        "the boot-protocol loader ran although linux_boot=efi"


# ---- the same programs and assertions on OVMF, the reference UEFI ----
# On demand (each boot takes 1-2 minutes under TCG):
#   WIREBOOT_OVMF_REFERENCE=1 python3 -m pytest test-env/test_efi.py -k ovmf
# OVMF differences, handled by run_ovmf.py: Debian's OVMF has an RNG
# protocol only with a virtio-rng device (--rng); its PXE boot option's
# LoadOptions are empty, so the UKI keeps its .cmdline; the EFI stub test
# runs from OVMF's UEFI Shell (no pxelinux configs there), which passes the
# initrd as initrd= on the command line instead of LoadFile2.

# Defined only when asked for, so a normal run neither runs nor skips them
# (scripts/test.sh fails on skips outside its allowlist).
OVMF_REFERENCE = bool(os.environ.get("WIREBOOT_OVMF_REFERENCE"))


def run_ovmf(name, *args, marker, timeout=400):
    """Boot under OVMF with test-env/efi/run_ovmf.py; a Result of its log."""
    log = LOGS / f"{name}.log"
    LOGS.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    p = subprocess.run([sys.executable, str(ROOT / "test-env" / "efi" / "run_ovmf.py"),
                        "--log", str(log), "--marker", marker, "--timeout", str(timeout), *args],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    output = log.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")
    return Result(output, 0 if p.returncode == 0 else None, p.returncode != 0, p.returncode == 0,
                  time.monotonic() - start, log)


def ovmf_reference_efitest(efi_tree, vm_name):
    r = run_ovmf(vm_name, "--tftp", str(efi_tree), "--bootfile", "efitest.efi", "--rng",
                 marker=r"^EFITEST done: ")
    assert_efitest(r, plain(r.output))


def ovmf_reference_uki(efi_tree, vm_name):
    r = run_ovmf(vm_name, "--tftp", str(efi_tree), "--bootfile", "uki.efi",
                 marker="WIREBOOT-DEMO: powering off")
    out = plain(r.output)
    cmdline, names = assert_efi_linux(r, out)
    assert cmdline == UKI_CMDLINE
    assert STUB_INITRD in out
    assert f"StubInfo-{LOADER_GUID}" in names


def ovmf_reference_linux_efi_stub(efi_tree, vm_name):
    r = run_ovmf(vm_name, "--esp", str(efi_tree / "vmlinuz.efi"),
                 str(efi_tree / "initrd-efi.img"), "--shell",
                 f"vmlinuz.efi console=ttyS0 panic=-1 wb.poweroff wb.token={vm_name} "
                 "initrd=\\initrd-efi.img", marker="WIREBOOT-DEMO: powering off")
    out = plain(r.output)
    cmdline, _ = assert_efi_linux(r, out)
    assert f"wb.token={vm_name}" in cmdline.split()
    assert "EFI stub: Loaded initrd from command line option" in out


if OVMF_REFERENCE:
    test_ovmf_reference_efitest = ovmf_reference_efitest
    test_ovmf_reference_uki = ovmf_reference_uki
    test_ovmf_reference_linux_efi_stub = ovmf_reference_linux_efi_stub


# ---- programs that crash or are not programs: one line, then the next option ----

def fallback_tree(tmp_path, tree, name, data, token):
    """A TFTP root whose boot file is `name` (bytes `data`), with a
    pxelinux.cfg/default beside it that boots Linux: reaching its
    initramfs proves the firmware came back whole from the bad program."""
    root = tmp_path / "tftp"
    (root / "pxelinux.cfg").mkdir(parents=True)
    (root / name).write_bytes(data)
    for f in ("vmlinuz", "initrd-efi.img"):
        shutil.copy(tree / f, root / f)
    (root / "pxelinux.cfg" / "default").write_text(
        "DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd-efi.img\n"
        f"  APPEND console=ttyS0 panic=-1 wb.poweroff wb.token={token}\n")
    return root


def assert_fell_back_to_linux(r, bootfile, token):
    out = plain(r.output)
    assert r.lines(rf"boot: {re.escape(bootfile)} did not boot; trying pxelinux\.cfg/ beside it"), \
        f"no fallback line; see {r.log}\n{tail(r)}"
    m = re.search(DEMO_MARKER, out)
    assert m and f"wb.token={token}" in m.group(1).split(), \
        f"the fallback entry did not boot; see {r.log}\n{tail(r)}"
    assert r.exit_code == 0


@pytest.mark.parametrize("entry", ["pvh", "rom"])
def test_faulting_program_is_named_and_boot_goes_on(entry, efi_tree, tmp_path, vm_name):
    root = fallback_tree(tmp_path, efi_tree, "efifault.efi",
                         (efi_tree / "efifault.efi").read_bytes(), vm_name)
    r = slirp_vm(vm_name, root, "efifault.efi", entry=entry).run(timeout=300)
    out = plain(r.output)
    assert "EFIFAULT: executing ud2" in out
    assert "EFIFAULT: still running" not in out
    assert "*** wireboot: CPU exception 6 (invalid opcode)" in out, f"no dump; see {r.log}"
    assert re.search(r"^\*\*\* RIP is in efifault\.efi\+0x[0-9a-f]+$", out, re.M), \
        f"the dump does not name the program; see {r.log}"
    assert r.lines(r"error: efi: efifault\.efi crashed \(the dump above\); its StartImage "
                   r"returns EFI_ABORTED")
    assert r.lines(r"error: efi: efifault\.efi returned EFI_ABORTED")
    assert "*** halted" not in out
    assert_fell_back_to_linux(r, "efifault.efi", vm_name)


def bad_pe_cases(efitest):
    """(name, bytes, the reason LoadImage must print) for PE files that
    must be refused before anything runs."""
    arm = bytearray(efitest)
    pe = int.from_bytes(efitest[0x3c:0x40], "little")
    arm[pe + 4:pe + 6] = (0xAA64).to_bytes(2, "little")  # COFF Machine: ARM64
    huge = bytearray(efitest)
    huge[pe + 24 + 56:pe + 24 + 60] = (0x7fff0000).to_bytes(4, "little")  # SizeOfImage
    return [
        ("truncated.efi", efitest[:1024], r"past the end|outside the file|past the file"),
        ("arm64.efi", bytes(arm), r"a PE image for ARM64, not x86_64"),
        ("huge.efi", bytes(huge), r"SizeOfImage"),
    ]


@pytest.mark.parametrize("case", [0, 1, 2], ids=["truncated", "arm64", "huge"])
def test_bad_pe_boot_file_is_refused_with_a_reason(case, efi_tree, tmp_path, vm_name):
    name, data, reason = bad_pe_cases((efi_tree / "efitest.efi").read_bytes())[case]
    root = fallback_tree(tmp_path, efi_tree, name, data, vm_name)
    r = slirp_vm(vm_name, root, name).run(timeout=300)
    line = r.lines(rf"error: efi: LoadImage {re.escape(name)}: ")
    assert line, f"no LoadImage line for {name}; see {r.log}\n{tail(r)}"
    assert re.search(reason, line[0]), line[0]
    assert CRASH not in plain(r.output)
    assert "EFITEST" not in r.output, "a refused image ran"
    assert_fell_back_to_linux(r, name, vm_name)
