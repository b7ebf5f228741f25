"""Resident memory after 1M and after 10M requests against nginx: metric storage must not
grow with the number of requests (k6 keeps every sample of a trend; Stampede keeps HDR
histograms). Usage: bench/memory (builds first). Loopback only; each run is bounded by its
iteration count."""
import argparse, json, os, sys

from benchlib import Nginx, measured, wait_until_idle


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stampede", required=True)
    ap.add_argument("--counts", default="1000000,10000000")
    args = ap.parse_args()
    nginx = Nginx()
    rows = []
    try:
        for count in (int(c) for c in args.counts.split(",")):
            wait_until_idle()
            export = os.path.join(nginx.work, f"summary-{count}.json")
            cmd = [args.stampede, "run", "--url", nginx.url, "--vus", "50", "--iterations", str(count), "--workers", "1",
                   "--quiet", "--summary-export", export, "--results-dir", os.path.join(nginx.work, "results")]
            cpu, rss, wall = measured(["sh", "-c", "exec " + " ".join(cmd) + " > /dev/null"])
            requests = json.load(open(export))["metrics"]["http_reqs"]["count"]
            rows.append((count, requests, rss / 1024, wall))
            print(f"{count:>10} iterations: {requests:.0f} requests, peak RSS {rss / 1024:.1f} MiB, {wall:.0f} s", file=sys.stderr)
    finally:
        nginx.stop()
    print("\nrequests      peak RSS MiB")
    for count, requests, rss, _ in rows:
        print(f"{requests:>10.0f}  {rss:10.1f}")
    if len(rows) > 1:
        print(f"\ngrowth from {rows[0][1]:.0f} to {rows[-1][1]:.0f} requests: {rows[-1][2] - rows[0][2]:+.1f} MiB")


if __name__ == "__main__":
    main()
