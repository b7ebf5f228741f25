"""Shared by the benchmarks: nginx on a free loopback port with its own config (one worker
pinned to core 1), waiting for an idle machine, measuring a child's CPU and memory, and
running tools in alternating rounds."""
import collections, os, shutil, socket, statistics, subprocess, sys, tempfile, time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_busy_fraction(seconds=1.0):
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]
    t0, i0 = snap(); time.sleep(seconds); t1, i1 = snap()
    return 1 - (i1 - i0) / max(1, t1 - t0)


def wait_until_idle(limit=0.15, timeout=60):
    """The machine is shared: start a measurement only when it is quiet (or after timeout)."""
    end = time.time() + timeout
    while time.time() < end:
        if cpu_busy_fraction() < limit:
            return True
    print("warning: machine still busy, measuring anyway", file=sys.stderr)
    return False


def measured(cmd):
    """Runs cmd to its end; returns (CPU seconds user+sys, peak RSS KiB, wall seconds) of it alone."""
    pid = os.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    start = time.time()
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 99):
        raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss, time.time() - start


class Nginx:
    """nginx answering "ok" to everything, for as long as the object lives; with tls=True,
    over TLS with HTTP/2 (ALPN) and a self-signed certificate made here. One worker pinned
    to core 1 unless told otherwise (pin=None: not pinned). `locations` replaces the one
    location; with log=True it logs each request's path, for `requests_by_path`."""

    def __init__(self, tls=False, workers=1, pin="1", locations='location / { return 200 "ok"; }', log=False):
        self.work = tempfile.mkdtemp(prefix="stampede-bench-")
        self.port = free_port()
        listen = f"127.0.0.1:{self.port} backlog=4096"
        extra = ""
        if tls:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                            "-days", "1", "-keyout", f"{self.work}/key.pem", "-out", f"{self.work}/cert.pem",
                            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
                           check=True, capture_output=True)
            listen += " ssl http2"
            extra = f"ssl_certificate {self.work}/cert.pem; ssl_certificate_key {self.work}/key.pem; http2_max_concurrent_streams 1000;"
        access_log = f"log_format path '$uri'; access_log {self.work}/access.log path;" if log else "access_log off;"
        conf = os.path.join(self.work, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off; worker_processes {workers}; worker_rlimit_nofile 30000; pid {self.work}/nginx.pid; error_log {self.work}/error.log;
events {{ worker_connections 20000; }}
http {{ {access_log} keepalive_requests 100000000; keepalive_timeout 300s;
  server {{ listen {listen}; {extra} {locations} }} }}
""")
        command = ["nginx", "-c", conf, "-p", self.work]
        self.process = subprocess.Popen(["taskset", "-c", pin] + command if pin else command)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/"
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("nginx did not start")

    def requests_by_path(self):
        """The requests nginx answered, by path (log=True): a count kept outside the client."""
        with open(os.path.join(self.work, "access.log")) as f:
            return collections.Counter(line.rstrip("\n") for line in f)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.work, ignore_errors=True)


TICK = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds():
    """CPU seconds every core has spent busy since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / TICK


def own_seconds():
    """CPU seconds of this process, its waited-for children, and its running descendants (nginx)."""
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    parents = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(pid)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
        except (OSError, IndexError, ValueError):
            pass
    me = os.getpid()
    for pid, (ppid, cpu) in parents.items():
        while ppid not in (0, 1, me) and ppid in parents:
            ppid = parents[ppid][0]
        if ppid == me and pid != me:
            total += cpu
    return total


def with_foreign_cpu(run):
    """Runs run(); adds to its figures the CPU seconds other processes of the machine (another
    engineer's build) spent meanwhile: a round with much of it is not comparable."""
    busy0, own0 = machine_busy_seconds(), own_seconds()
    result = run()
    result["foreign_cpu_s"] = max(0.0, (machine_busy_seconds() - busy0) - (own_seconds() - own0))
    return result


def alternating_rounds(rounds, tools, run_one):
    """Runs each tool once a round, alternating which goes first, each after the machine is
    idle; run_one(tool, round) returns a dict of figures. Returns the medians per tool."""
    rows = {tool: [] for tool in tools}
    for round_ in range(rounds):
        for tool in tools if round_ % 2 == 0 else tuple(reversed(tools)):
            wait_until_idle()
            figures = run_one(tool, round_)
            rows[tool].append(figures)
            print(f"round {round_ + 1} {tool:9s} {figures['rps']:10.0f} req/s  {figures['cpu_us_per_req']:6.2f} CPU µs/req",
                  file=sys.stderr)
    return rows, {tool: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for tool, runs in rows.items()}
