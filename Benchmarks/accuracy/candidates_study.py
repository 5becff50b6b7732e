#!/usr/bin/env python3
"""Would another statistical candidate help the combination? An offline study, before building one.

Step 1 (`compute`) fits statsforecast's AutoARIMA, AutoCES, SES, DynamicOptimizedTheta, Naive and
RandomWalkWithDrift at exactly the origins that `fit`'s combination scored in a rolling-origin run
made with `scripts/accuracy.py --dump-validation` (each series' training part cut at each validation
origin, and whole for the test block), and writes their forecasts to a JSON file. AutoARIMA and
AutoCES are skipped on histories longer than 600 points (minutes per fit with a season of 12 or
more); a skipped candidate is replaced by seasonal naive, already in the pool, so it changes nothing
there. Histories are cut to their last 1,000 points.

Step 2 (`score`) replays `fit`'s rule (the network, the best statistical model or their mean, on the
four newest origins) with each new candidate added to the statistical pool, and every subset of
the current pool, and prints the geometric-mean MASE ratio to seasonal naive per set.

    .venv-bench/bin/pip install statsforecast
    .venv-bench/bin/python Benchmarks/accuracy/candidates_study.py compute RUN.json CANDS.json
    python3 Benchmarks/accuracy/candidates_study.py score RUN.json CANDS.json
"""
import argparse, itertools, json, os, sys, time, warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import combination_study as C  # noqa: E402

NEW = ["arima", "ces", "ses", "dotm", "naive", "drift"]
MAXLEN, SLOW_ABOVE = 1000, 600


def models(m):
    from statsforecast.models import (AutoARIMA, AutoCES, DynamicOptimizedTheta, Naive, RandomWalkWithDrift,
                                      SimpleExponentialSmoothingOptimized)
    return {"arima": lambda: AutoARIMA(season_length=m), "ces": lambda: AutoCES(season_length=m),
            "ses": SimpleExponentialSmoothingOptimized, "dotm": lambda: DynamicOptimizedTheta(season_length=m),
            "naive": Naive, "drift": RandomWalkWithDrift}


def forecast(make, y, h):
    import numpy as np
    y = np.asarray(y[-MAXLEN:], dtype=float)
    try:
        r = np.asarray(make().forecast(y=y, h=h)["mean"], dtype=float)
        if np.all(np.isfinite(r)):
            return r.tolist()
    except Exception:  # a failed fit forecasts the last value, as a user's fallback would
        pass
    return [float(y[-1])] * h


def one_dataset(job):
    import accuracy as A
    warnings.filterwarnings("ignore")
    key, ds, origins = job
    m, h, out, t0 = ds["m"], ds["H"], [], time.time()
    for o in origins:
        x = A.interpolate([A.to_float(v) for _, v in ds["rows"][:o["n_train"]]])
        rec = {"val": {}, "test": {}}
        for name, make in models(m).items():
            if name in ("arima", "ces") and len(x) > SLOW_ABOVE:
                continue
            rec["test"][name] = forecast(make, x, h)
            rec["val"][name] = [forecast(make, x[:vo], h) for vo in o["origins"]]
        out.append(rec)
    print(f"{key} {time.time() - t0:.1f} s", file=sys.stderr, flush=True)
    return key, out


def compute(run, dest):
    import accuracy as A
    from concurrent.futures import ProcessPoolExecutor
    J = json.load(open(run))
    files = {d["file"]: d for d in A.load_datasets("all")}
    jobs = [(d["set"] + "/" + d["file"], files[d["file"]],
             [{"n_train": o["n_train"], "origins": o.get("dump", {}).get("origins", [])} for o in d["origins"]])
            for d in J["variants"][0]["summary"]["datasets"]]
    res = {}
    with ProcessPoolExecutor(2) as ex:
        for k, v in ex.map(one_dataset, jobs):
            res[k] = v
            json.dump(res, open(dest, "w"))


two_stage = C.fit_rule


def score(run, cands):
    base, extra = C.rolling_cases(run), json.load(open(cands))
    first = next(iter(base.values()))[0][0]
    C.STATS[:] = [s for s in C.STATS if s in first.test]
    S = list(C.STATS)
    cases = {}
    for key, rows in base.items():
        recs = extra.get(key[0] + "/" + key[1])
        if not recs:
            continue
        out = []
        for (c, actual, scale, sn), rec in zip(rows, recs):
            val, test = dict(c.val), dict(c.test)
            for n in NEW:
                have = n in rec["test"]
                val["x" + n] = rec["val"][n] if have else c.val["seasonal_naive"]
                test["x" + n] = rec["test"][n] if have else c.test["seasonal_naive"]
            out.append((C.Case(val, c.val_actual, test), actual, scale, sn))
        cases[key] = out
    scum = lambda f: C.median([f["auto_ets"], f["xces"], f["xarima"], f["xdotm"]])
    rules = {"current": two_stage(S)}
    rules.update({"+" + n: two_stage(S + ["x" + n]) for n in NEW})
    rules["+arima +ces"] = two_stage(S + ["xarima", "xces"])
    rules["+all six"] = two_stage(S + ["x" + n for n in NEW])
    rules.update({"only " + n: (lambda n: lambda c: c.test["x" + n])(n) for n in NEW})
    rules["only median(AutoETS, CES, ARIMA, DOTM)"] = lambda c: scum(c.test)
    print(f"{'rule':40s} {'bundled':>8s} {'extra':>8s}   ({len(cases)} datasets)")
    for name, rule in rules.items():
        sets, _ = C.score_rolling(cases, rule)
        print(f"{name:40s} {sets.get('bundled', float('nan')):8.3f} {sets.get('extra', float('nan')):8.3f}")
    print("\nbest subsets of the current pool (by the extra set):")
    res = []
    for n in range(1, len(S) + 1):
        for sub in itertools.combinations(S, n):
            sets, _ = C.score_rolling(cases, two_stage(list(sub)))
            res.append((sets["extra"], sets["bundled"], sub))
    for e, b, sub in sorted(res)[:8]:
        print(f"{', '.join(sub):60s} {b:8.3f} {e:8.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["compute", "score"])
    ap.add_argument("run", help="JSON of scripts/accuracy.py --dump-validation")
    ap.add_argument("cands", help="the candidates' forecasts (written by compute, read by score)")
    a = ap.parse_args()
    (compute if a.step == "compute" else score)(a.run, a.cands)


if __name__ == "__main__":
    main()
