"""Start-up and memory per VU, Stampede beside k6, against nginx on loopback:
- start-up: wall time of a run of one request, median of 10;
- memory: peak RSS with 1,000, 5,000 and 10,000 VUs, each doing one request then a 1 s think,
  for a few seconds (10,000 VUs need the open-file limit raised, which Stampede does itself).
Usage: bench/footprint (builds first)."""
import argparse, os, resource, statistics, sys

from benchlib import Nginx, measured, wait_until_idle


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stampede", required=True)
    ap.add_argument("--vus", default="1000,5000,10000")
    ap.add_argument("--duration", type=int, default=5)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # for k6, which does not raise it
    nginx = Nginx()
    try:
        script = os.path.join(nginx.work, "think.js")
        with open(script, "w") as f:
            f.write("import http from 'k6/http';\nimport { sleep } from 'k6';\n"
                    "export default function () { http.get(__ENV.URL); sleep(1); }\n")
        plan = os.path.join(nginx.work, "think.yaml")
        results = os.path.join(nginx.work, "results")
        tools = {
            "stampede": lambda vus, duration: f"{args.stampede} run {plan} --vus {vus} --duration {duration}s --quiet --results-dir {results}",
            "k6": lambda vus, duration: f"k6 run --no-usage-report -q --vus {vus} --duration {duration}s -e URL={nginx.url} {script}",
        }
        with open(plan, "w") as f:
            f.write(f"scenarios:\n  think:\n    executor: constant-vus\n    vus: 1\n    duration: 1s\n"
                    f"    flow:\n      - get: {nginx.url}\n      - think: 1s\n")
        print("start-up: one request, wall time, median of 10")
        for tool in ("stampede", "k6"):
            wait_until_idle()
            one = (f"{args.stampede} run --url {nginx.url} --quiet --results-dir {results}" if tool == "stampede"
                   else f"k6 run --no-usage-report -q --iterations 1 -e URL={nginx.url} {os.path.join(nginx.work, 'one.js')}")
            if tool == "k6":
                with open(os.path.join(nginx.work, "one.js"), "w") as f:
                    f.write("import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n")
            walls = [measured(["sh", "-c", f"exec {one} > /dev/null 2>&1"])[2] for _ in range(10)]
            print(f"  {tool:9s} {statistics.median(walls) * 1000:7.0f} ms")
        print(f"\npeak RSS, VUs doing one request then a 1 s think, {args.duration} s")
        print(f"  {'VUs':>6s} {'stampede MiB':>13s} {'k6 MiB':>9s} {'ratio':>6s}")
        for vus in (int(v) for v in args.vus.split(",")):
            rss = {}
            for tool, command in tools.items():
                wait_until_idle()
                _, peak, _ = measured(["sh", "-c", f"exec {command(vus, args.duration)} > /dev/null 2>&1"])
                rss[tool] = peak / 1024
            print(f"  {vus:6d} {rss['stampede']:13.1f} {rss['k6']:9.1f} {rss['stampede'] / rss['k6']:6.2f}")
    finally:
        nginx.stop()


if __name__ == "__main__":
    main()
