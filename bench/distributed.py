"""A worker of a distributed run beside the same segment run alone: CPU per request of the
worker process only (user+sys from wait4, the coordinator not counted) against `stampede
run` of the same test with the same VUs, both on one load thread pinned to core 0, nginx on
core 1. With one worker the worker's segment is the whole test, so both runs do the same
load; the worker also encodes and sends an Interval each second, answers heartbeats and
runs the gRPC stream. Target: the worker within 3% of the run alone.

Each mode runs --rounds times in alternation, each after the machine is idle; figures are
medians. The machine is shared: each run also records how much CPU other processes used
meanwhile, and the ratio is printed again over the rounds that had the machine to themselves. Loopback only; every run is bounded by --duration (and a hard timeout).
Usage: bench/distributed [--duration 10] [--rounds 5] [--vus 50]"""
import argparse, json, os, socket, statistics, subprocess, sys, time

from benchlib import Nginx, alternating_rounds, free_port, measured, with_foreign_cpu

TARGET = 1.03  # worker/alone CPU per request


class Bench:
    def __init__(self, args, nginx):
        self.args = args
        self.nginx = nginx
        self.work = nginx.work
        self.test = f"--url {nginx.url} --vus {args.vus} --duration {args.duration}s"

    def export(self, name):
        path = os.path.join(self.work, name)
        if os.path.exists(path):
            os.remove(path)
        return path

    def alone(self, round_):
        export = self.export("alone.json")
        cpu, rss, wall = measured(["sh", "-c", f"exec taskset -c 0 {self.args.stampede} run {self.test} --workers 1 --quiet "
                                               f"--summary-export {export} --results-dir {self.work}/results "
                                               f"> {self.work}/alone.out 2>&1"])
        return figures(cpu, rss, json.load(open(export))["metrics"])

    def worker(self, round_):
        """The coordinator (not measured, on core 1 beside nginx) and one worker on core 0."""
        export = self.export("coordinator.json")
        port = free_port()
        log = open(os.path.join(self.work, "coordinator.out"), "w")
        coordinator = subprocess.Popen(
            ["taskset", "-c", "1", self.args.stampede, "coordinator", *self.test.split(), "--listen", f"127.0.0.1:{port}",
             "--workers", "1", "--join-timeout", "60s", "--quiet", "--summary-export", export,
             "--results-dir", f"{self.work}/results"], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_listening(port, coordinator)
            cpu, rss, wall = measured(["sh", "-c", f"exec timeout {self.args.duration + 60} taskset -c 0 {self.args.stampede} "
                                                   f"worker --coordinator 127.0.0.1:{port} --workers 1 --name bench "
                                                   f"> {self.work}/worker.out 2>&1"])
            _, status, usage = os.wait4(coordinator.pid, 0)
            coordinator.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if coordinator.returncode is None:
                coordinator.kill()
                coordinator.wait()
            log.close()
        if coordinator.returncode not in (0, 99):
            raise SystemExit(f"coordinator exited {coordinator.returncode}: see {self.work}/coordinator.out")
        result = figures(cpu, rss, json.load(open(export))["metrics"])
        result["coordinator_cpu_s"] = usage.ru_utime + usage.ru_stime
        return result


def figures(cpu, rss, metrics):
    requests = metrics["http_reqs"]["count"]
    return {"rps": metrics["http_reqs"]["rate"], "requests": requests, "cpu_s": cpu,
            "cpu_us_per_req": cpu * 1e6 / max(requests, 1), "rss_mib": rss / 1024,
            "p50_ms": metrics["http_req_duration"]["med"], "p99_ms": metrics["http_req_duration"]["p(99)"]}


def wait_listening(port, process, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if process.poll() is not None:
            raise SystemExit(f"coordinator exited {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"coordinator not listening on {port} after {timeout} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stampede", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--vus", type=int, default=50)
    ap.add_argument("--quiet-limit", type=float, default=1.0, help="other processes' CPU seconds that make a round noisy")
    args = ap.parse_args()
    if os.cpu_count() < 2:
        raise SystemExit("needs two cores: the client on core 0, nginx (and the coordinator) on core 1")
    nginx = Nginx()
    try:
        bench = Bench(args, nginx)
        rows, medians = alternating_rounds(args.rounds, ("alone", "worker"),
                                           lambda tool, r: with_foreign_cpu(lambda: getattr(bench, tool)(r)))
    finally:
        nginx.stop()

    per_round = [w["cpu_us_per_req"] / a["cpu_us_per_req"] for a, w in zip(rows["alone"], rows["worker"])]
    ratio = medians["worker"]["cpu_us_per_req"] / medians["alone"]["cpu_us_per_req"]
    print(f"\n{'mode':7s} {'req/s':>9s} {'requests':>10s} {'CPU s':>7s} {'CPU µs/req':>11s} {'p50 ms':>8s} {'p99 ms':>8s} {'peak RSS MiB':>13s}")
    for mode, m in medians.items():
        print(f"{mode:7s} {m['rps']:9.0f} {m['requests']:10.0f} {m['cpu_s']:7.2f} {m['cpu_us_per_req']:11.3f} "
              f"{m['p50_ms']:8.3f} {m['p99_ms']:8.3f} {m['rss_mib']:13.1f}")
    for mode in ("alone", "worker"):
        print(f"CPU µs/req per round, {mode + ':':7s} " + " ".join("%.3f" % r["cpu_us_per_req"] for r in rows[mode]))
    print("worker/alone per round (same round): " + " ".join("%.3f" % r for r in per_round))
    print("other processes' CPU during each run, s (alone, worker): "
          + " ".join("%.1f,%.1f" % (a["foreign_cpu_s"], w["foreign_cpu_s"]) for a, w in zip(rows["alone"], rows["worker"])))
    clean = [i for i, (a, w) in enumerate(zip(rows["alone"], rows["worker"]))
             if a["foreign_cpu_s"] < args.quiet_limit and w["foreign_cpu_s"] < args.quiet_limit]
    clean_ratio = None
    if clean:
        clean_ratio = (statistics.median(rows["worker"][i]["cpu_us_per_req"] for i in clean)
                       / statistics.median(rows["alone"][i]["cpu_us_per_req"] for i in clean))
        print(f"rounds where both runs had the machine to themselves (< {args.quiet_limit} s of other CPU): {len(clean)} of "
              f"{args.rounds}; worker/alone over those: {clean_ratio:.3f}")
    else:
        print(f"no round had the machine to itself (< {args.quiet_limit} s of other CPU in both runs): figures are noisy")
    print(f"coordinator CPU per run (not in the worker's figure): median "
          f"{statistics.median(r['coordinator_cpu_s'] for r in rows['worker']):.2f} s")
    # Judged on the median of the per-round ratios: the two runs of a round are back to back,
    # so a machine whose speed drifts between rounds (a shared VM) moves both alike; the ratio
    # of the two medians can pair a fast round's run with a slow round's.
    paired = statistics.median(per_round)
    verdict = "met" if paired <= TARGET else "NOT met"
    print(f"worker/alone CPU per request, ratio of the medians: {ratio:.3f}")
    print(f"worker/alone CPU per request, median of the rounds' ratios: {paired:.3f} (target ≤ {TARGET}) {verdict}")

    os.makedirs("bench/results", exist_ok=True)
    path = time.strftime("bench/results/distributed-%Y%m%dT%H%M%SZ.json", time.gmtime())
    with open(path, "w") as f:
        json.dump({"config": vars(args), "rounds": rows, "medians": medians, "ratio": ratio, "per_round_ratios": per_round,
                   "median_per_round_ratio": paired, "target": TARGET, "met": paired <= TARGET,
                   "quiet_rounds": clean, "quiet_ratio": clean_ratio}, f, indent=2)
    print(f"written: {path}")


if __name__ == "__main__":
    main()
