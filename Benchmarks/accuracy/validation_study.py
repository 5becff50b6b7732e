#!/usr/bin/env python3
"""Two offline replays of `fit`'s combination rule, on rolling-origin runs made with
`scripts/accuracy.py --dump-validation`.

`networks A.json B.json`: the same datasets fitted two ways (say, with and without
`--window-scaling`, or B with TARGET_TRANSFORM=log). B's network becomes a second network
candidate: the rule run with B's network instead of A's, with the mean of the two networks as the
network, and with the better-validating network per series; per dataset, the current rule against
the mean of the two.

`origins V.json`: a run made with `--validation-origins 12` as well. The best statistical model is
chosen on the newest 4, 6, 8 or 12 origins (statistical forecasts from `predict --method` on the cut
history), then weighed against the network on the four newest (the network's cross-validation
forecasts); then the errors weighted by recency.

`seeds RUN.json...`: runs made with SEEDS=a,b,c (one variant per seed, each on the same datasets):
per run, the default forecast's and the network's geometric-mean ratio at each seed and their mean
over the seeds, then the forecasts averaged over the seeds (a whole fit, combination included, bagged
over seeds, at as many times the cost) and the network's forecasts averaged (an ensemble of every
seed's members).

`against BASE.json RUN.json...`: runs on a subset of the datasets (say `--max-length 1500` with other
FIT_ARGS) against the base run on the same datasets: the default forecast's and the network's
geometric-mean ratio per set, and the datasets more than 5 % worse than in the base run.

    python3 Benchmarks/accuracy/validation_study.py against results/rolling_all.json results/rolling_all_study_s15_*.json
    python3 Benchmarks/accuracy/validation_study.py networks results/rolling_all.json results/rolling_all_study_ws.json
    python3 Benchmarks/accuracy/validation_study.py origins results/rolling_all_study_s15_v12.json
    python3 Benchmarks/accuracy/validation_study.py seeds results/rolling_all_study_s17_seeds_small.json
"""
import argparse, json, math, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import combination_study as C  # noqa: E402


def networks(a_path, b_path):
    A, B = C.rolling_cases(a_path), C.rolling_cases(b_path)
    first = next(iter(A.values()))[0][0]
    C.STATS[:] = [s for s in C.STATS if s in first.test]
    S = list(C.STATS)
    cases = {}
    for key, rows in A.items():
        out = []
        for (ca, actual, scale, sn), (cb, *_) in zip(rows, B.get(key, rows)):
            same = len(cb.val_actual) == len(ca.val_actual)
            val, test = dict(ca.val), dict(ca.test)
            val["b_network"] = cb.val["network"] if same else ca.val["network"]
            test["b_network"] = cb.test["network"]
            out.append((C.Case(val, ca.val_actual, test), actual, scale, sn))
        cases[key] = out
    na, nb = C.base("network"), C.base("b_network")
    both = lambda f: C.mean([f["network"], f["b_network"]])

    def with_net(net):
        return C.fit_rule(S, net)

    def validated(c):
        if not c.val_actual:
            return c.test["network"]
        return C.fit_rule(S, na if c.error(na) <= c.error(nb) else nb)(c)
    rules = {"current (A's network)": with_net(na), "B's network": with_net(nb),
             "mean of the two networks": with_net(both), "better-validating network": validated,
             "A's network alone": lambda c: c.test["network"], "B's network alone": lambda c: c.test["b_network"]}
    print(f"{'rule':32s} {'bundled':>8s} {'extra':>8s}")
    per = {}
    for name, r in rules.items():
        sets, per[name] = C.score_rolling(cases, r)
        print(f"{name:32s} {sets.get('bundled', float('nan')):8.3f} {sets.get('extra', float('nan')):8.3f}")
    print("\nper dataset: current, mean of the two networks, better-validating (<< / >>: over 5 % worse / better)")
    cur, mean2, val = (per[k] for k in ("current (A's network)", "mean of the two networks", "better-validating network"))
    for k in sorted(cur):
        flag = "  <<" if mean2[k] > 1.05 * cur[k] else "  >>" if mean2[k] < 0.95 * cur[k] else ""
        print(f"  {k[0]:7s} {k[1][:40]:40s} {cur[k]:.3f} {mean2[k]:.3f} {val[k]:.3f}{flag}")


def origins(path):
    J = json.load(open(path))
    S = list(C.STATS)

    def replay(o, n_stat, decay=1.0, decay_net=1.0):
        dump = o["dump"]
        K = len(dump["actual"])
        if K == 0:
            return o["forecasts"]["network"]
        if n_stat > 4:   # statistical models scored on more origins, from predict --method on the cut history
            vs = [v for v in o["validation"] if v["j"] <= n_stat]
            stat_err = lambda s: sum(C.mae(v["actual"], v["forecasts"][s]) for v in vs) / len(vs)
        else:
            w = [decay ** i for i in range(K)]
            stat_err = lambda s: sum(wi * C.mae(dump["actual"][i], dump["forecasts"][s][i]) for i, wi in enumerate(w)) / sum(w)
        e = {s: stat_err(s) for s in S}
        best = S[0]
        for s in S:
            if e[s] < e[best] * (1 - 1e-9):
                best = s
        w = [decay_net ** i for i in range(K)]
        err = lambda f: sum(wi * C.mae(dump["actual"][i], f(i)) for i, wi in enumerate(w)) / sum(w)
        a = err(lambda i: dump["forecasts"]["network"][i])
        b = err(lambda i: dump["forecasts"][best][i])
        m = err(lambda i: C.mean([dump["forecasts"]["network"][i], dump["forecasts"][best][i]]))
        if b < a * (1 - 1e-9) and b <= m:
            return o["forecasts"][best]
        if m < a * (1 - 1e-9):
            return C.mean([o["forecasts"]["network"], o["forecasts"][best]])
        return o["forecasts"]["network"]

    def show(label, **kw):
        sets = {}
        for d in J["variants"][0]["summary"]["datasets"]:
            if "ratio" not in d or any("dump" not in o or "validation" not in o for o in d["origins"]):
                continue
            r = [C.mae(o["actual"], replay(o, **kw)) / o["scale"] for o in d["origins"]]
            sets.setdefault(d["set"], []).append(sum(r) / len(r) / d["mase_snaive"])
        print(f"{label:44s} " + "  ".join(f"{s} {C.geomean(v):.3f} ({len(v)})" for s, v in sorted(sets.items())))
    for n in (4, 6, 8, 12):
        show(f"best statistical model on the newest {n}", n_stat=n)
    for d, dn in ((0.8, 0.8), (0.6, 0.6), (0.8, 1.0), (0.6, 1.0), (1.0, 0.8), (1.0, 0.6)):
        show(f"recency weights {d} (statistical), {dn} (network)", n_stat=4, decay=d, decay_net=dn)


def against(base_path, runs):
    base = {(d["set"], d["file"]): d for d in json.load(open(base_path))["variants"][0]["summary"]["datasets"]}
    net = lambda d: d["candidates"]["network"] / d["mase_snaive"]
    for path in runs:
        for v in json.load(open(path))["variants"]:
            ds = {(d["set"], d["file"]): d for d in v["summary"]["datasets"] if "ratio" in d and (d["set"], d["file"]) in base}
            label = os.path.basename(path).replace("rolling_all_study_", "").replace(".json", "") + " " + v.get("name", "")
            for st in ("bundled", "extra"):
                ks = [k for k in ds if k[0] == st]
                if not ks:
                    continue
                worse = [f"{k[1].split('.')[0]} {ds[k]['ratio'] / base[k]['ratio']:.2f}" for k in ks if ds[k]["ratio"] > 1.05 * base[k]["ratio"]]
                print(f"{label:34s} {st:7s} {len(ks):2d} datasets: default {C.geomean([base[k]['ratio'] for k in ks]):.3f} -> "
                      f"{C.geomean([ds[k]['ratio'] for k in ks]):.3f}, network {C.geomean([net(base[k]) for k in ks]):.3f} -> "
                      f"{C.geomean([net(ds[k]) for k in ks]):.3f}; over 5 % worse: {', '.join(worse) or 'none'}")


def seeds(paths):
    for path in paths:
        V = json.load(open(path))["variants"]
        runs = [{(d["set"], d["file"]): d["origins"] for d in v["summary"]["datasets"] if "ratio" in d} for v in V]
        keys = [k for k in runs[0] if all(k in r for r in runs)]

        def score(forecast):
            sets = {}
            for k in keys:
                per = [[r[k][i] for r in runs] for i in range(len(runs[0][k]))]
                e = sum(C.mae(os_[0]["actual"], forecast(os_)) / os_[0]["scale"] for os_ in per) / len(per)
                sets.setdefault(k[0], []).append(e / (sum(os_[0]["mase_snaive"] for os_ in per) / len(per)))
            return {st: C.geomean(v) for st, v in sets.items()}

        def line(label, kind):
            each = [score(lambda os_, i=i: os_[i]["forecasts"][kind]) for i in range(len(runs))]
            bagged = score(lambda os_: C.mean([o["forecasts"][kind] for o in os_]))
            for st in sorted(bagged):
                print(f"{label:10s} {st:7s} seeds {' '.join(f'{e[st]:.3f}' for e in each)}, mean "
                      f"{sum(e[st] for e in each) / len(each):.3f}; averaged over the seeds {bagged[st]:.3f}")
        print(os.path.basename(path), "-", ", ".join(v.get("name", "") for v in V), f"({len(keys)} datasets)")
        line("default", "combination")
        line("network", "network")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("study", choices=["against", "networks", "origins", "seeds"])
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    if a.study == "against":
        against(a.runs[0], a.runs[1:])
    elif a.study == "seeds":
        seeds(a.runs)
    elif a.study == "networks":
        networks(*a.runs[:2])
    else:
        origins(a.runs[0])


if __name__ == "__main__":
    main()
