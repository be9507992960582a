#!/usr/bin/env python3
"""same-report.py COMPILER.json SIMULATOR.json: every field of cimc's report
(latency, energy, bounds, event totals, per-layer timing) must be in
cim-sim's report with the same value. Prints "same: N fields" or the
fields that differ, and exits 1 then."""
import json
import sys

compiled = json.load(open(sys.argv[1]))
simulated = json.load(open(sys.argv[2]))
differ = [k for k in compiled if simulated.get(k) != compiled[k]]
for key in differ:
    print(f"{key}: cimc {compiled[key]!r}, cim-sim {simulated.get(key)!r}")
if differ:
    sys.exit(1)
print(f"same: {len(compiled)} fields")
