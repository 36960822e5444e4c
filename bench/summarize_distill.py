#!/usr/bin/env python3
"""Summarise a distillation experiment written by `scns distill` (runs tagged experiment:NAME,
named NAME/teacher and NAME/LABEL/seedN): the teacher's final test top-1, then per student
setting the mean and sample standard deviation of the final test top-1, the best top-1, the
mean number of epochs to reach a target accuracy, and the difference to "no teacher" with
Welch's t statistic. Prints a Markdown table."""
import argparse
import collections
import math
import sqlite3


def mean_sd(xs):
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else float("nan")
    return m, sd


def welch_t(a, b):
    (ma, sa), (mb, sb) = mean_sd(a), mean_sd(b)
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    se = math.sqrt(sa * sa / len(a) + sb * sb / len(b))
    return (ma - mb) / se if se > 0 else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("name")
    ap.add_argument("--target", type=float, default=85.0)
    ap.add_argument("--baseline", default="no teacher")
    ap.add_argument("--command", default="")
    args = ap.parse_args()
    con = sqlite3.connect(args.db)
    tag = f"experiment:{args.name}"
    runs = [r for r in con.execute("SELECT id, name, status, tags FROM runs ORDER BY id")
            if tag in (r[3] or "").split(",")]

    def curve(run_id):
        return [v for (v,) in con.execute(
            "SELECT value FROM metrics WHERE run_id = ? AND name = 'test/top1' ORDER BY epoch", (run_id,))]

    groups = collections.OrderedDict()
    teacher = None
    for run_id, name, status, _ in runs:
        parts = name.split("/")
        if parts[1] == "teacher":
            teacher = (run_id, status, curve(run_id))
            continue
        groups.setdefault(parts[1], []).append((status, curve(run_id)))
    if teacher:
        tid, status, c = teacher
        print(f"Teacher: run {tid}, {status}, final test top-1 {c[-1]:.2f}% after {len(c)} epochs.\n" if c else
              f"Teacher: run {tid}, {status}, no epochs recorded.\n")
    base = [c[-1] for s, c in groups.get(args.baseline, []) if s == "finished" and c]
    print(f"| student setting | runs | final top-1 (mean ± sd) | best top-1 | epochs to {args.target:g}% "
          f"| vs {args.baseline} (Welch t) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, items in groups.items():
        done = [c for s, c in items if s == "finished" and c]
        if not done:
            print(f"| {label} | 0 of {len(items)} finished | - | - | - | - |")
            continue
        finals = [c[-1] for c in done]
        m, sd = mean_sd(finals)
        best = max(max(c) for c in done)
        reach = [next((i + 1 for i, v in enumerate(c) if v >= args.target), None) for c in done]
        reached = [r for r in reach if r is not None]
        epochs = (f"{sum(reached) / len(reached):.1f}" + ("" if len(reached) == len(reach) else f" ({len(reached)}/{len(reach)} runs)")
                  if reached else "not reached")
        if label == args.baseline or not base:
            diff = "-"
        else:
            diff = f"{m - mean_sd(base)[0]:+.2f} (t = {welch_t(finals, base):.1f})"
        print(f"| {label} | {len(done)} | {m:.2f} ± {sd:.2f} | {best:.2f} | {epochs} | {diff} |")
    if args.command:
        print(f"\nProduced by: `{args.command}`")


if __name__ == "__main__":
    main()
