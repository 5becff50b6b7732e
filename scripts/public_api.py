#!/usr/bin/env python3
"""Counts ForecastKit's public API from DocC's symbol graphs (run `make docs` first): types,
declarations, and declarations with an unsafe pointer in their signature.

    python3 scripts/public_api.py [--list]
"""
import glob, json, os, sys
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = ["ForecastData", "ForecastNN", "ForecastMetrics", "ForecastModels", "ForecastKit"]
TYPES = {"swift.struct", "swift.class", "swift.enum", "swift.protocol", "swift.typealias", "swift.actor"}
files = [f for m in MODULES for f in glob.glob(f"{ROOT}/.build/*/extracted-symbols/*/{m}/{m}.symbols.json")]
if not files:
    sys.exit("no symbol graphs under .build: run `make docs` first")
types, decls, unsafe = [], 0, []
for f in files:
    g = json.load(open(f))
    for s in g["symbols"]:
        if s.get("accessLevel") != "public":
            continue
        decls += 1
        name = ".".join(s["pathComponents"])
        if s["kind"]["identifier"] in TYPES:
            types.append(f"{g['module']['name']}.{name}")
        sig = "".join(x.get("spelling", "") for x in s.get("declarationFragments", []))
        if "Unsafe" in sig and "Pointer" in sig:
            unsafe.append(f"{g['module']['name']}.{name}")
print(f"public types {len(types)}, public declarations {decls}, with unsafe pointers {len(unsafe)}")
if "--list" in sys.argv:
    print("\n".join(sorted(types)))
    print("unsafe:\n  " + "\n  ".join(sorted(unsafe)))
