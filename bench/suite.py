"""Stampede beside its peers, every figure measured in the same run against nginx on loopback:
one table (tool, mode, requests/s, p50, p99, client CPU per request, peak RSS) and a ratio
line for every performance target, also written as JSON under bench/results/ (ignored by git).

Sections (--only picks some):
  h1       HTTP/1.1 keep-alive, 50 connections; nginx on core 1, the client on core 0: wrk,
           Stampede (--url, and a scenario with a check and a name tag on every request),
           the minimal libcurl loop (bench/curl_loop.c), the same loop with Stampede's libcurl
           options, and k6.
  open     constant-arrival-rate at 20,000/s on one worker (core 0), and k6 at the same rate.
  h2       HTTP/2 over TLS, same connections and streams: h2load, Stampede, the libcurl loop
           (also with Stampede's libcurl options).
  cores    nothing pinned, nginx with two workers: wrk -t2, Stampede --workers 2, the libcurl
           loop on two threads.
  memory   peak RSS at 1,000, 5,000 and 10,000 VUs (one request, then a 1 s think), and k6.
  startup  wall time of a one-request run, and k6's, medians of 10.
Each tool runs --rounds times in alternation, each run after the machine is idle; figures
are medians."""
import argparse, json, os, re, resource, statistics, subprocess, sys, time

from benchlib import Nginx, alternating_rounds, measured, wait_until_idle

SECTIONS = ("h1", "open", "h2", "cores", "memory", "startup")


class Suite:
    def __init__(self, args):
        self.args = args
        self.rows = []     # one per tool and mode: the table
        self.ratios = []   # what, value, target (None: shown, not judged); lower is better
        self.work = None

    # Running tools -------------------------------------------------------------------------

    def stampede(self, target, args, pin="0"):
        """Runs Stampede; returns CPU seconds, peak RSS KiB, wall seconds and its summary metrics."""
        export = os.path.join(self.work, "summary.json")
        cpu, rss, wall = measured(["sh", "-c", f"exec {pinned(pin)}{self.args.stampede} run {target} {args} --quiet "
                                               f"--summary-export {export} --results-dir {self.work}/results > {self.work}/stampede.out 2>&1"])
        return cpu, rss, wall, json.load(open(export))["metrics"]

    def k6(self, script, args, pin="0"):
        export = os.path.join(self.work, "k6.json")
        cpu, rss, wall = measured(["sh", "-c", f"exec {pinned(pin)}k6 run --no-usage-report -q "
                                               f"--summary-trend-stats 'avg,min,med,max,p(90),p(95),p(99)' --summary-export {export} "
                                               f"{args} {script} > {self.work}/k6.out 2>&1"])
        return cpu, rss, wall, json.load(open(export))["metrics"]

    def stampede_figures(self, target, args, pin="0"):
        cpu, rss, _, metrics = self.stampede(target, args, pin)
        return self.from_summary(cpu, rss, metrics)

    def k6_figures(self, script, args, pin="0"):
        cpu, rss, _, metrics = self.k6(script, args, pin)
        return self.from_summary(cpu, rss, metrics)

    def loop_figures(self, url, transfers, options="", pin="0"):
        """The libcurl loop (bench/curl_loop.c): it counts completed requests, nothing more."""
        out = os.path.join(self.work, "curl_loop.out")
        cpu, rss, wall = measured(["sh", "-c", f"exec {pinned(pin)}{self.loop_binary} {url} {transfers} "
                                               f"{self.args.duration} {options} > {out}"])
        done = int(open(out).read().strip())
        return self.figures(cpu, rss, done, done / wall)

    @staticmethod
    def figures(cpu, rss, requests, rps, p50=float("nan"), p99=float("nan")):
        return {"rps": rps, "requests": requests, "cpu_us_per_req": cpu * 1e6 / max(requests, 1),
                "rss_mib": rss / 1024, "p50_ms": p50, "p99_ms": p99}

    def from_summary(self, cpu, rss, metrics):
        reqs = metrics["http_reqs"]
        trend = metrics["http_req_duration"]
        return self.figures(cpu, rss, reqs["count"], reqs["rate"], trend["med"], trend["p(99)"])

    def wrk(self, url, threads, connections, pin="0"):
        out = os.path.join(self.work, "wrk.out")
        cpu, rss, _ = measured(["sh", "-c", f"exec {pinned(pin)}wrk -t{threads} -c{connections} -d{self.args.duration}s "
                                            f"--latency {url} > {out}"])
        text = open(out).read()

        def latency(label):
            m = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
            return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)] if m else float("nan")

        total = int(re.search(r"(\d+) requests in", text).group(1))
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        return self.figures(cpu, rss, total, rps, latency("50%"), latency("99%"))

    def measure(self, section, mode, runners):
        """Runs each tool of `runners` (name → function of the round) in alternating rounds and
        adds the medians to the table; returns them by tool."""
        _, medians = alternating_rounds(self.args.rounds, tuple(runners), lambda tool, r: runners[tool](r))
        for tool, m in medians.items():
            self.rows.append({"section": section, "tool": tool, "mode": mode, **m})
        return medians

    def ratio(self, what, value, target=None):
        self.ratios.append({"what": what, "value": value, "target": target})

    def write_file(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    # Sections ------------------------------------------------------------------------------

    def h1(self):
        nginx = Nginx()
        self.work = nginx.work
        url, n, d = nginx.url, self.args.connections, self.args.duration
        k6_script = self.write_file("get.js", "import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n")
        plan = self.write_file("checked.yaml", f"""
thresholds:
  "http_req_duration{{name:home}}": ["p(99)<5000"]
scenarios:
  checked:
    executor: constant-vus
    vus: {n}
    duration: {d}s
    flow:
      - get: {url}
        name: home
        checks:
          - status: 200
""")
        try:
            m = self.measure("h1", f"HTTP/1.1, {n} connections, pinned", {
                "wrk": lambda r: self.wrk(url, 1, n),
                "stampede": lambda r: self.stampede_figures(f"--url {url}", f"--vus {n} --duration {d}s --workers 1"),
                "stampede-scenario": lambda r: self.stampede_figures(plan, "--workers 1"),
                "libcurl": lambda r: self.loop_figures(url, n),
                "libcurl-options": lambda r: self.loop_figures(url, n, "--stampede-options"),
                "k6": lambda r: self.k6_figures(k6_script, f"--vus {n} --duration {d}s -e URL={url}"),
            })
        finally:
            nginx.stop()
        cpu = {tool: figures["cpu_us_per_req"] for tool, figures in m.items()}
        for mode in ("stampede", "stampede-scenario"):
            self.ratio(f"{mode}/k6 CPU per request", cpu[mode] / cpu["k6"], 0.2)
            self.ratio(f"{mode}/minimal libcurl loop CPU per request", cpu[mode] / cpu["libcurl"], 1.05)
            self.ratio(f"{mode}/libcurl loop with the same options CPU per request", cpu[mode] / cpu["libcurl-options"])
        self.ratio("stampede/wrk CPU per request", cpu["stampede"] / cpu["wrk"], 1.5)
        self.ratio("stampede/wrk requests/s", m["stampede"]["rps"] / m["wrk"]["rps"])

    def open_model(self):
        nginx = Nginx()
        self.work = nginx.work
        rate, d = self.args.rate, self.args.duration
        plan = self.write_file("rate.yaml", f"""
scenarios:
  rate:
    executor: constant-arrival-rate
    rate: {rate}
    duration: {d}s
    preAllocatedVUs: 200
    maxVUs: 2000
    flow:
      - get: {nginx.url}
""")
        k6_script = self.write_file("rate.js", f"""import http from 'k6/http';
export const options = {{ scenarios: {{ rate: {{ executor: 'constant-arrival-rate', rate: {rate}, timeUnit: '1s',
  duration: '{d}s', preAllocatedVUs: 200, maxVUs: 2000 }} }} }};
export default function () {{ http.get(__ENV.URL); }}
""")
        def run(tool):
            if tool == "stampede":
                cpu, rss, _, metrics = self.stampede(plan, "--workers 1")
            else:
                cpu, rss, _, metrics = self.k6(k6_script, f"-e URL={nginx.url}")
            done = metrics["iterations"]["count"]
            dropped = metrics.get("dropped_iterations", {}).get("count", 0)
            figures = self.from_summary(cpu, rss, metrics)
            figures.update({"dropped_pct": 100.0 * dropped / (rate * d), "rate_error_pct": 100.0 * (done / d - rate) / rate})
            return figures

        try:
            m = self.measure("open", f"constant-arrival-rate {rate}/s, 1 core", {"stampede": lambda r: run("stampede"),
                                                                                   "k6": lambda r: run("k6")})
        finally:
            nginx.stop()
        for tool in ("stampede", "k6"):
            self.ratio(f"{tool} dropped iterations at {rate}/s, %", m[tool]["dropped_pct"], 0.1 if tool == "stampede" else None)
            self.ratio(f"{tool} completed rate off plan at {rate}/s, % (abs)", abs(m[tool]["rate_error_pct"]),
                       1.0 if tool == "stampede" else None)

    def h2(self):
        nginx = Nginx(tls=True)
        self.work = nginx.work
        c, s, d = self.args.h2_connections, self.args.h2_streams, self.args.duration
        url = nginx.url

        def h2load(r):
            out = os.path.join(self.work, "h2load.out")
            cpu, rss, _ = measured(["sh", "-c", f"exec taskset -c 0 h2load -c {c} -m {s} -D {d} {url} > {out}"])
            text = open(out).read()
            done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", text).group(1))
            rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1))
            return self.figures(cpu, rss, done, rps)

        stampede_args = (f"--vus {c * s} --duration {d}s --workers 1 --insecure-skip-tls-verify --connection-scope worker "
                         f"--connections-per-host {c} --streams-per-connection {s}")
        try:
            m = self.measure("h2", f"HTTP/2 over TLS, {c} connections × {s} streams, pinned", {
                "h2load": h2load,
                "stampede": lambda r: self.stampede_figures(f"--url {url}", stampede_args),
                "libcurl": lambda r: self.loop_figures(url, c * s, f"--http2 {s}"),
                "libcurl-options": lambda r: self.loop_figures(url, c * s, f"--http2 {s} --stampede-options"),
            })
        finally:
            nginx.stop()
        self.ratio("h2 stampede/minimal libcurl loop CPU per request", m["stampede"]["cpu_us_per_req"] / m["libcurl"]["cpu_us_per_req"], 1.05)
        self.ratio("h2 stampede/libcurl loop with the same options CPU per request",
                   m["stampede"]["cpu_us_per_req"] / m["libcurl-options"]["cpu_us_per_req"])
        self.ratio("h2 stampede/h2load CPU per request", m["stampede"]["cpu_us_per_req"] / m["h2load"]["cpu_us_per_req"])

    def cores(self):
        nginx = Nginx(workers=2, pin=None)
        self.work = nginx.work
        n, d, url = self.args.connections, self.args.duration, nginx.url
        try:
            m = self.measure("cores", f"HTTP/1.1, {n} connections, 2 client threads, nothing pinned", {
                "wrk": lambda r: self.wrk(url, 2, n, pin=None),
                "stampede": lambda r: self.stampede_figures(f"--url {url}", f"--vus {n} --duration {d}s --workers 2", pin=None),
                "libcurl": lambda r: self.loop_figures(url, n // 2, "--threads 2", pin=None),
            })
        finally:
            nginx.stop()
        self.ratio("2 cores stampede/wrk requests/s", m["stampede"]["rps"] / m["wrk"]["rps"])
        self.ratio("2 cores stampede/libcurl two-thread loop requests/s", m["stampede"]["rps"] / m["libcurl"]["rps"])

    def memory(self):
        nginx = Nginx()
        self.work = nginx.work
        script = self.write_file("think.js", "import http from 'k6/http';\nimport { sleep } from 'k6';\n"
                                             "export default function () { http.get(__ENV.URL); sleep(1); }\n")
        plan = self.write_file("think.yaml", f"""
scenarios:
  think:
    executor: constant-vus
    vus: 1
    duration: 1s
    flow:
      - get: {nginx.url}
      - think: 1s
""")
        seconds = 5
        try:
            for vus in (1000, 5000, 10000):
                rss = {}
                for tool in ("stampede", "k6"):
                    wait_until_idle()
                    if tool == "stampede":
                        _, peak, _, metrics = self.stampede(plan, f"--vus {vus} --duration {seconds}s", pin=None)
                    else:
                        _, peak, _, metrics = self.k6(script, f"--vus {vus} --duration {seconds}s -e URL={nginx.url}", pin=None)
                    rss[tool] = peak / 1024
                    self.rows.append({"section": "memory", "tool": tool, "mode": f"{vus} VUs, 1 s think",
                                      "rps": metrics["http_reqs"]["rate"], "requests": metrics["http_reqs"]["count"],
                                      "cpu_us_per_req": float("nan"), "rss_mib": rss[tool],
                                      "p50_ms": metrics["http_req_duration"]["med"], "p99_ms": metrics["http_req_duration"]["p(99)"]})
                    print(f"memory {tool:9s} {vus:6d} VUs {rss[tool]:8.1f} MiB", file=sys.stderr)
                self.ratio(f"peak RSS stampede/k6 at {vus} VUs", rss["stampede"] / rss["k6"], 0.1)
        finally:
            nginx.stop()

    def startup(self):
        nginx = Nginx()
        self.work = nginx.work
        script = self.write_file("one.js", "import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n")
        commands = {
            "stampede": f"{self.args.stampede} run --url {nginx.url} --quiet --results-dir {self.work}/results",
            "k6": f"k6 run --no-usage-report -q --iterations 1 -e URL={nginx.url} {script}",
        }
        walls = {tool: [] for tool in commands}
        try:
            wait_until_idle()
            for _ in range(10):  # alternating, so both see the same machine
                for tool, command in commands.items():
                    walls[tool].append(measured(["sh", "-c", f"exec {command} > /dev/null 2>&1"])[2])
        finally:
            nginx.stop()
        for tool, values in walls.items():
            self.rows.append({"section": "startup", "tool": tool, "mode": "one request, wall ms", "rps": float("nan"),
                              "requests": 1, "cpu_us_per_req": float("nan"), "rss_mib": float("nan"),
                              "p50_ms": statistics.median(values) * 1000, "p99_ms": max(values) * 1000})
        self.ratio("start-up wall time stampede/k6", statistics.median(walls["stampede"]) / statistics.median(walls["k6"]), 0.5)

    # Report --------------------------------------------------------------------------------

    def report(self):
        print(f"\n{'section':8s} {'tool':18s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'CPU µs/req':>11s} {'peak RSS MiB':>13s}  mode")
        for row in self.rows:
            print(f"{row['section']:8s} {row['tool']:18s} {row['rps']:9.0f} {row['p50_ms']:8.3f} {row['p99_ms']:8.3f} "
                  f"{row['cpu_us_per_req']:11.2f} {row['rss_mib']:13.1f}  {row['mode']}")
        print()
        for r in self.ratios:
            verdict = "" if r["target"] is None else ("  met" if r["value"] <= r["target"] else "  NOT met")
            target = "" if r["target"] is None else f" (target ≤ {r['target']})"
            print(f"{r['what']}: {r['value']:.2f}{target}{verdict}")
        os.makedirs("bench/results", exist_ok=True)
        path = time.strftime("bench/results/suite-%Y%m%dT%H%M%SZ.json", time.gmtime())
        with open(path, "w") as f:
            json.dump({"config": vars(self.args), "machine": machine(), "rows": self.rows, "ratios": self.ratios}, f, indent=2)
        print(f"written: {path}")


def pinned(cores):
    """The command prefix that pins a tool to `cores`, or nothing."""
    return f"taskset -c {cores} " if cores else ""


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": os.uname().release,
            "libcurl": subprocess.run(["curl-config", "--version"], capture_output=True, text=True).stdout.strip()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stampede", required=True)
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--rate", type=int, default=20000)
    ap.add_argument("--h2-connections", type=int, default=10)
    ap.add_argument("--h2-streams", type=int, default=10)
    args = ap.parse_args()
    sections = args.only.split(",")
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        ap.error(f"unknown section {unknown[0]}; sections: {', '.join(SECTIONS)}")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # k6 does not raise its own
    suite = Suite(args)
    loop = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "curl_loop")
    os.makedirs(os.path.dirname(loop), exist_ok=True)
    subprocess.run(["cc", "-O2", os.path.join(os.path.dirname(__file__), "curl_loop.c"), "-lcurl", "-lpthread", "-o", loop], check=True)
    suite.loop_binary = loop
    for section in sections:
        print(f"== {section}", file=sys.stderr)
        getattr(suite, "open_model" if section == "open" else section)()
    suite.report()


if __name__ == "__main__":
    main()
