#!/usr/bin/python3
"""The PyTorch DistributedDataParallel twin of `scns train --nproc-per-node W`: the same small
CNN, SGD (Nesterov momentum, weight decay), one-cycle schedule, global batch and threads per
rank, W processes on this machine over Gloo, printing one line of JSON from rank 0.

Each rank reads its DistributedSampler shard of the epoch's seeded permutation (padded to equal
length), global batch B split into B / W per rank; DDP all-reduces the gradients in buckets
during backward and broadcasts buffers before each forward (its defaults). Per step it reads
the loss with .item(), as scns does. No evaluation runs in the timed epochs.

Run with Debian's python3-torch:
  /usr/bin/python3 bench/dist_throughput.py --world 2 --threads 1 --train-per-class 2000
"""
import argparse
import json
import math
import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_throughput import MEAN, STD, OneCycle, SmallCnn, load_train  # noqa: E402


def shard(order, rank, world):
    """torch.utils.data.DistributedSampler without its own shuffle: padded with the order's
    start to a multiple of the world size, rank r takes r, r + W, ..."""
    total = (len(order) + world - 1) // world * world
    padded = order + order[: total - len(order)]
    return padded[rank:total:world]


def rank_main(rank, a, port, out):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    torch.set_num_threads(a.threads)
    dist.init_process_group("gloo", rank=rank, world_size=a.world)
    torch.manual_seed(a.seed)
    images_u8, labels = load_train(a.data_dir, a.train_per_class, a.seed)
    images = (images_u8.float().div_(255.0) - MEAN).div_(STD).contiguous()
    n = images.size(0)
    local = a.batch_size // a.world
    per_rank = (n + a.world - 1) // a.world
    batches = (per_rank + local - 1) // local
    model = DistributedDataParallel(SmallCnn())
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = OneCycle(a.lr, a.epochs, batches)
    epochs, step = [], 0
    for e in range(a.epochs):
        gen = torch.Generator().manual_seed(a.seed * 1000003 + e)
        order = torch.tensor(shard(torch.randperm(n, generator=gen).tolist(), rank, a.world))
        dist.barrier()
        start = time.perf_counter()
        seen = 0
        for b in range(batches):
            idx = order[b * local:(b + 1) * local]
            x, y = images.index_select(0, idx), labels.index_select(0, idx)
            for g in opt.param_groups:
                g["lr"] = sched.at(step)
            loss = F.cross_entropy(model(x), y)
            if not math.isfinite(loss.item()):
                sys.exit(f"dist_throughput.py: loss became {loss.item()} at step {step}")
            step += 1
            opt.zero_grad()
            loss.backward()
            opt.step()
            seen += x.size(0) * a.world
        dist.barrier()
        seconds = time.perf_counter() - start
        epochs.append({"epoch": e + 1, "seconds": round(seconds, 4), "images_per_second": round(seen / seconds, 2)})
    if rank == 0:
        out.put({"impl": "pytorch-ddp", "torch": torch.__version__, "world": a.world, "threads_per_rank": a.threads,
                 "batch_size": a.batch_size, "train_images": n, "epochs": epochs})
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="intra-op threads per rank")
    ap.add_argument("--batch-size", type=int, default=128, help="the global batch")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--train-per-class", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=0.2)
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    if a.batch_size % a.world:
        sys.exit("dist_throughput.py: --batch-size must be a multiple of --world")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=rank_main, args=(r, a, port, out)) for r in range(a.world)]
    for p in procs:
        p.start()
    result = out.get()
    for p in procs:
        p.join()
        if p.exitcode:
            sys.exit(f"dist_throughput.py: a rank exited with {p.exitcode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
