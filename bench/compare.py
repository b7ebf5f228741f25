"""Runs nginx on a free loopback port, then wrk, stampede, a minimal libcurl loop (the floor,
bench/curl_loop.c) and k6 against it in alternation,
pinned as the issue describes (nginx on core 1, the client on core 0), and prints one table
and the ratios. Results are also written as JSON under bench/results/ (ignored by git)."""
import argparse, json, os, re, subprocess, time

from benchlib import Nginx, alternating_rounds, measured

def parse_wrk_latency(text, label):
    m = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m: return None
    return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stampede", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=50)
    args = ap.parse_args()

    nginx = Nginx()
    url = nginx.url
    work = nginx.work

    script = os.path.join(work, "k6.js")
    with open(script, "w") as f:
        f.write("import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n")

    curl_loop = os.path.join(work, "curl_loop")
    subprocess.run(["cc", "-O2", os.path.join(os.path.dirname(__file__), "curl_loop.c"), "-lcurl", "-o", curl_loop], check=True)

    def run_one(tool, round_):
        out_file = os.path.join(work, f"{tool}-{round_}.out")
        if tool == "libcurl":
            cmd = f"exec taskset -c 0 {curl_loop} {url} {args.connections} {args.duration} > {out_file}"
            cpu, rss, wall = measured(["sh", "-c", cmd])
            total = int(open(out_file).read().strip())
            rps, p50, p99 = total / wall, float("nan"), float("nan")
        elif tool == "k6":
            export = os.path.join(work, f"k6-{round_}.json")
            cmd = (f"exec taskset -c 0 k6 run --no-usage-report -q --vus {args.connections} --duration {args.duration}s "
                   f"--summary-trend-stats 'avg,min,med,max,p(90),p(95),p(99)' "
                   f"--summary-export {export} -e URL={url} {script} > {out_file} 2>&1")
            cpu, rss, _ = measured(["sh", "-c", cmd])
            metrics = json.load(open(export))["metrics"]
            rps, total = metrics["http_reqs"]["rate"], metrics["http_reqs"]["count"]
            p50, p99 = metrics["http_req_duration"]["med"], metrics["http_req_duration"]["p(99)"]
        elif tool == "wrk":
            cmd = ["sh", "-c", f"exec taskset -c 0 wrk -t1 -c{args.connections} -d{args.duration}s --latency {url} > {out_file}"]
            cpu, rss, _ = measured(cmd)
            text = open(out_file).read()
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
            total = int(re.search(r"(\d+) requests in", text).group(1))
            p50, p99 = parse_wrk_latency(text, "50%"), parse_wrk_latency(text, "99%")
        else:
            export = os.path.join(work, f"summary-{round_}.json")
            cmd = ["taskset", "-c", "0", args.stampede, "run", "--url", url, "--vus", str(args.connections),
                   "--duration", f"{args.duration}s", "--workers", "1", "--quiet",
                   "--summary-export", export, "--results-dir", os.path.join(work, "results")]
            cpu, rss, _ = measured(["sh", "-c", "exec " + " ".join(cmd) + f" > {out_file}"])
            metrics = json.load(open(export))["metrics"]
            rps, total = metrics["http_reqs"]["rate"], metrics["http_reqs"]["count"]
            p50, p99 = metrics["http_req_duration"]["med"], metrics["http_req_duration"]["p(99)"]
        return {"rps": rps, "requests": total, "cpu_us_per_req": cpu * 1e6 / total,
                "rss_mib": rss / 1024, "p50_ms": p50, "p99_ms": p99}

    try:
        rows, med = alternating_rounds(args.rounds, ("wrk", "stampede", "libcurl", "k6"), run_one)
    finally:
        nginx.stop()

    print(f"\nHTTP/1.1 keep-alive, {args.connections} connections, {args.duration}s, nginx on core 1, client on core 0, "
          f"medians of {args.rounds}")
    print(f"{'tool':10s} {'req/s':>10s} {'p50 ms':>8s} {'p99 ms':>8s} {'CPU µs/req':>11s} {'peak RSS MiB':>13s}")
    for tool, m in med.items():
        print(f"{tool:10s} {m['rps']:10.0f} {m['p50_ms']:8.3f} {m['p99_ms']:8.3f} {m['cpu_us_per_req']:11.2f} {m['rss_mib']:13.1f}")
    ratio_rps = med["stampede"]["rps"] / med["wrk"]["rps"]
    ratio_cpu = med["stampede"]["cpu_us_per_req"] / med["wrk"]["cpu_us_per_req"]
    ratio_k6 = med["stampede"]["cpu_us_per_req"] / med["k6"]["cpu_us_per_req"]
    ratio_libcurl = med["stampede"]["cpu_us_per_req"] / med["libcurl"]["cpu_us_per_req"]
    print(f"\nratio stampede/wrk: requests/s {ratio_rps:.2f}, CPU per request {ratio_cpu:.2f}")
    print(f"ratio stampede/minimal libcurl loop: requests/s {med['stampede']['rps'] / med['libcurl']['rps']:.2f}, "
          f"CPU per request {ratio_libcurl:.2f}")
    print(f"ratio stampede/k6: requests/s {med['stampede']['rps'] / med['k6']['rps']:.2f}, CPU per request {ratio_k6:.2f}")
    os.makedirs("bench/results", exist_ok=True)
    path = time.strftime("bench/results/h1-%Y%m%dT%H%M%SZ.json", time.gmtime())
    with open(path, "w") as f:
        json.dump({"config": vars(args), "runs": rows, "medians": med,
                   "ratios": {"rps": ratio_rps, "cpu_per_request": ratio_cpu, "cpu_per_request_vs_k6": ratio_k6,
                              "cpu_per_request_vs_libcurl_loop": ratio_libcurl}}, f, indent=2)
    print(f"written: {path}")

if __name__ == "__main__":
    main()
