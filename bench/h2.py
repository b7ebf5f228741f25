"""HTTP/2 over TLS: Stampede beside h2load against nginx (one worker pinned to core 1; the
client on core 0), same connections and streams, alternating, medians. Prints requests/s,
client CPU per request and the ratio. Usage: bench/h2 [--duration 10] [--rounds 3]."""
import argparse, json, os, re

from benchlib import Nginx, alternating_rounds, measured


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stampede", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=1)
    ap.add_argument("--streams", type=int, default=50)
    args = ap.parse_args()
    nginx = Nginx(tls=True)

    def run_one(tool, round_):
        out = os.path.join(nginx.work, f"{tool}-{round_}.out")
        if tool == "h2load":
            cmd = f"exec taskset -c 0 h2load -c {args.connections} -m {args.streams} -D {args.duration} {nginx.url} > {out}"
            cpu, rss, _ = measured(["sh", "-c", cmd])
            text = open(out).read()
            done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", text).group(1))
            rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1))
        else:
            export = os.path.join(nginx.work, f"summary-{round_}.json")
            cmd = (f"exec taskset -c 0 {args.stampede} run --url {nginx.url} --vus {args.connections * args.streams} "
                   f"--duration {args.duration}s --workers 1 --insecure-skip-tls-verify --connection-scope worker "
                   f"--connections-per-host {args.connections} --streams-per-connection {args.streams} --quiet "
                   f"--summary-export {export} --results-dir {nginx.work}/results > {out}")
            cpu, rss, _ = measured(["sh", "-c", cmd])
            metrics = json.load(open(export))["metrics"]
            done, rps = metrics["http_reqs"]["count"], metrics["http_reqs"]["rate"]
        return {"rps": rps, "cpu_us_per_req": cpu * 1e6 / max(done, 1), "rss_mib": rss / 1024}

    try:
        _, med = alternating_rounds(args.rounds, ("h2load", "stampede"), run_one)
    finally:
        nginx.stop()
    print(f"\nHTTP/2 over TLS, {args.connections} connection(s) × {args.streams} streams, {args.duration}s, "
          f"nginx on core 1, client on core 0, medians of {args.rounds}")
    print(f"{'tool':10s} {'req/s':>10s} {'CPU µs/req':>11s} {'peak RSS MiB':>13s}")
    for tool, m in med.items():
        print(f"{tool:10s} {m['rps']:10.0f} {m['cpu_us_per_req']:11.2f} {m['rss_mib']:13.1f}")
    print(f"\nratio stampede/h2load: requests/s {med['stampede']['rps'] / med['h2load']['rps']:.2f}, "
          f"CPU per request {med['stampede']['cpu_us_per_req'] / med['h2load']['cpu_us_per_req']:.2f}")


if __name__ == "__main__":
    main()
