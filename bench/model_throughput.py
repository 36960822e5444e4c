#!/usr/bin/python3
"""The PyTorch (Python) twin of bench_model_throughput: the same networks (defined
independently in tests/core/models/reference_nets.py), batch, optimiser and thread count,
printing the same one-line JSON per network.

Per step: zero_grad() (zeroing: PyTorch 1.13's default set_to_none=False, as LibTorch's
Optimizer::zero_grad), forward in training mode, cross-entropy, backward, SGD step (momentum
0.9, weight decay 5e-4). No data loading and no .item().

Run with Debian's python3-torch: /usr/bin/python3 bench/model_throughput.py --threads 2

--device cuda|cuda:N (bench/gpu/check.sh): the batch is created once on the device and the clock
is read after torch.cuda.synchronize() before the first and after the last timed step, so there
are no per-step times ("median_step_images_per_second" repeats the whole run's figure).
--precision bf16|fp16: torch.autocast over the forward pass and the loss (fp16 with a
GradScaler); --channels-last 1: the module and the input in channels_last.
"""
import argparse
import contextlib
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "core", "models"))
import reference_nets  # noqa: E402


DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def autocast(device, dtype):
    """torch.autocast to dtype on device's type; fp32 (dtype None): no context at all."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def grad_scaler(device):
    """torch.amp.GradScaler in PyTorch 2.x, torch.cuda.amp.GradScaler before."""
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler(device.type)
    return torch.cuda.amp.GradScaler()


def measure(args, arch):
    device = torch.device(args.device)
    dtype = DTYPES[args.precision]
    if args.precision == "fp16" and device.type != "cuda":
        raise SystemExit("model_throughput.py: precision fp16 needs a CUDA device (use bf16 or fp32 on cpu)")
    torch.manual_seed(0)
    net = reference_nets.build(arch, args.classes)
    net.train()
    net.to(device)
    if args.channels_last:
        net.to(memory_format=torch.channels_last)
    sgd = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(args.batch_size, 3, 32, 32).to(device)
    if args.channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(args.classes, (args.batch_size,)).to(device)
    scaler = grad_scaler(device) if args.precision == "fp16" else None
    seen = {}  # what autocast made of the forward pass

    def step():
        sgd.zero_grad(set_to_none=False)
        with autocast(device, dtype):
            logits = net(x)
            seen["logits_dtype"] = logits.dtype
            loss = F.cross_entropy(logits, y)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(sgd)
            scaler.update()
        else:
            loss.backward()
            sgd.step()

    cuda = device.type == "cuda"

    def sync():
        if cuda:
            torch.cuda.synchronize(device)

    for _ in range(args.warmup):
        step()
    sync()
    seconds = []
    t_start = time.time()
    steps = 0

    def more(start):
        return steps < args.steps or (args.min_seconds > 0 and time.perf_counter() - start < args.min_seconds)

    with torch.autograd.profiler.profile(enabled=bool(args.profile)) as prof:
        start = time.perf_counter()
        if cuda:
            while more(start):
                step()
                steps += 1
            sync()
            seconds.append(time.perf_counter() - start)
        else:
            while more(start):
                t0 = time.perf_counter()
                step()
                steps += 1
                seconds.append(time.perf_counter() - t0)
    t_end = time.time()
    if args.profile:
        prof.export_chrome_trace(args.profile + arch + ".trace.json")
    total = sum(seconds)
    median = total / steps if cuda else statistics.median(seconds)
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "arch": arch, "threads": torch.get_num_threads(),
                      "batch": args.batch_size, "steps": steps, "seconds": round(total, 4),
                      "images_per_second": round(args.batch_size * steps / total, 2),
                      "median_step_images_per_second": round(args.batch_size / median, 2),
                      "device": str(device), "precision": args.precision, "channels_last": int(args.channels_last),
                      "warmup": args.warmup, "logits_dtype": str(seen["logits_dtype"]).replace("torch.", ""),
                      "t_start": round(t_start, 3), "t_end": round(t_end, 3)}),
          flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--archs", default="resnet20,resnet8x4,wrn_16_2")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--classes", type=int, default=100)
    p.add_argument("--profile", default="", help="write PREFIX<arch>.trace.json (autograd profiler) per network")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--precision", default="fp32", choices=sorted(DTYPES))
    p.add_argument("--channels-last", type=int, default=0, choices=(0, 1))
    p.add_argument("--min-seconds", type=float, default=0.0,
                   help="time at least --steps steps and at least this many seconds")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    for arch in args.archs.split(","):
        measure(args, arch)


if __name__ == "__main__":
    main()
