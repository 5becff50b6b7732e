#!/usr/bin/env python3
"""Turns the JSON lines of run.sh into the README's Markdown table (medians over runs)."""
import collections, json, platform, statistics, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
commit = sys.argv[2] if len(sys.argv) > 2 else "?"
peak = statistics.median([r["gflops"] for r in rows if r["workload"] == "peak"])
groups = collections.defaultdict(list)
impls = {}
for r in rows:
    kind = r["impl"].split()[0]
    impls[kind] = r["impl"]
    groups[(r["workload"], r.get("cell", ""), r.get("threads", 1), kind)].append(r)


def med(key, w, c, t, k):
    v = [r[key] for r in groups.get((w, c, t, k), []) if key in r]
    return statistics.median(v) if v else None


print(f"Machine: {platform.processor() or platform.machine()}, commit {commit}; peak (numpy/OpenBLAS sgemm 2048³): {peak:.0f} GFLOP/s")
print("Implementations: " + "; ".join(sorted(impls.values())) + "\n")
print("| workload | cell | threads | forecast | PyTorch | Keras | vs PyTorch | vs Keras | forecast % of peak |")
print("|---|---|---|---|---|---|---|---|---|")
for (w, c, t, k) in sorted({(w, c, t, "forecast") for (w, c, t, k) in groups if w in ("train", "infer", "latency")}):
    key = "latency_us" if w == "latency" else "windows_per_second"
    ours, pt, ke = med(key, w, c, t, "forecast"), med(key, w, c, t, "pytorch"), med(key, w, c, t, "keras")
    if ours is None: continue
    ratio = (lambda x: None if x is None else (x / ours if w == "latency" else ours / x))
    gf = med("gflops", w, c, t, "forecast")
    fmt = lambda v: "-" if v is None else (f"{v:.0f} µs" if w == "latency" else f"{v:,.0f}/s")
    rt = lambda v: "-" if v is None else f"{v:.2f}x"
    print(f"| {w} | {c} | {t} | {fmt(ours)} | {fmt(pt)} | {fmt(ke)} | {rt(ratio(pt))} | {rt(ratio(ke))} | {'-' if gf is None else f'{100 * gf / peak:.0f}%'} |")
ct = next((t for (w, c, t, k) in groups if w == "csv" and k == "forecast"), 1)
ours, pd = med("mb_per_second", "csv", "lstm", ct, "forecast"), med("mb_per_second", "csv", "", 1, "pandas")
mem_o = med("peak_rss_bytes", "csv", "lstm", ct, "forecast"); mem_p = med("peak_rss_bytes", "csv", "", 1, "pandas")
kept = med("numeric_bytes_kept", "csv", "lstm", ct, "forecast")
if ours and pd:
    print(f"| csv ingest (100 MB) | - | {ct} | {ours:.0f} MB/s, {mem_o / 1e6:.0f} MB RSS | pandas {pd:.0f} MB/s, {mem_p / 1e6:.0f} MB RSS | | | {ours / pd:.2f}x pandas | numeric data kept {kept / 1e6:.0f} MB |")
# Peak memory of a one-thread LSTM training run, per implementation (each ran in its own process).
train_rss = {k: med("peak_rss_bytes", "train", "lstm", 1, k) for k in ("forecast", "pytorch", "keras")}
if all(train_rss.values()):
    print(f"\nPeak RSS of a one-thread LSTM training run: forecast {train_rss['forecast'] / 1e6:.0f} MB, "
          f"PyTorch {train_rss['pytorch'] / 1e6:.0f} MB, Keras {train_rss['keras'] / 1e6:.0f} MB.")
