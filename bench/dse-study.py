#!/usr/bin/env python3
"""Co-design on the bundled ResNet-20: the CiMNet comparison and the time of
a full-grid design-space search (docs/results.md "Co-design",
docs/benchmarks.md "Design-space search").

  /usr/bin/python3 bench/dse-study.py OUT_DIR [--bin build/bin] [--jobs 2]
      [--skip-timing]

1. Runs `cim-dse bench/dse/resnet20-joint.yaml` (every point of the joint
   space: chip geometry, ADC resolution and chip size x five bit widths)
   from an empty cache with --jobs 1 and with --jobs N, timing both, and
   checks that both write the same front.
2. From the grid's points.csv, at each area budget and accuracy floor, the
   fastest point of:
     fixed  - W8A8 on a fixed chip (the base geometry: 128x128 2-bit cells,
              9-bit ADCs, the most PEs within the budget),
     bits   - the fixed chip, any of the five widths (the network alone),
     chip   - W8A8, any chip within the budget (the hardware alone),
     joint  - any chip, any widths,
   and their speedups over `fixed` (CiMNet's comparison: 1.7x from the
   model alone, 3.1x jointly, at ViT-B's accuracy).
3. Runs the same space with NSGA-II (bench/dse/resnet20-nsga2.yaml) and
   counts how many points of the grid's front it found with how many
   evaluations.
Prints Markdown tables.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
AXES = ["crossbar.rows", "crossbar.cols", "crossbar.cell_bits",
        "converters.adc_bits", "chip.pes"]


def run_dse(binary, space, out, jobs):
    if os.path.exists(out):
        shutil.rmtree(out)
    start = time.monotonic()
    subprocess.run([binary, space, "-o", out, "--jobs", str(jobs),
                    "--progress", "none"], check=True,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def read_points(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for k in ("latency_seconds", "energy_joules", "area_mm2", "accuracy"):
            r[k] = float(r[k])
        r["feasible"] = r["feasible"] == "1"
        r["pareto"] = r["pareto"] == "1"
    return rows


def key(r):
    return tuple([r["network"]] + [r[a] for a in AXES])


def describe(r):
    if r is None:
        return "-"
    return "%s, %sx%s %s-bit cells, %s-bit ADC, %s PEs" % (
        r["network"].split()[-1].upper(), r["crossbar.rows"],
        r["crossbar.cols"], r["crossbar.cell_bits"], r["converters.adc_bits"],
        r["chip.pes"])


def fastest(rows):
    rows = [r for r in rows if r["feasible"]]
    return min(rows, key=lambda r: (r["latency_seconds"], r["energy_joules"],
                                    key(r))) if rows else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-timing", action="store_true")
    args = parser.parse_args()
    binary = os.path.join(args.bin, "cim-dse")
    joint = os.path.join(HERE, "dse", "resnet20-joint.yaml")
    nsga = os.path.join(HERE, "dse", "resnet20-nsga2.yaml")
    os.makedirs(args.out, exist_ok=True)

    grid_dir = os.path.join(args.out, "grid-j%d" % args.jobs)
    t_n = run_dse(binary, joint, grid_dir, args.jobs)
    points = read_points(os.path.join(grid_dir, "points.csv"))
    compiled = sum(1 for r in points if r["compiled"] == "1")
    print("## Grid: %d points, %d compiled, %d on the front" %
          (len(points), compiled, sum(r["pareto"] for r in points)))
    print()
    print("| run | wall time |")
    print("| --- | --- |")
    if not args.skip_timing:
        one_dir = os.path.join(args.out, "grid-j1")
        t_1 = run_dse(binary, joint, one_dir, 1)
        same = open(os.path.join(one_dir, "front.json")).read() == open(
            os.path.join(grid_dir, "front.json")).read()
        print("| --jobs 1 | %.1f s |" % t_1)
        print("| --jobs %d | %.1f s (%.2fx; same front: %s) |" %
              (args.jobs, t_n, t_1 / t_n, same))
    else:
        print("| --jobs %d | %.1f s |" % (args.jobs, t_n))
    start = time.monotonic()
    subprocess.run([binary, joint, "-o", grid_dir, "--progress", "none"],
                   check=True, stdout=subprocess.DEVNULL)
    print("| rerun from the cache | %.1f s |" % (time.monotonic() - start))
    print()

    # The three fronts of the CiMNet comparison.
    print("## Fastest point per area budget and accuracy floor")
    print()
    print("| area <= | accuracy >= | fixed chip, W8A8 | network alone | "
          "chip alone (W8A8) | jointly |")
    print("| --- | --- | --- | --- | --- | --- |")
    base = {"crossbar.rows": "128", "crossbar.cols": "128",
            "crossbar.cell_bits": "2", "converters.adc_bits": "9"}
    for budget in (4.0, 6.0, 11.0):
        within = [r for r in points if r["feasible"]
                  and r["area_mm2"] <= budget]
        fixed_chips = [r for r in within
                       if all(r[k] == v for k, v in base.items())]
        if not fixed_chips:
            continue
        pes = max(int(r["chip.pes"]) for r in fixed_chips)
        on_fixed = [r for r in fixed_chips if int(r["chip.pes"]) == pes]
        w8a8 = [r for r in within if r["network"].endswith("w8a8")]
        for floor in (0.9414, 0.9400, 0.9300):
            ok = [r for r in within if r["accuracy"] >= floor - 1e-9]
            fixed = fastest([r for r in on_fixed
                             if r["network"].endswith("w8a8")])
            bits = fastest([r for r in on_fixed if r in ok])
            chip = fastest(w8a8)
            best = fastest(ok)

            def cell(r):
                if r is None or fixed is None:
                    return "-"
                return "%.2f us, %.2fx (%s; %.2f mm2, %.2f %%)" % (
                    r["latency_seconds"] * 1e6,
                    fixed["latency_seconds"] / r["latency_seconds"],
                    describe(r), r["area_mm2"], 100 * r["accuracy"])
            print("| %.0f mm2 | %.2f %% | %s | %s | %s | %s |" %
                  (budget, 100 * floor, cell(fixed), cell(bits), cell(chip),
                   cell(best)))
    print()

    # NSGA-II against the grid.
    nsga_dir = os.path.join(args.out, "nsga2")
    t = run_dse(binary, nsga, nsga_dir, args.jobs)
    found = read_points(os.path.join(nsga_dir, "points.csv"))
    grid_front = {key(r) for r in points if r["pareto"]}
    nsga_front = {key(r) for r in found if r["pareto"]}
    print("## NSGA-II on the same space")
    print()
    print("%d points evaluated in %.1f s (the grid: %d); %d of its %d front "
          "points are on the grid's front of %d" %
          (len(found), t, len(points), len(nsga_front & grid_front),
           len(nsga_front), len(grid_front)))
    print()
    print("| area <= | accuracy >= | grid's fastest | NSGA-II's fastest |")
    print("| --- | --- | --- | --- |")
    for budget in (4.0, 6.0, 11.0):
        for floor in (0.9414, 0.9400, 0.9300):
            def best(rows):
                return fastest([r for r in rows if r["area_mm2"] <= budget
                                and r["accuracy"] >= floor - 1e-9])
            g, n = best(points), best(found)
            print("| %.0f mm2 | %.2f %% | %s | %s |" % (
                budget, 100 * floor,
                "%.2f us" % (g["latency_seconds"] * 1e6) if g else "-",
                "%.2f us" % (n["latency_seconds"] * 1e6) if n else "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
