"""Soak: one long run of four scenarios at once against nginx on loopback, watching the
process for growth. VU churn (ramping-vus 0 → 2,000 → 0, a cycle a minute), an arrival
rate that outgrows its VUs (ramping-arrival-rate 20 → 400/s on at most 300 VUs, which
each serve 1/s), a location that closes every connection after 3 requests, and templated
requests (a CSV feeder, a token extracted from one response and sent in the next, which
nginx checks). Every second: RSS, open descriptors and threads from /proc, and the
workers' queue sizes from timeline.ndjson. After the warm-up, the slope of each series'
per-cycle minima must be zero within its noise, and Stampede's request count per scenario
must equal nginx's access log. Usage: bench/soak [--duration 30m] (builds first)."""
import argparse, datetime, json, math, os, re, resource, subprocess, sys, time

from benchlib import Nginx

PEAK_VUS, ARRIVAL_VUS, RATE_LOW, RATE_HIGH = 2000, 300, 20, 400
USERS = 1000
# Each scenario's own paths, so nginx's log counts each scenario's requests.
PATHS = {"churn": ["/churn"], "arrivals": ["/arrival"], "closing": ["/close"], "templated": ["/login", "/orders"]}
LOCATIONS = """
location = /churn { return 200 "ok"; }
location = /arrival { return 200 "ok"; }
location = /close { keepalive_requests 3; return 200 "ok"; }
location = /login { default_type application/json; return 200 '{"token":"t-$arg_user"}'; }
location = /orders { if ($arg_token != "t-$arg_user") { return 403; } return 200 "ok"; }
"""


def seconds(text):
    """'30m', '2h', '1h30m', '90s' or a number of seconds."""
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", text)
    if not text or not parts:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 30m, 2h, 90s)")
    h, m, s = (int(p or 0) for p in parts.groups())
    return h * 3600 + m * 60 + s


def plan(cycles, cycle):
    """The four scenarios, each lasting `cycles` cycles; churn and arrival rate follow the
    same cycle (up 40 %, hold 10 %, down 40 %, rest 10 %), so every series repeats with it."""
    up, hold = f"{cycle * 0.4:g}s", f"{cycle * 0.1:g}s"
    def stages(high, low):
        return [{"duration": up, "target": high}, {"duration": hold, "target": high},
                {"duration": up, "target": low}, {"duration": hold, "target": low}] * cycles
    duration = f"{cycles * cycle}s"
    return {"name": "soak", "scenarios": {
        "churn": {"executor": "ramping-vus", "startVUs": 0, "stages": stages(PEAK_VUS, 0),
                  # Thinking VUs keep 2 cores able to serve 2,000 of them.
                  "flow": [{"get": "/churn"}, {"think": {"between": ["500ms", "1500ms"]}}]},
        "arrivals": {"executor": "ramping-arrival-rate", "startRate": RATE_LOW, "stages": stages(RATE_HIGH, RATE_LOW),
                     "preAllocatedVUs": 20, "maxVUs": ARRIVAL_VUS, "flow": [{"get": "/arrival"}, {"think": "1s"}]},
        "closing": {"executor": "constant-vus", "vus": 20, "duration": duration,
                    "flow": [{"get": "/close", "checks": [{"status": 200}]}, {"think": "100ms"}]},
        "templated": {"executor": "constant-vus", "vus": 50, "duration": duration,
                      "feeder": {"file": "users.csv", "strategy": "circular"},
                      "flow": [{"get": "/login?user={{user}}", "extract": {"token": {"json": "token"}}},
                               {"get": "/orders?user={{user}}&token={{token}}", "checks": [{"status": 200}]},
                               {"think": "500ms"}]},
    }}


def proc_sample(pid):
    """RSS in MiB, open descriptors and threads of a running process."""
    with open(f"/proc/{pid}/status") as f:
        status = dict(line.split(":", 1) for line in f)
    return {"rss_mib": int(status["VmRSS"].split()[0]) / 1024, "fds": len(os.listdir(f"/proc/{pid}/fd")),
            "threads": int(status["Threads"])}


def run_sampled(cmd):
    """Runs cmd, reading /proc once a second (on a fixed schedule, not drifting); returns
    the samples, each with `t`, its seconds since the start, and the exit code."""
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    start = time.monotonic()
    samples = []
    while process.poll() is None:
        try:
            samples.append({"t": time.monotonic() - start, **proc_sample(process.pid)})
        except (OSError, KeyError):
            pass  # it ended between poll() and the read
        time.sleep(max(0.0, start + len(samples) + 1 - time.monotonic()))
    return samples, process.wait()


def slope(points):
    """Least-squares slope of (x, y) points and its standard error (inf with under 3 points)."""
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    if n < 3:
        return b, math.inf
    residuals = sum((y - my - b * (x - mx)) ** 2 for x, y in points)
    return b, math.sqrt(residuals / (n - 2) / sxx)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stampede", required=True)
    ap.add_argument("--duration", type=seconds, default="5m", help="length of the load, whole cycles (default 5m)")
    ap.add_argument("--warmup", type=seconds, default="2m", help="left out of the slopes, whole cycles (default 2m)")
    ap.add_argument("--cycle", type=seconds, default="1m", help="one churn cycle 0 → 2,000 → 0 VUs (default 1m)")
    args = ap.parse_args()
    cycles, skip = args.duration // args.cycle, math.ceil(args.warmup / args.cycle)
    if cycles - skip < 3:
        raise SystemExit(f"--duration must leave 3 cycles of {args.cycle} s after the warm-up for a slope and its noise")

    nginx = Nginx(pin=None, locations=LOCATIONS, log=True)
    try:
        with open(os.path.join(nginx.work, "users.csv"), "w") as f:
            f.write("user\n" + "".join(f"u{i:04d}\n" for i in range(USERS)))
        plan_path = os.path.join(nginx.work, "soak.json")
        with open(plan_path, "w") as f:
            json.dump(plan(cycles, args.cycle), f)
        export = os.path.join(nginx.work, "summary.json")
        results = os.path.join(nginx.work, "results")
        cmd = [args.stampede, "run", plan_path, "--target", nginx.url.rstrip("/"), "--quiet",
               "--summary-export", export, "--results-dir", results]
        print(f"soak: {cycles} cycles of {args.cycle} s, the first {skip} warm-up: {' '.join(cmd)}", file=sys.stderr)
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples, code = run_sampled(cmd)
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if code != 0:
            raise SystemExit(f"stampede exited {code}")
        served = nginx.requests_by_path()
        (folder,) = os.listdir(results)
        with open(os.path.join(results, folder, "timeline.ndjson")) as f:
            timeline = [json.loads(line) for line in f]
        with open(export) as f:
            metrics = json.load(f)["metrics"]
    finally:
        nginx.stop()

    # Per series, (second, value): /proc's at its sampling time, the queues at the end of
    # their second of the timeline.
    series = {name: [(s["t"], s[name]) for s in samples] for name in ("rss_mib", "fds", "threads")}
    for name in ("timers", "transfers", "executor_queue"):
        series[name] = [(line["t"], line[name]) for line in timeline]
    # Churn makes every series rise and fall each cycle, and how high it peaks follows how
    # busy the shared machine is (its cycle means fell as another build ended). What a leak
    # leaves behind is still there at the quietest moment of every cycle, so the slope is
    # fitted to each whole cycle's minimum after the warm-up.
    rows = []
    for name, points in series.items():
        floors = []
        for c in range(skip, cycles):
            values = [v for t, v in points if c * args.cycle < t <= (c + 1) * args.cycle]
            floors.append(((c + 0.5) * args.cycle / 60, min(values)))
        b, error = slope(floors)
        bound = 3 * error
        rows.append({"series": name, "first_floor": floors[0][1], "last_floor": floors[-1][1],
                     "max": max(v for _, v in points), "slope_per_min": b, "bound_per_min": bound,
                     "pass": abs(b) <= bound, "cycle_minima": [m for _, m in floors]})

    totals = []
    for scenario, paths in PATHS.items():
        counted = metrics.get(f"http_reqs{{scenario:{scenario}}}", {}).get("count", 0)
        answered = sum(served[p] for p in paths)
        totals.append({"scenario": scenario, "stampede": counted, "nginx": answered, "equal": counted == answered})
    all_requests = metrics["http_reqs"]["count"]
    totals.append({"scenario": "all", "stampede": all_requests, "nginx": sum(served.values()),
                   "equal": all_requests == sum(served.values())})

    figures = {
        "arguments": sys.argv[1:], "stampede_command": " ".join(cmd),
        "duration_s": cycles * args.cycle, "cycle_s": args.cycle, "warmup_cycles": skip,
        "stampede_cpu_s": cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime,
        "failed_requests": metrics["http_req_failed"]["passes"], "checks_failed": metrics["checks"]["fails"],
        "dropped_iterations": metrics.get("dropped_iterations", {}).get("count", 0),
        "vus_max": metrics["vus_max"]["max"], "series": rows, "totals": totals,
        "samples": samples, "timeline": timeline,
    }
    os.makedirs("bench/results", exist_ok=True)
    out = f"bench/results/soak-{datetime.datetime.now(datetime.timezone.utc):%Y%m%dT%H%M%SZ}.json"
    with open(out, "w") as f:
        json.dump(figures, f)

    print(f"\n{cycles * args.cycle / 60:g} min, slopes of the minima of cycles {skip + 1}-{cycles} of {args.cycle} s "
          f"(bound: 3 standard errors of the slope)")
    print(f"{'series':16s}{'first min':>12s}{'last min':>12s}{'max':>10s}{'slope/min':>12s}{'bound ±':>10s}  verdict")
    for r in rows:
        print(f"{r['series']:16s}{r['first_floor']:12.2f}{r['last_floor']:12.2f}{r['max']:10.1f}"
              f"{r['slope_per_min']:12.4f}{r['bound_per_min']:10.4f}  {'PASS' if r['pass'] else 'FAIL'}")
    print(f"\n{'requests':12s}{'stampede':>12s}{'nginx':>12s}")
    for t in totals:
        print(f"{t['scenario']:12s}{t['stampede']:12.0f}{t['nginx']:12d}  {'equal' if t['equal'] else 'NOT EQUAL'}")
    print(f"\nfailed requests {figures['failed_requests']}, failed checks {figures['checks_failed']}, "
          f"dropped iterations {figures['dropped_iterations']:.0f}, VUs at most {figures['vus_max']:.0f}, "
          f"stampede CPU {figures['stampede_cpu_s']:.0f} s\n{out}")
    if not all(r["pass"] for r in rows) or not all(t["equal"] for t in totals):
        sys.exit(1)


if __name__ == "__main__":
    main()
