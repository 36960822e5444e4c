#!/usr/bin/env python3
"""Summarise a study database written by bench/study_fmnist.sh (runs named study/ARCH/VARIANT/seedN):
mean and sample standard deviation of the final test top-1, best top-1, and the mean number of
epochs to reach a target accuracy (runs that never reach it are counted as not reaching it).
Prints a Markdown table."""
import argparse
import collections
import math
import sqlite3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--target", type=float, default=80.0)
    ap.add_argument("--command", default="")
    args = ap.parse_args()
    con = sqlite3.connect(args.db)
    runs = con.execute("SELECT id, name, status FROM runs WHERE name LIKE 'study/%'").fetchall()
    groups = collections.OrderedDict()
    for run_id, name, status in sorted(runs, key=lambda r: r[1]):
        _, arch, variant, _seed = name.split("/")
        curve = [v for (v,) in con.execute(
            "SELECT value FROM metrics WHERE run_id = ? AND name = 'test/top1' ORDER BY epoch", (run_id,))]
        groups.setdefault((arch, variant), []).append((status, curve))
    order = ["ce", "ce+uniform", "ce+class", "ce+instance", "ce+class+mixup"]
    print(f"| network | objective | runs | final top-1 (mean ± sd) | best top-1 | epochs to {args.target:g}% |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (arch, variant) in sorted(groups, key=lambda k: (k[0], order.index(k[1]) if k[1] in order else 99)):
        items = [c for s, c in groups[(arch, variant)] if s == "finished" and c]
        if not items:
            print(f"| {arch} | {variant} | 0 | - | - | - |")
            continue
        finals = [c[-1] for c in items]
        mean = sum(finals) / len(finals)
        sd = math.sqrt(sum((x - mean) ** 2 for x in finals) / (len(finals) - 1)) if len(finals) > 1 else 0.0
        best = max(max(c) for c in items)
        reach = [next((i + 1 for i, v in enumerate(c) if v >= args.target), None) for c in items]
        reached = [r for r in reach if r is not None]
        epochs = (f"{sum(reached) / len(reached):.1f}" + ("" if len(reached) == len(reach) else f" ({len(reached)}/{len(reach)} runs)")
                  if reached else "not reached")
        print(f"| {arch} | {variant} | {len(items)} | {mean:.2f} ± {sd:.2f} | {best:.2f} | {epochs} |")
    if args.command:
        print(f"\nProduced by: `{args.command}`")


if __name__ == "__main__":
    main()
