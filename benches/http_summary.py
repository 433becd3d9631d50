"""Summarizes the `HTTP ...` lines of benches/run-http.sh (stdin) into the tables of BENCHMARKS.md.

A line: HTTP IMPL SCENARIO CONCURRENCY ROUND CALLS CALLS_PER_S CPU_US_PER_CALL
(CPU: the client process's, all threads), and PAIRS SCENARIO CONCURRENCY ROUND R1 .. R20: the
SDK/bare ratio of each of the round's slices (the two ran one right after the other).
Calls/s and CPU are medians over rounds. The headline SDK/bare ratio is the median of every
slice pair of every round: each pair saw the same machine, so a change of load between pairs
cancels out, and one disturbed slice moves a median little. The per-round ratios (the two's
totals over a round) are given beside it as min – max."""
import statistics
import sys
from collections import defaultdict

runs = defaultdict(dict)  # (impl, scenario, conc) -> round -> (cps, cpu)
pairs = defaultdict(list)  # (scenario, conc) -> every slice's SDK/bare ratio
for line in sys.stdin:
    p = line.split()
    if len(p) == 8 and p[0] == "HTTP":
        runs[(p[1], p[2], int(p[3]))][p[4]] = (float(p[6]), float(p[7]))
    elif len(p) > 4 and p[0] == "PAIRS":
        pairs[(p[1], int(p[2]))] += [float(x) for x in p[4:]]


def quartiles(xs):
    if len(xs) < 4:
        return float("nan"), float("nan")
    q = statistics.quantiles(xs, n=4)
    return q[0], q[2]


scenarios = ["user-info", "template-send", "user-get-10k"]
med = lambda xs: statistics.median(xs) if xs else float("nan")


def col(impl, s, c, i):
    return [v[i] for v in runs.get((impl, s, c), {}).values()]


print("| scenario | concurrency | wechat-oa calls/s | bare reqwest calls/s | **wechat-oa / bare** (median of slice pairs) "
      "| slice pairs: quartiles (n) | rounds: min – max "
      "| client CPU µs/call wechat-oa / bare (ratio) | wechatpy calls/s | wechat-api calls/s | wechat-oa ÷ wechatpy | wechat-oa ÷ wechat-api |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for s in scenarios:
    for c in (1, 64):
        sdk, bare = runs.get(("sdk", s, c), {}), runs.get(("bare", s, c), {})
        both = sorted(set(sdk) & set(bare))
        ratios = [sdk[r][0] / bare[r][0] for r in both]
        cpu_ratio = med([sdk[r][1] / bare[r][1] for r in both])
        py, node = med(col("wechatpy", s, c, 0)), med(col("wechat-api", s, c, 0))
        sdk_cps = med(col("sdk", s, c, 0))
        fmt = lambda x: "—" if x != x else "{:,.0f}".format(x)
        rat = lambda a, b: "—" if b != b else "{:.1f}×".format(a / b)
        sp = pairs.get((s, c), [])
        q1, q3 = quartiles(sp)
        print("| {} | {} | {} | {} | **{:.3f}** | {:.3f} – {:.3f} ({}) | {:.3f} – {:.3f} | {:.1f} / {:.1f} ({:.3f}) | {} | {} | {} | {} |".format(
            s, c, fmt(sdk_cps), fmt(med(col("bare", s, c, 0))), med(sp), q1, q3, len(sp), min(ratios, default=float("nan")),
            max(ratios, default=float("nan")), med(col("sdk", s, c, 1)), med(col("bare", s, c, 1)), cpu_ratio,
            fmt(py), fmt(node), rat(sdk_cps, py), rat(sdk_cps, node)))
print()
print("rounds: " + ", ".join("{} {} c{}: {}".format(k[0], k[1], k[2], len(v)) for k, v in sorted(runs.items())))
