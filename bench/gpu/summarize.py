#!/usr/bin/env python3
"""Joins what bench/gpu/check.sh gathered into results.jsonl (each benchmark line with its GPU
idle share) and gpu-results.md (the tables). Standard library only.

GPU idle share of a measurement: 1 - mean(utilization.gpu) / 100 over the nvidia-smi samples
taken (every 50 ms) between the measurement's t_start and t_end. utilization.gpu is the share of
the driver's last sample period in which at least one kernel was running, so the idle share is
the share of the timed window with no kernel running on the GPU (host work, launch gaps,
synchronisations, copies without a kernel), smoothed over the driver's period.
"""
import argparse
import datetime
import json
import os
import re
import statistics


def read_samples(path):
    samples = {}
    if not path or not os.path.exists(path):
        return samples
    for line in open(path):
        parts = [p.strip() for p in line.strip().split(",")]
        if len(parts) != 3:
            continue
        label, stamp, util = parts
        try:
            t = datetime.datetime.strptime(stamp, "%Y/%m/%d %H:%M:%S.%f").timestamp()
            u = float(util)
        except ValueError:
            continue
        samples.setdefault(label, []).append((t, u))
    return samples


def with_idle(record, samples):
    inside = [u for t, u in samples.get(record.get("label"), []) if record["t_start"] <= t <= record["t_end"]]
    record["gpu_samples"] = len(inside)
    record["gpu_idle"] = round(1 - statistics.mean(inside) / 100, 4) if inside else None
    return record


def pct(v):
    return "n/a" if v is None else "%.0f%%" % (100 * v)


def ctest_summary(path):
    if not path or not os.path.exists(path) or os.path.getsize(path) == 0:
        return ["The core tests did not run (see the notes and check.log)."]
    text = open(path, errors="replace").read()
    lines = []
    m = re.search(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", text)
    if m:
        lines.append("%s of %s core tests passed (%s failed)." % (int(m.group(3)) - int(m.group(2)), m.group(3), m.group(2)))
    else:
        lines.append("ctest gave no summary line (stopped by the time limit?); see ctest.txt.")
    failed = re.findall(r"^\s*\d+ - (\S+) \(([^)]+)\)", text, re.M)
    if failed:
        lines.append("Not passed: " + ", ".join("%s (%s)" % f for f in failed) + ".")
    first = re.search(r"^### (.*)$", text, re.M)
    if first:
        lines.append("Command: `%s`" % first.group(1))
    return lines


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--smi")
    p.add_argument("--env")
    p.add_argument("--ctest")
    p.add_argument("--notes")
    p.add_argument("--mode", default="cuda")
    p.add_argument("--jsonl-out", required=True)
    p.add_argument("--md-out", required=True)
    a = p.parse_args()

    samples = read_samples(a.smi)
    records = []
    if os.path.exists(a.results):
        for line in open(a.results):
            line = line.strip()
            if line.startswith("{"):
                records.append(with_idle(json.loads(line), samples))
    with open(a.jsonl_out, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")

    cpu = a.mode == "cpu"
    md = []
    if cpu:
        md += ["# GPU check (issue 13), CPU smoke run", "",
               "**`bench/gpu/check.sh --cpu`: every benchmark for a handful of steps on the CPU, to prove the "
               "script, the build against the carried packages and the programs. These are CPU smoke "
               "figures, not GPU results; with so few steps they are not measurements either.**", ""]
    else:
        md += ["# GPU check (issue 13): ours vs PyTorch on %s" % a.mode, ""]
    if a.env and os.path.exists(a.env):
        md += ["Machine and build:", "", "```"] + open(a.env).read().rstrip().splitlines() + ["```", ""]

    tp = [r for r in records if "arch" in r]
    if tp:
        md += ["## Training throughput (images/s)", "",
               "One training step: zero_grad, forward, cross-entropy, backward, SGD (momentum 0.9, weight decay "
               "5e-4) on a fixed random batch made once on the device; 100 classes, 3 x 32 x 32. "
               "Ours: `bench_model_throughput`; PyTorch: `bench/model_throughput.py` (independent definitions, "
               "tests/core/models/reference_nets.py). Each side in its own process.", "",
               "| network | batch | precision | layout | scns img/s | PyTorch img/s | scns / PyTorch | GPU idle, scns | GPU idle, PyTorch | steps (scns / PyTorch) | logits dtype (scns / PyTorch) |",
               "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        keys = []
        for r in tp:
            k = (r["arch"], r["batch"], r.get("precision", "fp32"), r.get("channels_last", 0))
            if k not in keys:
                keys.append(k)
        for k in keys:
            side = {}
            for r in tp:
                if (r["arch"], r["batch"], r.get("precision", "fp32"), r.get("channels_last", 0)) == k:
                    side[r["impl"]] = r
            o, q = side.get("scns"), side.get("pytorch")
            ratio = "%.3f" % (o["images_per_second"] / q["images_per_second"]) if o and q else "n/a"
            md.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s |" % (
                k[0], k[1], k[2], "NHWC" if k[3] else "NCHW",
                "%.1f" % o["images_per_second"] if o else "n/a", "%.1f" % q["images_per_second"] if q else "n/a",
                ratio, pct(o["gpu_idle"]) if o else "n/a", pct(q["gpu_idle"]) if q else "n/a",
                o["steps"] if o else "-", q["steps"] if q else "-",
                o.get("logits_dtype", "?") if o else "-", q.get("logits_dtype", "?") if q else "-"))
        md.append("")

    crd = [r for r in records if "ms_per_step" in r]
    if crd:
        r0 = crd[0]
        md += ["## CRD step", "",
               "%s teacher (frozen, eval, no gradient) and %s student, batch %d, K = %d negatives, N = %d, d = %d, "
               "NCE form, loss = CE + 0.8 L_CRD, SGD over the student and both heads; negatives drawn each step: "
               "ours on the device (tensor draws, sampling/device_draws.h), PyTorch's on the CPU as RepDistiller's "
               "data loader does, then copied. `scns pieces`: `bench_crd_step --path pieces` (ContrastiveBanks, "
               "UniformSampler, crdNce); `scns term`: `--path term`, the trainer's ContrastiveTerm with its "
               "per-step sampler statistics; `pytorch`: `bench/crd_step.py`, RepDistiller's ContrastMemory and "
               "NCE loss written in plain PyTorch." % (r0["teacher"], r0["student"], r0["batch"], r0["K"],
                                                       r0["n_data"], r0["feat_dim"]), "",
               "| side | precision | ms / step | images/s | GPU idle | steps | loss after warm-up -> last | logits dtype |",
               "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"]
        for r in crd:
            name = "scns %s" % r["path"] if r["side"] == "scns" else "pytorch"
            md.append("| %s | %s | %.2f | %.1f | %s | %d | %.3f -> %.3f | %s |" % (
                name, r["precision"], r["ms_per_step"], r["images_per_second"], pct(r["gpu_idle"]), r["steps"],
                r["loss_after_warmup"], r["loss_last"], r.get("logits_dtype", "?")))
        pairs = {}
        for r in crd:
            pairs.setdefault(r["precision"], {})["scns" if r["side"] == "scns" and r["path"] == "pieces" else r["side"] + r["path"]] = r
        ratios = ["%s: %.3f" % (prec, v["pytorchrepdistiller-style"]["ms_per_step"] / v["scns"]["ms_per_step"])
                  for prec, v in pairs.items() if "scns" in v and "pytorchrepdistiller-style" in v]
        if ratios:
            md += ["", "Speed of ours (pieces) relative to PyTorch, PyTorch ms / scns ms (> 1: ours faster): "
                   + "; ".join(ratios) + "."]
        md.append("")

    draws = [r for r in records if "draws_ms" in r]
    if draws:
        r0 = draws[0]
        md += ["## Where the negatives are made", "",
               "`bench_sampler_cost --draws %s`: %d anchors x K = %d negatives from N = 60,000 samples, per sampler; "
               "milliseconds (median) until the indices are on the device: drawn by the host loops and copied "
               "(pinned, non-blocking) against drawn there by tensor operations (the same indices, bit for bit)."
               % (r0["device"], r0["batch"], r0["K"]), "",
               "| sampler | host loops + copy, ms | tensor draws on the device, ms | host / device |",
               "| --- | ---: | ---: | ---: |"]
        for name, v in r0["draws_ms"].items():
            md.append("| %s | %.3f | %.3f | %.1f |" % (name, v["host_copy"], v["tensor"], v["host_copy"] / v["tensor"]))
        md.append("")

    md += ["## What \"GPU idle\" measures", "",
           "During each timed run `nvidia-smi --query-gpu=timestamp,utilization.gpu -lms 50` sampled the GPU; "
           "idle = 1 - mean(utilization.gpu) over the samples whose time stamp lies between the run's first and "
           "last timed step. utilization.gpu is the share of the driver's sample period in which at least one "
           "kernel was running, so idle is the share of the 50 ms samples' time with no kernel running: host-side "
           "work (Python, dispatch, the CPU negative draws), launch gaps and synchronisations. It says nothing about "
           "how fully a running kernel uses the GPU, and the driver averages over its own sample period (1/6 s to 1 s depending on the product, by nvidia-smi's documentation), "
"so short windows blur at their edges." + (" No nvidia-smi samples in a CPU run: n/a." if cpu else ""), ""]

    md += ["## Core tests", ""] + ctest_summary(a.ctest) + [""]
    if a.notes and os.path.exists(a.notes) and os.path.getsize(a.notes) > 0:
        md += ["## Notes", ""] + ["- " + line.rstrip() for line in open(a.notes) if line.strip()] + [""]
    with open(a.md_out, "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
