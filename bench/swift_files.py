"""Start-up of a Swift test file beside a built-in test: wall seconds of whole one-request
runs (an upper bound on the time to the first request), in alternating rounds, medians."""
import argparse, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import Nginx, wait_until_idle

TEST = """import StampedeDSL

let smoke = Scenario("smoke", executor: .sharedIterations(1, iterations: 1)) {
    Get("")
}
// edit {edit}
"""


def timed(command, env):
    start = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr}")
    return time.monotonic() - start, done.stderr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stampede", required=True)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    nginx = Nginx()
    work = tempfile.mkdtemp(prefix="stampede-swift-files-")
    env = dict(os.environ, STAMPEDE_CACHE_DIR=os.path.join(work, "cache"))
    test = os.path.join(work, "Smoke.swift")
    one = ["--vus", "1", "--iterations", "1", "-q", "--results-dir", os.path.join(work, "results")]
    # The same one GET, built into stampede: an ad-hoc --url run.
    builtin = [args.stampede, "run", "--url", nginx.url] + one
    swift = [args.stampede, "run", test, "--target", nginx.url] + one
    times = {"built-in (--url)": [], "Swift file, cached": [], "Swift file, after an edit": []}
    try:
        with open(test, "w") as f:
            f.write(TEST.replace("{edit}", "0"))
        timed(swift, env)  # the first compile, not counted
        wait_until_idle()
        for round in range(1, args.rounds + 1):
            times["built-in (--url)"].append(timed(builtin, env)[0])
            times["Swift file, cached"].append(timed(swift, env)[0])
            with open(test, "w") as f:
                f.write(TEST.replace("{edit}", str(round)))
            seconds, stderr = timed(swift, env)
            if "compiling" not in stderr:
                raise SystemExit("the edited file was not compiled again")
            times["Swift file, after an edit"].append(seconds)
    finally:
        nginx.stop()
    base = statistics.median(times["built-in (--url)"])
    print(f"{'one-request run':28} {'median s':>9} {'min':>7} {'max':>7} {'vs built-in':>12}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:28} {median:9.3f} {min(values):7.3f} {max(values):7.3f} {median / base:11.2f}x")


if __name__ == "__main__":
    main()
