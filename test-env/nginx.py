"""nginx (Debian's nginx-light) for the tests and benches: one server on
port 80 of an address in a namespace, serving a directory, with every file
it writes (pid, logs, temp dirs) in its own work dir. Each user picks the
access-log format it parses."""
import os
import signal
import time

# Access-log formats the users parse.
LOG_CONNECTIONS = '$connection $connection_requests "$request" $status $body_bytes_sent'
LOG_RANGES = LOG_CONNECTIONS + ' "$http_range"'
LOG_TIMES = '"$request" $status $body_bytes_sent $request_time'

CONF = """\
user root;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
    log_format wb '{log_format}';
    access_log {d}/access.log wb;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 60;
    server {{
        listen {ip}:80;
        root {root};
{server_extra}    }}
}}
"""


class Nginx:
    """nginx in namespace ns of lan serving root at ip:80, its files in
    d; start() and stop() may be called again (same config, same logs)."""

    def __init__(self, lan, ns, d, ip, root, log_format=LOG_CONNECTIONS, server_extra=""):
        self.lan, self.ns, self.d = lan, ns, d
        d.mkdir(parents=True, exist_ok=True)
        self.conf = d / "nginx.conf"
        self.conf.write_text(CONF.format(d=d, ip=ip, root=root, log_format=log_format,
                                         server_extra=server_extra))
        self.proc = None

    def start(self, timeout=10):
        pid = self.d / "nginx.pid"
        pid.unlink(missing_ok=True)
        self.proc = self.lan.spawn(self.ns, ["nginx", "-e", str(self.d / "error.log"), "-c",
                                             str(self.conf), "-g", "daemon off;"],
                                   log=self.d / "stdout.log")
        end = time.monotonic() + timeout
        while not pid.exists():
            if time.monotonic() > end:
                raise RuntimeError(f"nginx did not start in {timeout} s; see {self.d}")
            time.sleep(0.05)
        return self

    def stop(self):
        """nginx's fast shutdown (SIGTERM): open connections are closed."""
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=10)

    def log_lines(self):
        p = self.d / "access.log"
        return p.read_text().splitlines() if p.exists() else []
