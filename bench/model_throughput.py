#!/usr/bin/python3
"""The PyTorch (Python) twin of bench_model_throughput: the same networks (defined
independently in tests/core/models/reference_nets.py), batch, optimiser and thread count,
printing the same one-line JSON per network.

Per step: zero_grad() (zeroing: PyTorch 1.13's default set_to_none=False, as LibTorch's
Optimizer::zero_grad), forward in training mode, cross-entropy, backward, SGD step (momentum
0.9, weight decay 5e-4). No data loading and no .item().

Run with Debian's python3-torch: /usr/bin/python3 bench/model_throughput.py --threads 2
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "core", "models"))
import reference_nets  # noqa: E402


def measure(args, arch):
    torch.manual_seed(0)
    net = reference_nets.build(arch, args.classes)
    net.train()
    sgd = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(args.batch_size, 3, 32, 32)
    y = torch.randint(args.classes, (args.batch_size,))

    def step():
        sgd.zero_grad(set_to_none=False)
        F.cross_entropy(net(x), y).backward()
        sgd.step()

    for _ in range(args.warmup):
        step()
    seconds = []
    with torch.autograd.profiler.profile(enabled=bool(args.profile)) as prof:
        for _ in range(args.steps):
            t0 = time.perf_counter()
            step()
            seconds.append(time.perf_counter() - t0)
    if args.profile:
        prof.export_chrome_trace(args.profile + arch + ".trace.json")
    total = sum(seconds)
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "arch": arch, "threads": torch.get_num_threads(),
                      "batch": args.batch_size, "steps": args.steps, "seconds": round(total, 4),
                      "images_per_second": round(args.batch_size * args.steps / total, 2),
                      "median_step_images_per_second": round(args.batch_size / statistics.median(seconds), 2)}),
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
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    for arch in args.archs.split(","):
        measure(args, arch)


if __name__ == "__main__":
    main()
