#!/usr/bin/env python3
"""Offline study of combination rules from `scripts/accuracy.py --candidates --validation-origins 6` output.

For every dataset and test origin the run stores each candidate's forecast of the test block and of the
six blocks of H points before it (the validation origins, newest first; the network forecasts them
from the points before each, as `fit`'s combination does). This script replays selection and
averaging rules on those forecasts and prints, per rule, the geometric-mean MASE ratio vs seasonal
naive on the bundled and the extra datasets, so a rule can be chosen on both sets at once without
refitting. The rule `fit` uses is "pick(net, best stat, mix) last4".

    python3 Benchmarks/accuracy/combination_rules.py Benchmarks/accuracy/results/rolling_all_study2.json [RULE ...]

Naming: pickK = the candidate with the smallest validation MAE among K; lastN = the N newest
validation origins; held<=3 = only origins inside the part held out from training (at most 3);
marginX = a statistical model must beat the network by X; mix = mean of the network and the best
statistical model. Stdlib only.
"""
import json, math, sys, itertools
J = json.load(open(sys.argv[1]))
V = J["variants"][0]["summary"]["datasets"]
C = ["network", "seasonal_naive", "theta", "damped_ets", "holt_winters", "naive", "drift"]

def mae(a, f):
    p = [(x, y) for x, y in zip(a, f) if x is not None]
    if not p: return 0.0
    return sum(abs(x - y) for x, y in p) / len(p)

def gm(xs): return math.exp(sum(map(math.log, xs)) / len(xs))

def held(o, H, j):
    v = max(H, round(0.1 * o["n_train"]))
    return j * H <= v

def verr(o, c, js):
    return sum(mae(v["actual"], v["forecasts"][c]) for v in o["validation"] if v["j"] in js) / max(1, len(js))

def mean(fs, w=None):
    w = w or [1] * len(fs)
    return [sum(wi * f[h] for wi, f in zip(w, fs)) / sum(w) for h in range(len(fs[0]))]

def med(fs):
    out = []
    for h in range(len(fs[0])):
        v = sorted(f[h] for f in fs); n = len(v)
        out.append(v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2)
    return out

def rule_factory():
    R = {}
    for c in C + ["combination"]:
        R["only " + c] = (lambda c: lambda o, H: o["forecasts"][c])(c)
    def pick(cands, jsel, margin=0.0):
        def f(o, H):
            js = jsel(o, H)
            if not js: return o["forecasts"]["network"]
            e = {c: verr(o, c, js) for c in cands}
            best = min(cands, key=lambda c: e[c])
            if best != "network" and "network" in cands and e[best] > e["network"] * (1 - margin): best = "network"
            return o["forecasts"][best]
        return f
    heldjs = lambda o, H: [v["j"] for v in o["validation"] if held(o, H, v["j"]) and v["j"] <= 3]
    alljs = lambda n: (lambda o, H: [v["j"] for v in o["validation"] if v["j"] <= n])
    base = ["network", "seasonal_naive", "theta", "damped_ets"]
    R["pick4 held<=3 (current)"] = pick(base, heldjs)
    for n in (1, 2, 3, 4, 6):
        R[f"pick4 last{n}"] = pick(base, alljs(n))
    b5 = base + ["holt_winters"]
    for n in (2, 3, 4, 5, 6):
        R[f"pick5 last{n}"] = pick(b5, alljs(n))
        for mg in (0.05, 0.1, 0.2):
            R[f"pick5 last{n} margin{mg}"] = pick(b5, alljs(n), mg)
    R["pick5 held<=3"] = pick(b5, heldjs)
    R["pick3(net,snaive,hw) last4"] = pick(["network","seasonal_naive","holt_winters"], alljs(4))
    R["pick3(net,snaive,hw) last6"] = pick(["network","seasonal_naive","holt_winters"], alljs(6))
    for n in (3, 4, 6):
        def nb(o, H, n=n):
            js = alljs(n)(o, H)
            if not js: return o["forecasts"]["network"]
            b = min(["seasonal_naive","theta","damped_ets","holt_winters"], key=lambda c: verr(o, c, js))
            return mean([o["forecasts"]["network"], o["forecasts"][b]])
        R[f"mean(net, best stat5 last{n})"] = nb
        def nb2(o, H, n=n):
            js = alljs(n)(o, H)
            if not js: return o["forecasts"]["network"]
            e = {c: verr(o, c, js) for c in b5}
            b = min(["seasonal_naive","theta","damped_ets","holt_winters"], key=lambda c: e[c])
            combo = mean([o["forecasts"]["network"], o["forecasts"][b]])
            # choose among net, best stat, and their mean by validation
            ce = sum(mae(v["actual"], mean([v["forecasts"]["network"], v["forecasts"][b]])) for v in o["validation"] if v["j"] in js) / len(js)
            opts = {"network": (e["network"], o["forecasts"]["network"]), b: (e[b], o["forecasts"][b]), "mix": (ce, combo)}
            return min(opts.values(), key=lambda t: t[0])[1]
        R[f"pick(net, best stat, mix) last{n}"] = nb2
    stats = ["seasonal_naive", "theta", "damped_ets"]
    R["mean net,theta,ets"] = lambda o, H: mean([o["forecasts"][c] for c in ["network", "theta", "damped_ets"]])
    R["median net,snaive,theta,ets"] = lambda o, H: med([o["forecasts"][c] for c in base])
    R["median net,snaive,theta,ets,hw"] = lambda o, H: med([o["forecasts"][c] for c in base + ["holt_winters"]])
    R["mean snaive,theta,ets"] = lambda o, H: mean([o["forecasts"][c] for c in stats])
    R["mean all4"] = lambda o, H: mean([o["forecasts"][c] for c in base])
    for n in (3, 6):
        def topk(k, n=n, cands=base):
            def f(o, H):
                js = alljs(n)(o, H)
                if not js: return o["forecasts"]["network"]
                e = sorted(cands, key=lambda c: verr(o, c, js))
                return mean([o["forecasts"][c] for c in e[:k]])
            return f
        R[f"top2 mean last{n}"] = topk(2)
        R[f"top3 mean last{n}"] = topk(3)
        R[f"top2 mean last{n} (+hw)"] = topk(2, cands=base + ["holt_winters"])
        def inv(o, H, n=n, cands=base, p=1):
            js = alljs(n)(o, H)
            if not js: return o["forecasts"]["network"]
            e = [max(1e-12, verr(o, c, js)) for c in cands]
            return mean([o["forecasts"][c] for c in cands], [1 / x ** p for x in e])
        R[f"invMAE last{n}"] = inv
        R[f"invMAE^2 last{n}"] = lambda o, H, n=n, inv=inv: inv(o, H, n=n, p=2)
        def netbest(o, H, n=n):
            js = alljs(n)(o, H)
            if not js: return o["forecasts"]["network"]
            b = min(stats, key=lambda c: verr(o, c, js))
            return mean([o["forecasts"]["network"], o["forecasts"][b]])
        R[f"mean(net, best stat last{n})"] = netbest
    return R

R = rule_factory()
res = {}
for name, rule in R.items():
    per = {"bundled": [], "extra": []}
    for d in V:
        if "error" in d or not d.get("mase_snaive"): continue
        os_ = d["origins"]
        if not all("forecasts" in o for o in os_): continue
        ms = []
        for o in os_:
            f = rule(o, d["H"])
            ms.append(mae(o["actual"], f) / o["scale"])
        per[d["set"]].append((d["file"], sum(ms) / len(ms) / d["mase_snaive"]))
    res[name] = per
print(f"{'rule':40s} {'bundled':>8s} {'extra':>8s} {'n':>4s} worse_b worse_e")
for name, per in res.items():
    b = gm([x for _, x in per["bundled"]]) if per["bundled"] else float("nan")
    e = gm([x for _, x in per["extra"]]) if per["extra"] else float("nan")
    print(f"{name:40s} {b:8.3f} {e:8.3f} {len(per['bundled'])+len(per['extra']):4d} {sum(x>1 for _,x in per['bundled']):3d} {sum(x>1 for _,x in per['extra']):3d}")
if len(sys.argv) > 2:
    for name in sys.argv[2:]:
        print(name); [print(f"  {f:45s} {x:.3f}") for f, x in res[name]["bundled"] + res[name]["extra"]]
