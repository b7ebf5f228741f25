"""Decodes every hdrHistogram in a summary.json with the reference HdrHistogram decoder
(PyPI hdrhistogram, not Stampede's code) and compares it with the figures Stampede wrote
beside it: count, min, max, p(50), p(90), p(99), p(99.9).
Usage: check-hdr.py SUMMARY.json. Prints a line per metric; exits 1 on any difference
beyond HDR's 3-significant-digit equivalence, 2 when there is nothing to check."""
import json, math, sys

from hdrh.histogram import HdrHistogram


def equivalent(histogram, decoded, reported):
    """Reported and decoded values agree when they fall in the same HDR bucket (3
    significant digits); one unit of slack for the rounding to microseconds."""
    return abs(decoded - reported) <= 1 or histogram.values_are_equivalent(int(decoded), int(round(reported)))


def value_at_percentile(histogram, p):
    """The nearest-rank percentile, rank ceil(p% of the count), as HdrHistogram's Java and
    Swift libraries read it, from the reference decoder's buckets: the Python package's own
    get_value_at_percentile rounds the rank to the nearest instead, one bucket lower at
    times. The small epsilon keeps 99% of 100 at rank 99 despite floating point."""
    rank = max(1, math.ceil(p / 100 * histogram.get_total_count() - 1e-9))
    for item in histogram.get_recorded_iterator():
        if item.total_count_to_this_value >= rank:
            value = histogram.get_highest_equivalent_value(item.value_iterated_to)
            return min(max(value, histogram.get_min_value()), histogram.get_max_value())
    raise ValueError("rank beyond the count")


def main():
    summary = json.load(open(sys.argv[1]))
    metrics, percentiles = summary["metrics"], summary["stampede"]["percentiles"]
    failures, checked = [], 0
    for name, distribution in sorted(percentiles.items()):
        histogram = HdrHistogram.decode(distribution["hdrHistogram"])
        # Histograms hold thousandths of the metric's unit (microseconds for milliseconds),
        # summary.json writes the unit.
        scale = 1000
        count = histogram.get_total_count()
        pairs = [("count", count, distribution["count"])]
        if count > 0:
            stats = metrics[name]
            pairs += [("min", histogram.get_min_value(), stats["min"] * scale),
                      ("max", histogram.get_max_value(), stats["max"] * scale)]
            for p in (50, 90, 99, 99.9):
                pairs.append((f"p({p:g})", value_at_percentile(histogram, p), distribution[f"p({p:g})"] * scale))
        bad = [f"{stat} decoded {d} reported {r}" for stat, d, r in pairs
               if (d != r if stat == "count" else not equivalent(histogram, d, r))]
        print(f"{name}: count {count} {'MISMATCH ' + '; '.join(bad) if bad else 'ok'}")
        failures += [f"{name}: {b}" for b in bad]
        checked += 1
    if checked == 0:
        print("no hdrHistogram in", sys.argv[1])
        sys.exit(2)
    print(f"{checked} histograms checked, {len(failures)} differences")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
