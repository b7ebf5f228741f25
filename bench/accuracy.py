"""How closely the executors keep to their plan, against nginx on loopback: ramping-vus's
VU count at every 1 s sample, and constant-arrival-rate's started and dropped iterations
at 2,000/s.
Reads each run's timeline.ndjson and summary.json. Usage: bench/accuracy (builds first)."""
import argparse, glob, json, math, os, subprocess, sys

from benchlib import Nginx, wait_until_idle


def run_plan(stampede, work, name, yaml_text, workers):
    plan = os.path.join(work, f"{name}.yaml")
    with open(plan, "w") as f:
        f.write(yaml_text)
    results = os.path.join(work, f"results-{name}")
    subprocess.run([stampede, "run", plan, "--workers", str(workers), "--quiet", "--results-dir", results],
                   check=False, stdout=subprocess.DEVNULL)
    folder = glob.glob(os.path.join(results, "*"))[0]
    timeline = [json.loads(line) for line in open(os.path.join(folder, "timeline.ndjson"))]
    summary = json.load(open(os.path.join(folder, "summary.json")))
    return timeline, summary["metrics"]


def planned_vus(t, stages):
    """The ramping-vus curve (start 0) at second t."""
    start, value = 0.0, 0.0
    for duration, target in stages:
        if t <= start + duration:
            return value + (target - value) * (t - start) / duration
        start, value = start + duration, target
    return value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stampede", required=True)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    nginx = Nginx()
    try:
        stages = [(10, 1000), (10, 1000), (10, 0)]
        wait_until_idle()
        timeline, metrics = run_plan(args.stampede, nginx.work, "ramp", f"""
scenarios:
  ramp:
    executor: ramping-vus
    startVUs: 0
    stages: [{', '.join(f'{{duration: {d}s, target: {t}}}' for d, t in stages)}]
    gracefulRampDown: 0s
    flow:
      - get: {nginx.url}
      - think: 100ms
""", args.workers)
        worst_vus, worst_pct = 0, 0.0
        print("ramping-vus 0 → 1000 (10 s) → hold 10 s → 0 (10 s): VUs each second, planned vs measured")
        for line in timeline[:30]:
            t = line["t"]
            # The sample is the most VUs in an iteration during the second: the curve's
            # highest point in [t-1, t], in whole VUs.
            planned = math.floor(max(planned_vus(t - 1, stages), planned_vus(t, stages)) + 1e-9)
            measured = int(line["vus"])
            error = abs(measured - planned)
            worst_vus = max(worst_vus, error)
            if planned > 0:
                worst_pct = max(worst_pct, 100.0 * error / planned if error > 1 else 0.0)
            print(f"  t={t:2d}s planned {planned:5d} measured {measured:5d}")
        print(f"ramping-vus: largest deviation {worst_vus} VU(s); beyond ±1 VU: {worst_pct:.2f}% of plan; "
              f"failed requests {metrics['http_req_failed']['passes']}")

        # 20,000/s on one core is in bench/run (section open), beside k6.
        for rate, workers in ((2000, args.workers),):
            wait_until_idle()
            _, metrics = run_plan(args.stampede, nginx.work, f"rate{rate}", f"""
scenarios:
  rate:
    executor: constant-arrival-rate
    rate: {rate}
    duration: 10s
    preAllocatedVUs: 200
    maxVUs: 2000
    flow:
      - get: {nginx.url}
""", workers)
            expected = rate * 10
            started = metrics["iterations"]["count"]
            dropped = metrics.get("dropped_iterations", {}).get("count", 0)
            print(f"constant-arrival-rate {rate}/s × 10 s on {workers} worker(s): expected {expected}, "
                  f"completed {started:.0f} ({100.0 * (started - expected) / expected:+.2f}%), dropped {dropped:.0f} "
                  f"({100.0 * dropped / expected:.2f}%)")
    finally:
        nginx.stop()


if __name__ == "__main__":
    main()
