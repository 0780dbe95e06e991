"""Many VMs at once from ONE server set: N q35 VMs (half PVH, half ROM,
256 MiB, each on its own tap and MAC) start together on one namespaced
bridge where one dnsmasq (DHCP) and one atftpd (TFTP) serve a single
pxelinux.cfg/default -> Debian's kernel + busybox initrd.

Every VM must: get a lease of its own (dnsmasq's log ACKs its MAC, its
serial log shows the same address, no two VMs share one), fetch the kernel
and the initrd (its `tftp:` lines, and atftpd's log serving them to that
address), reach the initramfs with ITS OWN identity on the command line
(the config says `IPAPPEND 3`, so wireboot appends `ip=<its lease>:...`
and `BOOTIF=01-<its mac>`, plus the round's `wb.token=`), power off
cleanly, and show no kernel panic.

The server's cost is measured, not assumed: frames and bytes on the
server's veth (`ip -s link`), and the CPU time of every process in the
server's namespace (/proc/<pid>/stat utime + stime, with reaped children;
atftpd's transfer threads count in its process totals), each divided by N.
The QEMU processes' CPU (this process's reaped children) is printed beside
it: under TCG the VMs, not the server, are what costs.

`make test` runs 6 VMs once. WB_SCALE_FULL=1 runs 16 VMs three times in a
row (issue 12: "16 VMs at once boot 16 of 16, three times in a row"):

    WB_SCALE_FULL=1 python3 -m pytest test-env/test_scale.py -q -s

As a script it prints the cost table for docs/benchmarks.md
(bench/scale.py runs it for several N):

    python3 test-env/test_scale.py [N] [ROUNDS]
"""
import os
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import PREFIX, Lan, dnsmasq_argv, link_stats  # noqa: E402
from test_handoff import FAULTS, LOAD_APPEND  # noqa: E402
from wbqemu import ROOT, Vm  # noqa: E402

DEMO = ROOT / "build" / "demo"
ATFTPD = ROOT / "third_party" / "atftpd" / "usr" / "sbin" / "atftpd"
MARKER = r"WIREBOOT-DEMO: initramfs up; cmdline: (.*)"
FULL = os.environ.get("WB_SCALE_FULL") == "1"
COUNT, ROUNDS = (16, 3) if FULL else (6, 1)
# A hang guard for one round, not a benchmark: 16 TCG VMs on 2 shared
# cores take minutes.
ROUND_TIMEOUT = 1800
SERVER = f"{PREFIX}.1"
# Room for 240 leases, well past any N here.
DHCP_RANGE = f"{PREFIX}.10,{PREFIX}.249,255.255.255.0,1h"
CLK_TCK = os.sysconf("SC_CLK_TCK")

needs_lab = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")


def vm_mac(i):
    """The unique MAC of VM i (locally administered QEMU prefix)."""
    return f"52:54:00:5c:{i >> 8:02x}:{i & 0xff:02x}"


def make_tree(root, token):
    """One shared pxelinux.cfg/default; IPAPPEND 3 makes each VM's command
    line carry its own lease (ip=) and MAC (BOOTIF=)."""
    (root / "pxelinux.cfg").mkdir(parents=True, exist_ok=True)
    for f in ("vmlinuz", "initrd.img"):
        shutil.copy(DEMO / f, root / f)
    (root / "pxelinux.cfg" / "default").write_text(
        "DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.img\n"
        f"  APPEND {LOAD_APPEND} wb.token={token}\n  IPAPPEND 3\n")
    os.chmod(root, 0o755)


def atftpd_argv(root, *extra):
    """atftpd logging each request (level 6) to stdout."""
    return [str(ATFTPD), "--daemon", "--no-fork", "--bind-address", SERVER, "--user",
            "root.root", "--verbose=6", "--logfile", "-", *extra, str(root)]


def process_cpu_seconds(pid, stat_fields):
    """CPU time of process pid, all its threads (exited ones too) and its
    reaped children, in seconds. The process's CPU clock (clock_gettime on
    the clock id clock_getcpuclockid(3) gives: ~pid << 3 | CPUCLOCK_SCHED)
    counts in nanoseconds where /proc/<pid>/stat counts 10 ms ticks;
    reaped children are only in stat's cutime + cstime (fields 16, 17)."""
    children = sum(int(x) for x in stat_fields[13:15]) / CLK_TCK
    try:
        return time.clock_gettime((~pid << 3) | 2) + children
    except OSError:
        # utime + stime (fields 14, 15 of proc(5); the list starts at field 3).
        return sum(int(x) for x in stat_fields[11:13]) / CLK_TCK + children


def ns_cpu_seconds(ns):
    """CPU seconds of every process in network namespace ns:
    {pid: (comm, seconds)}."""
    target = os.stat(f"/run/netns/{ns}").st_ino
    procs = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if os.stat(d / "ns" / "net").st_ino != target:
                continue
            stat = (d / "stat").read_text()
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            procs[int(d.name)] = (comm, process_cpu_seconds(int(d.name),
                                                            stat[stat.rindex(")") + 2:].split()))
        except (OSError, ValueError):
            continue
    return procs


def children_cpu():
    """CPU seconds of this process's reaped children (the QEMUs)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def boot_at_once(n, work, token, entries=("pvh", "rom"), config=None, tftpd_extra=()):
    """Start n VMs at once against one dnsmasq + atftpd (tftpd_extra: more
    atftpd options; config: wireboot's fw_cfg settings); wait for all.
    Returns a dict: results [(vm, Result)], the server logs, the server's
    link and CPU deltas, the per-tap counters, QEMU CPU, wall time."""
    tree = work / "root"
    make_tree(tree, token)
    (work / "d").mkdir(exist_ok=True)
    dlog, tlog = work / "dnsmasq.log", work / "atftpd.log"
    with Lan(taps=n) as lan:
        srv = lan.host("srv", SERVER)
        lan.spawn(srv, dnsmasq_argv(work / "d", dhcp_range=DHCP_RANGE, boot="pxelinux.0"),
                  log=dlog)
        lan.spawn(srv, atftpd_argv(tree, *tftpd_extra), log=tlog)
        time.sleep(0.5)
        link0, cpu0 = link_stats(srv, "eth0"), ns_cpu_seconds(srv)
        qemu0 = children_cpu()
        vms = [Vm(entry=entries[i % len(entries)], memory="256M", name=f"{token}-{i:02d}",
                  config=config,
                  netdevs=[f"tap,id=n0,ifname={lan.taps[i]},script=no,downscript=no"],
                  nics=[f"virtio-net-pci,netdev=n0,mac={vm_mac(i)}"]) for i in range(n)]
        load = os.getloadavg()[0]
        start = time.monotonic()
        runs = [vm.start(netns=lan.ns) for vm in vms]
        deadline = start + ROUND_TIMEOUT
        # Drain every console so no QEMU blocks on a full pipe; a console at
        # its end is not polled again.
        open_runs = list(runs)
        while open_runs and time.monotonic() < deadline:
            open_runs = [run for run in open_runs if run._pump(0.05)]
        results = [(vm, run.finish(timeout=max(1.0, deadline - time.monotonic())))
                   for vm, run in zip(vms, runs)]
        wall = time.monotonic() - start
        qemu = children_cpu() - qemu0
        link1, cpu1 = link_stats(srv, "eth0"), ns_cpu_seconds(srv)
        taps = [link_stats(lan.ns, t) for t in lan.taps]
    cpu = {}
    for pid, (comm, sec) in cpu1.items():
        cpu[comm] = cpu.get(comm, 0.0) + sec - cpu0.get(pid, (comm, 0.0))[1]
    return {"n": n, "work": work, "results": results, "dnsmasq": dlog.read_text(errors="replace"),
            "atftpd": tlog.read_text(errors="replace") if tlog.exists() else "",
            "link": {k: link1[k] - link0[k] for k in link1}, "cpu": cpu, "taps": taps,
            "qemu_cpu": qemu, "wall": wall, "load": load}


def check_vm(i, vm, r, run):
    """What is wrong with VM i's boot (a list of reasons, empty when it is
    right), and its lease address or None."""
    bad = []
    mac = vm_mac(i)
    if r.timed_out:
        bad.append("hang guard hit")
    acks = re.findall(rf"DHCPACK\(eth0\) (\S+) {mac}", run["dnsmasq"])
    lease = r.value(r"dhcp: net0 lease (\S+)/24 ")
    if not lease:
        bad.append("no lease line on its console")
    elif lease not in acks:
        bad.append(f"its lease {lease} is not one dnsmasq ACKed to {mac} ({acks})")
    for f in ("vmlinuz", "initrd.img"):
        if not r.lines(rf"tftp: {re.escape(SERVER)}:{f} [\d.]+ [KM]iB in \d+ ms"):
            bad.append(f"no completed fetch of {f} on its console")
        elif lease and not re.search(rf"Serving {f} to {re.escape(lease)}:\d+", run["atftpd"]):
            bad.append(f"atftpd's log shows no {f} served to {lease}")
    m = re.search(MARKER, r.output)
    if not m:
        bad.append("no initramfs marker")
    else:
        words = m.group(1).split()
        want = [f"BOOTIF=01-{mac.replace(':', '-')}", f"wb.token={run['token']}"]
        if lease:
            want.append(f"ip={lease}:{SERVER}:")
        for w in want:
            if not any(x.startswith(w) for x in words):
                bad.append(f"marker command line lacks {w}")
    faults = [f for f in FAULTS if re.search(f, r.output)]
    if faults:
        bad.append(f"kernel fault {faults}")
    if "reboot: Power down" not in r.output or r.exit_code != 0:
        bad.append(f"no clean power-off (exit {r.exit_code})")
    return bad, lease


def check_round(run):
    """Every VM's failures (name -> reasons) and the leases seen."""
    failures, leases = {}, {}
    for i, (vm, r) in enumerate(run["results"]):
        bad, lease = check_vm(i, vm, r, run)
        if lease:
            leases.setdefault(lease, []).append(vm.name)
        if bad:
            failures[vm.name] = bad + [f"log {r.log}"]
    for lease, names in leases.items():
        if len(names) > 1:
            for name in names:
                failures.setdefault(name, []).append(f"lease {lease} shared with {names}")
    return failures, leases


def vm_times(results):
    """What the VMs saw, in ms by their own clocks: the DHCP exchange and the
    kernel's and initrd's transfers, one list each (VMs that got that far),
    and the TFTP retransmissions (ACKs sent again) of all VMs together."""
    dhcp, fetch, resent = [], [], 0
    for _, r in results:
        resent += sum(int(x) for x in re.findall(r"tftp: .* (\d+) retransmits \(", r.output))
        d = r.value(r"dhcp: net0 lease .* in (\d+) ms")
        k = r.value(r"tftp: \S+:vmlinuz [\d.]+ MiB in (\d+) ms")
        i = r.value(r"tftp: \S+:initrd\.img [\d.]+ MiB in (\d+) ms")
        if d:
            dhcp.append(int(d))
        if k and i:
            fetch.append(int(k) + int(i))
    return dhcp, fetch, resent


def cost(run):
    """The server's cost per VM, from a round's deltas, and what the VMs saw."""
    n, link, cpu = run["n"], run["link"], run["cpu"]
    tx = [t["tx_bytes"] for t in run["taps"]]
    dhcp, fetch, resent = vm_times(run["results"])
    return {
        "n": n,
        "srv_tx_pkts": link["tx_packets"] / n, "srv_tx_bytes": link["tx_bytes"] / n,
        "srv_rx_pkts": link["rx_packets"] / n, "srv_rx_bytes": link["rx_bytes"] / n,
        "dnsmasq_ms": 1000 * cpu.get("dnsmasq", 0.0) / n,
        "atftpd_ms": 1000 * cpu.get("atftpd", 0.0) / n,
        "qemu_s": run["qemu_cpu"] / n, "wall": run["wall"], "load": run["load"],
        "tap_tx_min": min(tx), "tap_tx_max": max(tx), "resent": resent,
        # Frames the kernel dropped on the way to a VM: its tap's queue full
        # while QEMU did not read it.
        "tap_drops": sum(t["tx_dropped"] for t in run["taps"]),
        "dhcp_ms_med": statistics.median(dhcp) if dhcp else 0, "dhcp_ms_max": max(dhcp, default=0),
        "fetch_ms_med": statistics.median(fetch) if fetch else 0,
        "fetch_ms_max": max(fetch, default=0),
    }


def cost_line(c):
    return (f"scale: {c['n']} VMs in {c['wall']:.0f} s (load {c['load']:.1f} at start); "
            f"server per VM: sent {c['srv_tx_pkts']:.0f} frames / "
            f"{c['srv_tx_bytes'] / 1e6:.2f} MB, received {c['srv_rx_pkts']:.0f} frames / "
            f"{c['srv_rx_bytes'] / 1e3:.1f} kB, CPU dnsmasq {c['dnsmasq_ms']:.1f} ms + atftpd "
            f"{c['atftpd_ms']:.1f} ms; each VM's tap {c['tap_tx_min'] / 1e6:.2f}-"
            f"{c['tap_tx_max'] / 1e6:.2f} MB, {c['tap_drops']} frames dropped at the taps, "
            f"{c['resent']} TFTP retransmissions by the VMs; QEMU CPU per VM "
            f"{c['qemu_s']:.1f} s; DHCP {c['dhcp_ms_med']:.0f} ms median, "
            f"{c['dhcp_ms_max']:.0f} max; kernel + initrd {c['fetch_ms_med']:.0f} ms median, "
            f"{c['fetch_ms_max']:.0f} max")


def run_rounds(count, rounds, base, token, **how):
    """rounds rounds of count VMs (how: boot_at_once's options); yields
    (round, run, failures, cost)."""
    for k in range(rounds):
        work = base / f"r{k}"
        work.mkdir(parents=True)
        tok = f"{token}-r{k}"
        run = boot_at_once(count, work, tok, **how)
        run["token"] = tok
        failures, _ = check_round(run)
        yield k, run, failures, cost(run)


@needs_lab
def test_many_vms_from_one_server(tmp_path, vm_name):
    if not (DEMO / "vmlinuz").exists():
        pytest.fail("build/demo is missing: make test builds it (make demo)")
    if not ATFTPD.exists():
        pytest.fail("third_party/atftpd is missing: scripts/deps.sh unpacks it")
    summary, report = [], []
    for k, run, failures, c in run_rounds(COUNT, ROUNDS, tmp_path, vm_name):
        ok = COUNT - len(failures)
        summary.append(f"{ok}/{COUNT}")
        print(f"round {k + 1}: {ok} of {COUNT} booted; " + cost_line(c), flush=True)
        for name, why in failures.items():
            report.append(f"round {k + 1} {name}: " + "; ".join(why)
                          + f"; server logs in {run['work']}")
        # The server really did the work: at least the kernel and initrd
        # once per VM left through its interface.
        size = sum((DEMO / f).stat().st_size for f in ("vmlinuz", "initrd.img"))
        assert c["srv_tx_bytes"] >= size * (ok / COUNT), c
        assert run["cpu"].get("atftpd", 0) > 0 and "dnsmasq" in run["cpu"], run["cpu"]
    assert not report, (f"rounds: {', '.join(summary)}; failures:\n" + "\n".join(report))


def main(argv):
    count = int(argv[0]) if argv else 16
    rounds = int(argv[1]) if len(argv) > 1 else 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="wbscale") as w:
        for k, run, failures, c in run_rounds(count, rounds, Path(w), f"scale{count}"):
            print(f"round {k + 1}: {count - len(failures)} of {count} booted; "
                  + cost_line(c), flush=True)
            for name, why in failures.items():
                print(f"  {name}: " + "; ".join(why), flush=True)
            rows.append((c, count - len(failures)))
    print_table(rows)


def print_table(rows):
    """The markdown table for docs/benchmarks.md, one row per round."""
    print("| VMs | booted | wall (load) | server sent per VM | server received per VM "
          "| dnsmasq CPU per VM | atftpd CPU per VM | QEMU CPU per VM | DHCP, median/max "
          "| kernel + initrd, median/max | TFTP retransmissions, tap drops |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for c, ok in rows:
        print(f"| {c['n']} | {ok}/{c['n']} | {c['wall']:.0f} s ({c['load']:.1f}) "
              f"| {c['srv_tx_pkts']:.0f} frames, {c['srv_tx_bytes'] / 1e6:.2f} MB "
              f"| {c['srv_rx_pkts']:.0f} frames, {c['srv_rx_bytes'] / 1e3:.1f} kB "
              f"| {c['dnsmasq_ms']:.1f} ms | {c['atftpd_ms']:.1f} ms | {c['qemu_s']:.1f} s "
              f"| {c['dhcp_ms_med']:.0f}/{c['dhcp_ms_max']:.0f} ms "
              f"| {c['fetch_ms_med']:.0f}/{c['fetch_ms_max']:.0f} ms "
              f"| {c['resent']}, {c['tap_drops']} |")


if __name__ == "__main__":
    main(sys.argv[1:])
