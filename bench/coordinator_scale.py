"""How far one coordinator scales: a real `stampede coordinator` fed by simulated workers
that speak its protocol (proto/stampede_distributed.proto) from Python with grpcio: Hello,
the mutual HMAC proof of the token, Ready with the metric layout's fingerprint, then one
Interval a second with every slot of the test filled realistically (trends as ~75-560
non-empty HDR buckets, median ~180, of latencies around a few ms, exact count/sum/min/max; counters,
rates, gauges, error classes, checks), a heartbeat a second, and Done. The simulated
workers send no HTTP load, so the coordinator's --target is a closed port.

For each worker count (--counts, default 100 and 1,000) it measures the coordinator's CPU
(user+sys from /proc/PID/stat, per second of load and in total), its peak RSS (VmHWM), the
bytes per second it receives (the serialized messages the simulated workers send during
the load, and with gRPC's 5-byte message prefix), how late the merged run ends after the
workers' last Done, and checks that the merged http_reqs equal the sum the simulated
workers sent. The coordinator and the simulated workers are pinned to separate cores
(--pin, default: coordinator on 0, simulated workers on 1).

Loopback only; each round is bounded by --duration plus hard timeouts.
Usage: bench/coordinator-scale [--counts 100,1000] [--duration 25] [--rounds 1]"""
import argparse, asyncio, hashlib, hmac, json, math, os, random, resource, shutil, signal, socket, statistics, subprocess
import sys, tempfile, time

from benchlib import free_port, wait_until_idle, with_foreign_cpu

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SERVICE = "/stampede.distributed.v1.Coordination/Attend"
REGIONS = ("eu", "us", "apac")


# Protocol helpers ----------------------------------------------------------------------------

def generate_stubs(into):
    """Python classes for proto/stampede_distributed.proto, generated at run time (never committed)."""
    from grpc_tools import protoc
    import grpc_tools
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    code = protoc.main(["protoc", f"-I{ROOT}/proto", f"-I{include}", f"--python_out={into}", f"--grpc_python_out={into}",
                        f"{ROOT}/proto/stampede_distributed.proto"])
    if code != 0:
        raise SystemExit(f"protoc failed ({code}) on proto/stampede_distributed.proto")


def fingerprint(layout):
    """FNV-1a 64 of "KIND:NAME" lines joined by newlines, lowercase hex as Swift's String(radix: 16)."""
    h = 0xcbf29ce484222325
    for byte in "\n".join(f"{slot.kind}:{slot.name}" for slot in layout).encode():
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return format(h, "x")


def proof(token, role, worker_nonce, coordinator_nonce):
    return hmac.new(token.encode(), role + worker_nonce + coordinator_nonce, hashlib.sha256).digest()


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def hdr_highest_equivalent(v):
    """The highest value of v's bucket in an HDR histogram of 3 significant digits from 1
    (2,048 sub-buckets): what Stampede's Trend.buckets reports as a bucket's value."""
    shift = max(0, (v | 2047).bit_length() - 12)
    return ((v >> shift) << shift) + (1 << shift) - 1


# Realistic per-second metrics ----------------------------------------------------------------

class MetricMaker:
    """Builds a worker's Metrics for one second, slot for slot as the Assignment's layout says,
    with values that fit each slot's name: ~300-600 requests a second split over regions,
    latencies log-normal around 3 ms."""

    def __init__(self, pb, layout, rng, latency_us=3000):
        self.pb, self.layout, self.rng, self.latency_us = pb, list(layout), rng, latency_us

    def trend(self, name, n):
        rng = self.rng
        base = name.split("{")[0]
        if base == "iteration_duration":
            draw = lambda: rng.lognormvariate(math.log(4 * self.latency_us), 0.35)
        elif base in ("http_req_duration", "http_req_waiting", "http_req_latency"):
            draw = lambda: rng.lognormvariate(math.log(self.latency_us), 0.45)
        elif base in ("http_req_receiving", "http_req_sending"):
            draw = lambda: rng.lognormvariate(math.log(40), 0.6)
        else:  # blocked, connecting, tls_handshaking and anything else: mostly short
            draw = lambda: rng.lognormvariate(math.log(200), 1.0)
        samples = [max(1, int(draw())) for _ in range(n)]
        buckets = {}
        for s in samples:
            b = hdr_highest_equivalent(s)
            buckets[b] = buckets.get(b, 0) + 1
        value = self.pb.TrendValue(count=n, sum=sum(samples), min=min(samples), max=max(samples))
        previous = 0
        for b in sorted(buckets):
            value.bucket_value_deltas.append(b - previous)
            value.bucket_counts.append(buckets[b])
            previous = b
        return value

    def share(self, name, n):
        """The requests of a sub-metric: a third for a region, scenario or name tag."""
        return n if "{" not in name or "expected_response" in name else max(1, n // 3)

    def metrics(self):
        pb, rng = self.pb, self.rng
        n = rng.randint(300, 600)
        failed = rng.randint(0, 2)
        m = pb.Metrics()
        buckets = []
        for slot in self.layout:
            kind, name = slot.kind, slot.name
            k = self.share(name, n)
            base = name.split("{")[0]
            if kind == "trend":
                t = self.trend(name, k if base != "iteration_duration" else max(1, k // 4))
                buckets.append(len(t.bucket_counts))
                m.trends.append(t)
            elif kind == "counter":
                m.counters.append({"http_reqs": k, "iterations": k // 4, "data_received": k * 310, "data_sent": k * 140}
                                  .get(base, k // 10))
            elif kind == "rate":
                m.rates.append(pb.RateValue(trues=min(failed, k), total=k) if base == "http_req_failed"
                               else pb.RateValue(trues=k - min(failed, k), total=k))
            elif kind == "gauge":  # vus_max as Ready said; vus at most that
                vus = 12 if base == "vus_max" else rng.randint(10, 12)
                m.gauges.append(pb.GaugeValue(is_set=True, value=vus, min=min(vus, 10), max=vus))
            elif kind == "check":
                total = max(1, n // 4)
                m.checks.append(pb.RateValue(trues=total - (1 if rng.random() < 0.05 else 0), total=total))
        m.errors.extend([0] * 12)
        m.errors[1] = failed  # connection_refused
        return m, buckets

    def gauges_at_end(self):
        return [self.pb.GaugeValue(is_set=True, value=0 if s.name == "vus" else 12, min=0 if s.name == "vus" else 12, max=12)
                for s in self.layout if s.kind == "gauge"]


def interval_bytes(index, metrics_bytes, started_at):
    """A WorkerMessage{interval} serialized by hand around a Metrics serialized once: field 4
    of WorkerMessage, holding Interval{1: index, 2: metrics, 3: started_at}."""
    inner = b"\x08" + varint(index) + b"\x12" + varint(len(metrics_bytes)) + metrics_bytes
    if started_at:
        inner += b"\x18" + varint(started_at)
    return b"\x22" + varint(len(inner)) + inner


# One simulated worker ------------------------------------------------------------------------

class Tally:
    def __init__(self):
        self.bytes_total = 0        # every message sent, handshake included
        self.bytes_load = 0         # from Start to Done
        self.messages_load = 0
        self.http_reqs = 0          # the http_reqs counter summed over the intervals sent
        self.errors = []
        self.completed = 0
        self.start_at = None
        self.done_at = []
        self.closed_at = []
        self.buckets = []           # non-empty buckets per trend, per variant
        self.interval_sizes = []
        self.layout = {}            # slots per kind in the Assignment's layout
        self.late_max = 0.0         # how late the most late interval was handed to grpcio, s


async def simulated_worker(i, grpc, pb, address, token, version, duration, variants, tally, maker_for, rng, early_heartbeats):
    name = f"sim-{i:04d}"
    region = REGIONS[i % len(REGIONS)]
    # Its own subchannel pool: a TCP connection of its own, as a worker on its own machine has
    # (grpcio otherwise shares one connection among a process's channels to the same address).
    channel = grpc.aio.insecure_channel(address, options=[("grpc.max_receive_message_length", 64 << 20),
                                                          ("grpc.use_local_subchannel_pool", 1)])
    attend = channel.stream_stream(SERVICE, request_serializer=lambda m: m if isinstance(m, bytes) else m.SerializeToString(),
                                   response_deserializer=pb.CoordinatorMessage.FromString)
    out = asyncio.Queue()
    loading = [False]

    def send(message):
        data = message if isinstance(message, bytes) else message.SerializeToString()
        tally.bytes_total += len(data)
        if loading[0]:
            tally.bytes_load += len(data)
            tally.messages_load += 1
        out.put_nowait(data)

    async def requests():
        while True:
            m = await out.get()
            if m is None:
                return
            yield m

    async def heartbeats():
        while True:
            await asyncio.sleep(1)
            send(pb.WorkerMessage(heartbeat=pb.Heartbeat(sent_at_unix_nanos=time.time_ns())))

    stop = asyncio.Event()

    async def load(start, maker):
        gauge_count = sum(1 for s in maker.layout if s.kind == "gauge")
        await asyncio.sleep(max(0, start.start_at_unix_nanos / 1e9 - time.time()))
        started = time.time_ns()
        loading[0] = True
        last = -1
        for index in range(duration):
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(0, started / 1e9 + index + 1 - time.time()))
            except asyncio.TimeoutError:
                pass
            metrics, reqs = variants[rng.randrange(len(variants))]
            tally.late_max = max(tally.late_max, time.time() - (started / 1e9 + index + 1))
            send(interval_bytes(index, metrics, started if index == 0 else 0))
            tally.http_reqs += reqs
            last = index
            if stop.is_set():
                break
        send(pb.WorkerMessage(done=pb.Done(last_index=last, gauges_at_end=maker.gauges_at_end()[:gauge_count])))
        tally.done_at.append(time.time())
        loading[0] = False
        out.put_nowait(None)  # the worker's side ends, as a real worker's does

    nonce = os.urandom(32)
    send(pb.WorkerMessage(hello=pb.Hello(protocol_version=1, stampede_version=version, nonce=nonce, name=name,
                                         tags={"region": region, "pool": f"p{i % 4}"}, capacity=1, threads=1)))
    # A real worker heartbeats from the moment it dials; the coordinator refuses a Heartbeat
    # that comes before the Proof ("expected Proof after Challenge"), which happens when its
    # Challenge takes over a second (a thousand workers dialling at once). The simulated
    # workers start after their Proof unless --early-heartbeats asks for the real behaviour.
    beating = asyncio.create_task(heartbeats()) if early_heartbeats else None
    loader = None
    try:
        async for message in attend(requests()):
            kind = message.WhichOneof("kind")
            if kind == "challenge":
                c = message.challenge
                if not hmac.compare_digest(c.proof, proof(token, b"stampede coordinator", nonce, c.nonce)):
                    raise RuntimeError("the coordinator's proof does not match the token")
                send(pb.WorkerMessage(proof=pb.Proof(proof=proof(token, b"stampede worker", nonce, c.nonce))))
                beating = beating or asyncio.create_task(heartbeats())
            elif kind == "assignment":
                maker = maker_for(message.assignment.layout)
                send(pb.WorkerMessage(ready=pb.Ready(vus=12, metrics_fingerprint=fingerprint(message.assignment.layout))))
            elif kind == "start":
                tally.start_at = tally.start_at or message.start.start_at_unix_nanos / 1e9
                loader = asyncio.create_task(load(message.start, maker))
            elif kind == "stop":
                stop.set()
            elif kind == "refusal":
                raise RuntimeError(f"refused: {message.refusal.reason}")
        if loader is None or not loader.done():
            raise RuntimeError("the coordinator ended the stream before this worker was done")
        await loader
        tally.completed += 1
        tally.closed_at.append(time.time())
    except Exception as error:  # one line per simulated worker that failed, reported by the parent
        tally.errors.append(f"{name}: {type(error).__name__}: {str(error)[:300]}")
    finally:
        if beating:
            beating.cancel()
        if loader and not loader.done():
            loader.cancel()
        await channel.close()


async def run_child(args):
    sys.path.insert(0, args.stubs)
    import grpc
    import stampede_distributed_pb2 as pb
    rng = random.Random(args.first)
    tally = Tally()
    cache = {}

    def maker_for(layout):
        # The layout is the same for every worker of a test: the variants are built once per
        # process (realistic values cost Python time; the coordinator cannot tell).
        key = tuple((s.kind, s.name) for s in layout)
        if key not in cache:
            maker = MetricMaker(pb, layout, rng, args.latency_us)
            made = []
            for _ in range(args.variants):
                m, buckets = maker.metrics()
                reqs = next(c for s, c in zip([s for s in layout if s.kind == "counter"], m.counters) if s.name == "http_reqs")
                data = m.SerializeToString()
                made.append((data, reqs))
                tally.buckets.extend(buckets)
                tally.interval_sizes.append(len(interval_bytes(1, data, 0)))
            # Checked once: the hand-made Interval parses back to the same metrics.
            parsed = pb.WorkerMessage.FromString(interval_bytes(3, made[0][0], 12345))
            assert parsed.interval.index == 3 and parsed.interval.started_at_unix_nanos == 12345
            assert parsed.interval.metrics.SerializeToString() == made[0][0]
            variants[:] = made
            tally.layout = {kind: sum(1 for s in layout if s.kind == kind) for kind in ("trend", "counter", "rate", "gauge", "check")}
            cache[key] = maker
        return cache[key]

    variants = []
    tasks = []
    for k in range(args.count):
        tasks.append(asyncio.create_task(simulated_worker(
            args.first + k, grpc, pb, args.address, args.token, args.version, args.duration, variants, tally, maker_for,
            random.Random(args.first + k), args.early_heartbeats)))
        if k % 50 == 49:
            await asyncio.sleep(0.05)  # dial in waves, as pods starting do
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.timeout)
    with open(args.out, "w") as f:
        json.dump({k: v for k, v in vars(tally).items()}, f)


# The parent: coordinator, children, measurements ------------------------------------------------

def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    return 0


def coordinator_events(path):
    """The coordinator's lines about lost and refused workers and errors, counted by kind
    (worker names and ports left out), with the first of each kind as it was."""
    import re
    kinds = {}
    for line in open(path, errors="replace"):
        if line.startswith("coordinator: ") and (" lost" in line or "refused" in line) or line.startswith("stampede: error"):
            key = re.sub(r"sim-\d+", "sim-N", re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line.strip()))
            kinds.setdefault(key, [0, line.strip()])[0] += 1
    return [{"count": n, "line": key, "first": first} for key, (n, first) in sorted(kinds.items(), key=lambda kv: -kv[1][0])]


def one_round(args, count, stubs, version, work):
    port = free_port()
    export = os.path.join(work, f"summary-{count}.json")
    if os.path.exists(export):
        os.remove(export)
    coordinator_log = os.path.join(work, f"coordinator-{count}.out")
    pin_c, pin_s = (args.pin.split(",") + [""])[:2] if args.pin else ("", "")
    cmd = ([] if not pin_c else ["taskset", "-c", pin_c]) + [
        args.stampede, "coordinator", args.test, *args.test_args.split(), "--target", "http://127.0.0.1:1",
        "--listen", f"127.0.0.1:{port}", "--workers", str(count), "--join-timeout", args.join_timeout, "--token", args.token,
        "--quiet", "--summary-export", export, "--results-dir", os.path.join(work, "results")]
    wait_until_idle()
    log = open(coordinator_log, "w")
    coordinator = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    samples = []  # (time, cpu seconds, rss kB)
    children = []
    usage = None
    try:
        deadline = time.time() + 30
        while True:
            if coordinator.poll() is not None:
                raise SystemExit(f"coordinator exited {coordinator.returncode}: {open(coordinator_log).read()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("coordinator not listening")
                time.sleep(0.05)
        t0 = time.time()
        cpu0 = proc_cpu_seconds(coordinator.pid)
        per_child = math.ceil(count / args.processes)
        for p in range(args.processes):
            first, n = p * per_child, min(per_child, count - p * per_child)
            if n <= 0:
                break
            out = os.path.join(work, f"child-{count}-{p}.json")
            child_cmd = ([] if not pin_s else ["taskset", "-c", pin_s]) + [
                sys.executable, os.path.abspath(__file__), "--child", "--stubs", stubs, "--address", f"127.0.0.1:{port}",
                "--first", str(first), "--count", str(n), "--duration", str(args.duration), "--version", version,
                "--token", args.token, "--variants", str(args.variants), "--out", out,
                *(["--early-heartbeats"] if args.early_heartbeats else []), "--latency-us", str(args.latency_us),
                "--timeout", str(args.duration + 180)]
            children.append((subprocess.Popen(child_cmd, stdout=open(out + ".log", "w"), stderr=subprocess.STDOUT), out))
        hard_end = time.time() + args.duration + 240
        usage = None
        while time.time() < hard_end:
            try:
                samples.append((time.time(), proc_cpu_seconds(coordinator.pid), proc_status(coordinator.pid, "VmRSS"),
                                proc_status(coordinator.pid, "VmHWM")))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
            pid, status, ru = os.wait4(coordinator.pid, os.WNOHANG)  # reaps it with its rusage
            if pid:
                coordinator.returncode, usage = os.waitstatus_to_exitcode(status), ru
                break
            time.sleep(0.25)
        if usage is None:
            print(f"coordinator still running {args.duration + 240} s after the workers started: stopping it", file=sys.stderr)
            coordinator.send_signal(signal.SIGINT)
            _, status, usage = os.wait4(coordinator.pid, 0)
            coordinator.returncode = os.waitstatus_to_exitcode(status)
        ended = time.time()
        sims_cpu = 0.0
        for child, _ in children:
            _, status, ru = os.wait4(child.pid, 0)  # they end on their own --timeout at the latest
            child.returncode = os.waitstatus_to_exitcode(status)
            sims_cpu += ru.ru_utime + ru.ru_stime
    finally:
        if coordinator.poll() is None:
            coordinator.kill()
            coordinator.wait()
        for child, _ in children:
            if child.poll() is None:
                child.kill()
                child.wait()
        log.close()

    tallies = []
    for child, out in children:
        if os.path.exists(out):
            tallies.append(json.load(open(out)))
        else:
            tallies.append({"errors": [f"simulated workers of {out}: no result (exit {child.returncode}): "
                                       + open(out + ".log").read()[-1500:]], "completed": 0})
    errors = [e for t in tallies for e in t.get("errors", [])]
    completed = sum(t.get("completed", 0) for t in tallies)
    ok = [t for t in tallies if "bytes_load" in t]
    start_at = min((t["start_at"] for t in ok if t.get("start_at")), default=None)
    done_at = max((d for t in ok for d in t["done_at"]), default=None)
    closed_at = max((d for t in ok for d in t["closed_at"]), default=None)
    bytes_load = sum(t["bytes_load"] for t in ok)
    messages_load = sum(t["messages_load"] for t in ok)
    sent_reqs = sum(t["http_reqs"] for t in ok)
    buckets = [b for t in ok for b in t["buckets"]]
    sizes = [s for t in ok for s in t["interval_sizes"]]

    def cpu_at(when):
        """Coordinator CPU seconds at `when`, interpolated between samples."""
        before = [s for s in samples if s[0] <= when]
        after = [s for s in samples if s[0] >= when]
        if not before or not after:
            return (before or after)[-1 if before else 0][1]
        a, b = before[-1], after[0]
        return a[1] if b[0] == a[0] else a[1] + (b[1] - a[1]) * (when - a[0]) / (b[0] - a[0])

    load_seconds = (done_at - start_at) if start_at and done_at else float("nan")
    load_cpu = (cpu_at(done_at) - cpu_at(start_at)) if start_at and done_at else float("nan")
    total_cpu = usage.ru_utime + usage.ru_stime
    summary = json.load(open(export)) if os.path.exists(export) else None
    merged_reqs = summary["metrics"]["http_reqs"]["count"] if summary else None
    row = {
        "workers": count,
        "completed": completed,
        "coordinator_exit": coordinator.returncode,
        "load_seconds": load_seconds,
        "cpu_per_load_second": load_cpu / load_seconds if load_seconds == load_seconds else float("nan"),
        "cpu_before_start_s": cpu_at(start_at) if start_at else float("nan"),  # start-up, joins, handshakes, Ready
        "cpu_after_last_done_s": (total_cpu - cpu_at(done_at)) if done_at else float("nan"),  # summary, results folder
        "cpu_total_s": total_cpu,
        "peak_rss_mib": max((s[3] for s in samples), default=0) / 1024,
        "rss_at_end_mib": max((s for s in samples if s[2]), default=(0, 0, 0))[2] / 1024 if samples else float("nan"),
        "join_to_start_s": (start_at - t0) if start_at else float("nan"),
        "exit_after_last_done_s": (ended - done_at) if done_at else float("nan"),
        "stream_closed_after_last_done_s": (closed_at - done_at) if closed_at and done_at else float("nan"),
        "bytes_per_second": bytes_load / load_seconds if load_seconds == load_seconds else float("nan"),
        "bytes_per_second_framed": (bytes_load + 5 * messages_load) / load_seconds if load_seconds == load_seconds else float("nan"),
        "messages_per_second": messages_load / load_seconds if load_seconds == load_seconds else float("nan"),
        "interval_bytes_median": statistics.median(sizes) if sizes else float("nan"),
        "buckets_per_trend_median": statistics.median(buckets) if buckets else float("nan"),
        "buckets_per_trend_range": [min(buckets), max(buckets)] if buckets else None,
        "sims_cpu_per_second": sims_cpu / (ended - t0),
        "sims_interval_late_max_s": max((t["late_max"] for t in ok), default=float("nan")),
        "layout": next((t["layout"] for t in ok if t.get("layout")), {}),
        "sent_http_reqs": sent_reqs,
        "merged_http_reqs": merged_reqs,
        "errors": errors[:20],
        "error_count": len(errors),
        "coordinator_log_tail": open(coordinator_log).read()[-3000:],
        "coordinator_events": coordinator_events(coordinator_log),
        "cpu_timeline": [(round(s[0] - t0, 2), round(s[1] - cpu0, 3), s[2]) for s in samples[::4]],
    }
    print(f"{count:5d} workers: {completed} completed, exit {coordinator.returncode}, "
          f"CPU {row['cpu_per_load_second']:.3f} s/s during load, peak RSS {row['peak_rss_mib']:.0f} MiB, "
          f"{row['bytes_per_second'] / 1e6:.2f} MB/s in, merged http_reqs {merged_reqs} vs sent {sent_reqs}"
          + (f", {len(errors)} errors, first: {errors[0]}" if errors else ""), file=sys.stderr)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stampede")
    ap.add_argument("--counts", default="100,1000")
    ap.add_argument("--duration", type=int, default=25, help="seconds of intervals each simulated worker sends")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--processes", type=int, default=0, help="simulated-worker processes (default: 1 per 250 workers)")
    ap.add_argument("--test", default=os.path.join(HERE, "coordinator-scale.yaml"))
    ap.add_argument("--test-args", default="", help="extra coordinator flags, e.g. '--scale 0.01 --duration-scale 0.01'")
    ap.add_argument("--token", default="bench-token")
    ap.add_argument("--pin", default="0,1", help="cores: coordinator,simulated workers ('' for none)")
    ap.add_argument("--variants", type=int, default=24, help="distinct per-second metric sets per process")
    ap.add_argument("--latency-us", type=int, default=3000,
                    help="median of the simulated request latencies, µs (iterations: 4×); under ~500 every trend "
                         "stays in the coordinator's small histogram layout (< 2,048 µs)")
    ap.add_argument("--early-heartbeats", action="store_true",
                    help="heartbeat from the Hello on, as `stampede worker` does (the coordinator may refuse it)")
    # A child process of simulated workers:
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--join-timeout", default="120s", help="the coordinator's --join-timeout")
    for flag in ("--stubs", "--address", "--version", "--out"):
        ap.add_argument(flag, help=argparse.SUPPRESS)
    ap.add_argument("--first", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--timeout", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        asyncio.run(run_child(args))
        return
    if not args.stampede:
        ap.error("--stampede is required")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the coordinator holds a socket per worker
    version = subprocess.run([args.stampede, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="stampede-coordinator-scale-")
    stubs = os.path.join(work, "stubs")
    os.makedirs(stubs)
    generate_stubs(stubs)
    counts = [int(c) for c in args.counts.split(",")]
    rows = {c: [] for c in counts}
    try:
        for round_ in range(args.rounds):
            for count in counts:
                procs = args.processes or max(1, math.ceil(count / 250))
                a = argparse.Namespace(**{**vars(args), "processes": procs})
                rows[count].append(with_foreign_cpu(lambda: one_round(a, count, stubs, version, work)))
    finally:
        keep = os.environ.get("KEEP_WORK")
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work folder kept: {work}", file=sys.stderr)

    keys = ("cpu_per_load_second", "cpu_total_s", "cpu_before_start_s", "cpu_after_last_done_s", "peak_rss_mib",
            "bytes_per_second", "bytes_per_second_framed", "messages_per_second", "interval_bytes_median",
            "buckets_per_trend_median", "join_to_start_s", "exit_after_last_done_s", "load_seconds", "sims_cpu_per_second",
            "sims_interval_late_max_s", "foreign_cpu_s")
    medians = {c: {k: statistics.median(r[k] for r in rs) for k in keys} for c, rs in rows.items()}
    print(f"\ntest: {os.path.relpath(args.test) if os.path.exists(args.test) else args.test} {args.test_args}; "
          f"{args.duration} s of intervals; latencies around {args.latency_us} µs; medians of {args.rounds} round(s); "
          f"cores coordinator,simulated workers: {args.pin or 'not pinned'}")
    print(f"{'workers':>7s} {'done':>5s} {'CPU s/s load':>12s} {'CPU µs/interval':>15s} {'CPU total s':>11s} "
          f"{'peak RSS MiB':>12s} {'KB/s in':>8s} {'msg/s':>6s} {'B/interval':>10s} {'exit lag s':>10s} {'reqs merged=sent':>16s} "
          f"{'sims CPU s/s':>12s} {'sims late s':>11s} {'other CPU s':>11s}")
    for c in counts:
        m = medians[c]
        ok = all(r["merged_http_reqs"] == r["sent_http_reqs"] for r in rows[c])
        done = min(r["completed"] for r in rows[c])
        # Only meaningful when the coordinator kept up with every worker to the end.
        kept_up = all(r["coordinator_exit"] in (0, 99) and r["completed"] == c for r in rows[c])
        per_interval = m["cpu_per_load_second"] * 1e6 / c if kept_up else float("nan")
        print(f"{c:7d} {done:5d} {m['cpu_per_load_second']:12.3f} {per_interval:15.1f} {m['cpu_total_s']:11.2f} "
              f"{m['peak_rss_mib']:12.0f} {m['bytes_per_second'] / 1e3:8.0f} {m['messages_per_second']:6.0f} "
              f"{m['interval_bytes_median']:10.0f} {m['exit_after_last_done_s']:10.2f} {str(ok):>16s} "
              f"{m['sims_cpu_per_second']:12.2f} {m['sims_interval_late_max_s']:11.2f} {m['foreign_cpu_s']:11.1f}")
        for r in rows[c]:
            if r["error_count"] or r["coordinator_exit"] not in (0, 99):
                print(f"  {c} workers: coordinator exit {r['coordinator_exit']}, {r['error_count']} simulated-worker errors; "
                      f"first: {r['errors'][:3]}")
                for event in r["coordinator_events"][:5]:
                    print(f"    {event['count']:5d} × {event['line'][:200]}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", time.strftime("coordinator-scale-%Y%m%dT%H%M%SZ.json", time.gmtime()))
    with open(path, "w") as f:
        json.dump({"config": vars(args), "version": version, "rows": rows, "medians": medians}, f, indent=2)
    print(f"written: {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
