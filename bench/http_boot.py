#!/usr/bin/env python3
"""HTTP boot, side by side: the same Debian kernel + busybox initramfs +
a 64 MiB incompressible initrd, and a 256 MiB file, over HTTP from the
same nginx (Debian's nginx-light) on the same tap network, with dnsmasq
for DHCP, in one run, for:

  wireboot-pvh, wireboot-rom   net_boot=http; dnsmasq's HTTP boot recipe
                               names boot.cfg (KERNEL, INITRD x2, APPEND)
  wireboot-pvh-uki             the same, booting linux-uki.efi (below)
  seabios-ipxe                 -boot n, Debian's ipxe-qemu ROM: an iPXE
                               script by URL (kernel, initrd x2, boot)
  ovmf-http                    Debian's OVMF_CODE_4M.fd, its own HTTP
                               boot (PXE and IPv6 off through fw_cfg, the
                               NIC's option ROM off) of linux-uki.efi: a
                               UKI of the same kernel, both initrds and
                               the command line (systemd-stub)
  ovmf-ipxe                    the same OVMF HTTP-booting Debian's iPXE
                               snponly.efi, which runs the iPXE script
  direct-kernel                reference: QEMU -kernel/-initrd, no network

Per firmware: the median time from QEMU start to the initramfs marker,
and MB/s of the 64 MiB initrd (or the UKI holding it) and of the 256 MiB
file, each timed by nginx ($request_time, request to last byte sent);
ratios against SeaBIOS+iPXE.

    bench/http_boot.py [N] [firmware ...]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test-env"))
from benchlib import OVMF_VARS, ovmf_pflash, qemu_base  # noqa: E402
from netlab import PREFIX, Lan, dnsmasq_argv  # noqa: E402
from nginx import LOG_TIMES, Nginx  # noqa: E402
from wbqemu import ELF, ROM, accel  # noqa: E402

IP = f"{PREFIX}.1"
PAD_MIB = 64
BIG_MIB = 256
MARKER = "WIREBOOT-DEMO: extra initrd file"
APPEND = "console=ttyS0 quiet panic=-1 wb.poweroff"
SNPONLY = Path("/usr/lib/ipxe/snponly.efi")
STUB = Path("/usr/lib/systemd/boot/efi/linuxx64.efi.stub")
FIRMWARES = ["wireboot-pvh", "wireboot-rom", "wireboot-pvh-uki", "seabios-ipxe", "ovmf-http",
             "ovmf-ipxe", "direct-kernel"]


def sh(*args):
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


def build_uki(tree):
    """linux-uki.efi: systemd-stub + the kernel + both initrds (cpio
    archives concatenated, each 4-byte aligned, as Linux accepts them) +
    the command line, sections placed after the stub's last one as
    systemd 252's objcopy recipe (and test-env/payload/mkuki.sh) does."""
    out = tree / "linux-uki.efi"
    if out.exists():
        return
    with tempfile.TemporaryDirectory() as t:
        t = Path(t)
        initrd = bytearray((tree / "initrd.img").read_bytes())
        initrd += b"\0" * (-len(initrd) % 4)
        initrd += (tree / "initrd-pad.img").read_bytes()
        (t / "initrd").write_bytes(initrd)
        (t / "cmdline").write_text(APPEND)
        align = int(re.search(r"SectionAlignment\s+([0-9a-f]+)", sh("objdump", "-p", STUB))
                    .group(1), 16)
        rows = [ln.split() for ln in sh("objdump", "-h", STUB).splitlines()]
        rows = [r for r in rows if len(r) == 7 and r[0].isdigit()]
        end = int(rows[-1][3], 16) + int(rows[-1][2], 16)
        args = []
        for name, f in ((".cmdline", t / "cmdline"), (".linux", tree / "vmlinuz"),
                        (".initrd", t / "initrd")):
            end = (end + align - 1) // align * align
            args += ["--add-section", f"{name}={f}", "--change-section-vma", f"{name}={end:#x}"]
            end += f.stat().st_size
        subprocess.run(["objcopy", *args, str(STUB), str(out)], check=True)


def build_tree():
    tree = ROOT / "build" / f"bench-http-{PAD_MIB}"
    if not (tree / "initrd-pad.img").exists():
        subprocess.run([str(ROOT / "test-env/payload/mkdemo.sh"), str(tree), str(PAD_MIB)],
                       check=True)
    big = tree / "big.efi"
    if not big.exists() or big.stat().st_size != BIG_MIB << 20:
        with open(big, "wb") as f:
            # A PE header so wireboot takes it for an EFI program (which
            # then does not start) instead of reading it as a config.
            f.write(b"MZ" + b"\0" * 58 + (64).to_bytes(4, "little") + b"PE\0\0")
            for _ in range(BIG_MIB):
                f.write(os.urandom(1 << 20))
            f.truncate(BIG_MIB << 20)
    (tree / "boot.cfg").write_text(
        f"DEFAULT linux\nLABEL linux\n KERNEL vmlinuz\n INITRD initrd.img,initrd-pad.img\n"
        f" APPEND {APPEND}\n")
    (tree / "boot.ipxe").write_text(
        f"#!ipxe\nkernel http://{IP}/vmlinuz {APPEND}\ninitrd http://{IP}/initrd.img\n"
        f"initrd http://{IP}/initrd-pad.img\nboot\n")
    # iPXE as an EFI program hands initrds to the kernel's EFI stub as
    # files the stub loads by the initrd= names on the command line.
    (tree / "boot-efi.ipxe").write_text(
        f"#!ipxe\nkernel http://{IP}/vmlinuz initrd=initrd.img initrd=initrd-pad.img {APPEND}\n"
        f"initrd http://{IP}/initrd.img\ninitrd http://{IP}/initrd-pad.img\nboot\n")
    (tree / "big.ipxe").write_text(f"#!ipxe\nimgfetch http://{IP}/big.efi\n")
    shutil.copy(SNPONLY, tree / "snponly.efi")
    build_uki(tree)
    combined = tree / "initrd-both.img"  # for the direct -kernel reference
    if not combined.exists():
        data = bytearray((tree / "initrd.img").read_bytes())
        data += b"\0" * (-len(data) % 4)
        combined.write_bytes(bytes(data) + (tree / "initrd-pad.img").read_bytes())
    return tree


def boot_files(fw, phase):
    """(file for HTTPClient / PXEClient DHCP, file for iPXE) of a run."""
    if phase == "big":
        return {"ovmf-ipxe": ("snponly.efi", "big.ipxe"),
                "seabios-ipxe": (None, "big.ipxe")}.get(fw, ("big.efi", None))
    return {"wireboot-pvh-uki": ("linux-uki.efi", None), "ovmf-http": ("linux-uki.efi", None),
            "ovmf-ipxe": ("snponly.efi", "boot-efi.ipxe"),
            "seabios-ipxe": (None, "boot.ipxe")}.get(fw, ("boot.cfg", None))


def qemu_cmd(fw, tree, vars_copy):
    nic = "virtio-net-pci,netdev=n0" + ("" if fw == "seabios-ipxe" else ",romfile=")
    base = qemu_base() + ["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
                          "-device", nic]
    wb = ["-fw_cfg", "name=opt/wireboot/config,string=net_boot=http"]
    if fw in ("wireboot-pvh", "wireboot-pvh-uki"):
        return base + wb + ["-kernel", str(ELF)]
    if fw == "wireboot-rom":
        return base + wb + ["-bios", str(ROM)]
    if fw == "seabios-ipxe":
        return base + ["-boot", "n"]
    if fw == "direct-kernel":
        return base + ["-kernel", str(tree / "vmlinuz"), "-initrd",
                       str(tree / "initrd-both.img"), "-append", APPEND]
    return base + ovmf_pflash(vars_copy) + [
                   "-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=no",
                   "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=no"]


def nginx_log(d):
    """[(path, status, bytes, seconds)] from the access log."""
    out = []
    p = d / "access.log"
    for line in (p.read_text().splitlines() if p.exists() else []):
        m = re.match(r'"\S+ (\S+) [^"]*" (\d+) (\d+) ([\d.]+)', line)
        if m:
            out.append((m.group(1), int(m.group(2)), int(m.group(3)), float(m.group(4))))
    return out


def rate(log, path, size):
    """MB/s of the complete transfer of path (the largest such line)."""
    done = [s for p, st, b, s in log if p == path and st == 200 and b == size]
    if not done:
        return None
    return size / max(min(done), 0.001) / 1e6


def one_run(fw, phase, tree, work):
    """Boot once; returns (ms to the marker or None, MB/s, console)."""
    http_file, ipxe_file = boot_files(fw, phase)
    work.mkdir()
    with Lan() as lan:
        srv = lan.host("srv", IP)
        nd = Nginx(lan, srv, work / "nginx", IP, tree, log_format=LOG_TIMES).start().d
        extra = ["--dhcp-match=set:ipxe,175", "--dhcp-vendorclass=set:http,HTTPClient",
                 "--dhcp-option-force=tag:http,60,HTTPClient"]
        if ipxe_file:
            extra.append(f"--dhcp-boot=tag:ipxe,http://{IP}/{ipxe_file}")
        if http_file:
            extra.append(f"--dhcp-boot=tag:http,tag:!ipxe,http://{IP}/{http_file}")
        lan.spawn(srv, dnsmasq_argv(work, *extra), log=work / "dnsmasq.log")
        vars_copy = work / "ovmf-vars.fd"
        shutil.copy(OVMF_VARS, vars_copy)
        cmd = ["ip", "netns", "exec", lan.ns] + qemu_cmd(fw, tree, vars_copy)
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, text=True, errors="replace")
        lines = []  # (seconds since t0, line), appended by the reader thread

        def reader():
            for line in p.stdout:
                lines.append((time.monotonic() - t0, line))

        th = threading.Thread(target=reader, daemon=True)
        th.start()
        t_marker, big = None, BIG_MIB << 20
        while time.monotonic() - t0 < 900:
            time.sleep(0.2)
            hit = [t for t, line in list(lines) if MARKER in line]
            if hit:
                t_marker = hit[0] * 1000
                if phase == "boot":
                    break
            if phase == "big" and rate(nginx_log(nd), "/big.efi", big):
                break
            if p.poll() is not None:
                th.join(timeout=5)
                hit = [t for t, line in list(lines) if MARKER in line]
                t_marker = hit[0] * 1000 if hit else None
                break
        p.kill()
        p.wait()
        th.join(timeout=5)
    out = [line for _, line in lines]
    log = nginx_log(nd)
    if phase == "big":
        r = rate(log, "/big.efi", big)
    elif http_file == "linux-uki.efi":
        r = rate(log, "/linux-uki.efi", (tree / "linux-uki.efi").stat().st_size)
    else:
        r = rate(log, "/initrd-pad.img", (tree / "initrd-pad.img").stat().st_size)
    return t_marker, r, "".join(out)


def main():
    args = sys.argv[1:]
    n = int(args.pop(0)) if args and args[0].isdigit() else 3
    fws = args or FIRMWARES
    tree = build_tree()
    results = {}
    with tempfile.TemporaryDirectory() as w:
        for fw in fws:
            marks, rates, bigs = [], [], []
            for i in range(n):
                t, r, out = one_run(fw, "boot", tree, Path(w) / f"{fw}-boot-{i}")
                if t is None:
                    sys.exit(f"{fw}: no initramfs marker\n" + out[-3000:])
                print(f"{fw} boot {i}: {t:.0f} ms, {r or 0:.1f} MB/s", file=sys.stderr,
                      flush=True)
                marks.append(t)
                if r:
                    rates.append(r)
                if fw == "direct-kernel":
                    continue
                _, b, out = one_run(fw, "big", tree, Path(w) / f"{fw}-big-{i}")
                if b is None:
                    sys.exit(f"{fw}: big.efi did not arrive\n" + out[-3000:])
                print(f"{fw} big {i}: {b:.1f} MB/s", file=sys.stderr, flush=True)
                bigs.append(b)
            med = lambda v: statistics.median(v) if v else None  # noqa: E731
            results[fw] = (med(marks), med(rates), med(bigs))
            print(f"{fw}: {results[fw]}", file=sys.stderr, flush=True)
    base = results.get("seabios-ipxe")
    print(f"{'firmware':17s} {'QEMU start -> marker':>21s} {str(PAD_MIB) + ' MiB initrd':>14s} "
          f"{str(BIG_MIB) + ' MiB file':>13s} {'time ratio':>10s} {'MB/s ratio':>10s}")
    for fw, (t, r, b) in results.items():
        tr = f"{t / base[0]:9.2f}x" if base else ""
        rr = f"{b / base[2]:9.1f}x" if base and b and base[2] else ""
        rs = f"{r:9.1f} MB/s" if r else f"{'-':>14s}"
        bs = f"{b:8.1f} MB/s" if b else f"{'-':>13s}"
        print(f"{fw:17s} {t:18.0f} ms {rs} {bs} {tr:>10s} {rr:>10s}")
    print(f"(median of {n} runs, q35, 1 GiB, {accel()}; MB/s timed by nginx; "
          f"MB/s ratio is the {BIG_MIB} MiB file's)")


if __name__ == "__main__":
    main()
