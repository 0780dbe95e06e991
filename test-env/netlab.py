"""Namespaced test networks: a bridge with a tap for QEMU, and hosts on
veth pairs that run real servers (dnsmasq, tftpd, nginx).

    with Lan() as lan:
        srv = lan.host("srv", "192.168.77.1")
        lan.spawn(srv, ["dnsmasq", ...])
        vm.run(netns=lan.ns)  # QEMU runs inside the bridge namespace

Lan(taps=N) puts N taps on the bridge, tap0 .. tap<N-1>, one per VM.
link_stats() reads an interface's packet and byte counters.

Everything it creates (namespaces, and with them the bridge, tap and veths)
and every process it starts is removed on exit, by name and pid.
"""
import itertools
import json
import os
import signal
import subprocess
import time

_counter = itertools.count()
PREFIX = "192.168.77"


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


class Lan:
    def __init__(self, taps=1):
        self.id = f"wb{os.getpid() % 100000}x{next(_counter)}"
        self.ns = self.id  # the bridge's namespace; QEMU's taps live here
        self.taps = [f"tap{i}" for i in range(taps)]
        self.hosts = []
        self.procs = []

    def __enter__(self):
        sh("ip", "netns", "add", self.ns)
        try:
            cmds = [["link", "set", "lo", "up"],
                    ["link", "add", "br0", "type", "bridge"],
                    ["link", "set", "br0", "up"]]
            for tap in self.taps:
                cmds += [["tuntap", "add", "dev", tap, "mode", "tap"],
                         ["link", "set", tap, "master", "br0"],
                         ["link", "set", tap, "up"]]
            for cmd in cmds:
                sh("ip", "-n", self.ns, *cmd)
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def host(self, name, ip):
        """A namespace with eth0 = ip/24 on the bridge. Returns its name."""
        hns = f"{self.id}{name}"
        sh("ip", "netns", "add", hns)
        self.hosts.append(hns)
        veth = f"v{len(self.hosts)}{self.id}"[:15]
        sh("ip", "-n", self.ns, "link", "add", veth, "type", "veth", "peer", "name", "eth0",
           "netns", hns)
        sh("ip", "-n", self.ns, "link", "set", veth, "master", "br0")
        sh("ip", "-n", self.ns, "link", "set", veth, "up")
        sh("ip", "-n", hns, "link", "set", "lo", "up")
        sh("ip", "-n", hns, "addr", "add", f"{ip}/24", "dev", "eth0")
        sh("ip", "-n", hns, "link", "set", "eth0", "up")
        return hns

    def spawn(self, ns, argv, log=None):
        """Start argv inside namespace ns; it is killed when the Lan closes."""
        out = open(log, "w") if log else subprocess.DEVNULL
        p = subprocess.Popen(["ip", "netns", "exec", ns] + list(argv), stdout=out,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def run(self, ns, argv, timeout=30):
        return subprocess.run(["ip", "netns", "exec", ns] + list(argv), capture_output=True,
                              text=True, timeout=timeout)

    def __exit__(self, *exc):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 5
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for ns in self.hosts + [self.ns]:
            sh("ip", "netns", "del", ns, check=False)
        return False


def link_stats(ns, dev):
    """The counters of interface dev in namespace ns, as the kernel keeps
    them: {"rx_bytes", "rx_packets", "tx_bytes", "tx_packets", ...}."""
    out = sh("ip", "-n", ns, "-j", "-s", "link", "show", "dev", dev).stdout
    st = json.loads(out)[0]["stats64"]
    return {f"{way}_{k}": v for way in ("rx", "tx") for k, v in st[way].items()}


def dnsmasq_argv(workdir, *extra, dhcp_range=None, proxy=False, tftp_root=None,
                 reply_delay=0, boot=None):
    """dnsmasq as a DHCP server (or proxyDHCP), no DNS, logging to stdout."""
    argv = ["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--no-ping",
            "--interface=eth0", "--bind-interfaces", "--log-dhcp", "--log-facility=-",
            f"--dhcp-leasefile={workdir}/leases", f"--pid-file={workdir}/dnsmasq.pid"]
    if proxy:
        argv.append(f"--dhcp-range={PREFIX}.0,proxy")
    else:
        argv.append(f"--dhcp-range={dhcp_range or f'{PREFIX}.100,{PREFIX}.150,255.255.255.0,1h'}")
    if reply_delay:
        argv.append(f"--dhcp-reply-delay={reply_delay}")
    if boot:
        argv.append(f"--dhcp-boot={boot}")
    if tftp_root:
        argv += ["--enable-tftp", f"--tftp-root={tftp_root}"]
    return argv + list(extra)


def kea_argv(workdir, conf):
    """ISC Kea's DHCPv4 server in the foreground with config file conf; its
    PID file and logger lock file go to workdir instead of /run (the
    config itself must put the lease file and any control socket there)."""
    return ["env", f"KEA_PIDFILE_DIR={workdir}", f"KEA_LOCKFILE_DIR={workdir}",
            "kea-dhcp4", "-c", str(conf)]
