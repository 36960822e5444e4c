#!/usr/bin/python3
"""The PyTorch (Python) twin of bench_train_throughput: the same small CNN, optimiser,
one-cycle learning-rate schedule, batch size and thread count, trained on Fashion-MNIST held
in memory, printing the same one-line JSON.

Per step it does what scns::train does (core/train/trainer.cpp): set the learning rate of the
step, forward, cross-entropy, loss.item() (ours reads every loss for NaN detection),
zero_grad, backward, step, and count the correct top-1 predictions with .item(). No evaluation
runs in (or between) the timed epochs.

Data: the IDX files are read with gzip + numpy before any timing. --data float (default)
normalises the whole training set once into a float32 N x 1 x 28 x 28 tensor, so a batch is
one index_select: the cheapest input pipeline a PyTorch script can have. --data uint8 keeps
uint8 pixels and normalises each batch on the training thread (what our loader does, but ours
does it on a background thread). "data_wait_share" is the share of the epoch's training time
spent making batches (synchronous here).

Run with Debian's python3-torch: /usr/bin/python3 bench/train_throughput.py --threads 2
"""
import argparse
import gzip
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST, as core/data/loader.cpp


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(folder, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    sys.exit(f"train_throughput.py: no {stem}[.gz] in {folder}")


def load_train(folder, per_class, seed):
    images = read_idx(find(folder, "train-images-idx3-ubyte"))
    labels = read_idx(find(folder, "train-labels-idx1-ubyte")).astype(np.int64)
    if per_class > 0:
        # A seeded subset of at most per_class images per class, kept in original order (the
        # images differ from capPerClass's choice, the count and the work do not).
        rng = np.random.default_rng(seed)
        keep = np.sort(np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:per_class]
                                       for c in np.unique(labels)]))
        images, labels = images[keep], labels[keep]
    return torch.from_numpy(images.copy()).unsqueeze(1), torch.from_numpy(labels.copy())


class SmallCnn(nn.Module):
    """core/models/small_cnn.cpp: three conv-BN-ReLU blocks (32, 64, 128 channels, max-pool
    after the first two), global average pool, linear classifier."""

    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()

        def block(cin, cout, pool):
            layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
            return layers + ([nn.MaxPool2d(2)] if pool else [])

        self.features = nn.Sequential(*block(in_channels, 32, True), *block(32, 64, True), *block(64, 128, False))
        self.fc = nn.Linear(128, num_classes)

    def forward(self, x):  # B x C x H x W -> B x num_classes
        h = F.adaptive_avg_pool2d(self.features(x), 1).flatten(1)
        return self.fc(h)


class OneCycle:
    """core/train/lr_schedule.cpp, kind onecycle with no explicit warm-up: a linear ramp from
    lr/25 over 30% of the steps, then cosine annealing to min_lr (0)."""

    def __init__(self, lr, epochs, batches):
        self.lr, self.total = lr, epochs * batches
        self.warmup = 0.3 * epochs * batches

    def at(self, step):
        if step < self.warmup:
            start = self.lr / 25.0
            return start + (self.lr - start) * (step + 1.0) / self.warmup
        t = min(max((step - self.warmup) / max(1.0, self.total - self.warmup), 0.0), 1.0)
        return self.lr * 0.5 * (1.0 + math.cos(math.pi * t))


def profile(model, opt, sched, images, labels, bs, batches, warmup, threads, gen):
    """Per-phase seconds over `batches` steps after `warmup` untimed ones, as
    bench_train_step_profile prints them (on CPU every call is synchronous)."""
    n = images.size(0)
    order = torch.randperm(n, generator=gen)
    phases, images_seen, start = {}, 0, None
    clock = time.perf_counter

    def add(name, t):
        now = clock()
        phases[name] = phases.get(name, 0.0) + now - t
        return now

    for step in range(warmup + batches):
        if step == warmup:
            phases, images_seen, start = {}, 0, clock()
        b = step % (n // bs)
        t = clock()
        idx = order[b * bs:(b + 1) * bs]
        x, y = images.index_select(0, idx), labels.index_select(0, idx)
        t = add("data", t)
        lr = sched.at(step)
        for g in opt.param_groups:
            g["lr"] = lr
        t = add("lr", t)
        logits = model(x)
        t = add("forward", t)
        loss = F.cross_entropy(logits, y)
        t = add("loss", t)
        loss.item()
        t = add("item", t)
        opt.zero_grad()
        t = add("zero_grad", t)
        loss.backward()
        t = add("backward", t)
        opt.step()
        t = add("step", t)
        logits.detach().topk(1, dim=1)[1].eq(y.unsqueeze(1)).any(1).sum().item()
        t = add("top1", t)
        images_seen += x.size(0)
    total = clock() - start
    print(json.dumps({"impl": "pytorch", "threads": threads, "batch_size": bs, "batches": batches,
                      "images_per_second": round(images_seen / total, 2), "seconds": round(total, 4),
                      "phases": {k: round(v, 4) for k, v in phases.items()}}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0: all cores)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--train-per-class", type=int, default=0, help="0: all training images")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--data", choices=("float", "uint8"), default="float")
    ap.add_argument("--lr", type=float, default=0.2)
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="instead: time each phase of N steps (after 20 untimed) and print them")
    a = ap.parse_args()

    threads = a.threads if a.threads > 0 else (os.cpu_count() or 1)
    torch.set_num_threads(threads)  # Debian's torch starts with one thread
    torch.manual_seed(a.seed)

    images_u8, labels = load_train(a.data_dir, a.train_per_class, a.seed)
    n = images_u8.size(0)
    if a.data == "float":
        images = (images_u8.float().div_(255.0) - MEAN).div_(STD).contiguous()
    bs = a.batch_size
    drop_last = n % bs == 1  # as scns::train: a batch of one cannot be batch-normalised
    batches = n // bs if drop_last else (n + bs - 1) // bs

    model = SmallCnn()
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = OneCycle(a.lr, a.epochs, batches)

    if a.profile > 0:
        if a.data != "float":
            images = (images_u8.float().div_(255.0) - MEAN).div_(STD).contiguous()
        profile(model, opt, sched, images, labels, bs, a.profile, 20, torch.get_num_threads(),
                torch.Generator().manual_seed(a.seed))
        return

    epochs, step = [], 0
    for e in range(a.epochs):
        gen = torch.Generator().manual_seed(a.seed * 1000003 + e)
        order = torch.randperm(n, generator=gen)
        data_seconds, loss_sum, correct, seen = 0.0, 0.0, 0, 0
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start = time.perf_counter()
        for b in range(batches):
            t0 = time.perf_counter()
            idx = order[b * bs:(b + 1) * bs]
            if a.data == "float":
                x = images.index_select(0, idx)
            else:
                x = (images_u8.index_select(0, idx).float().div_(255.0) - MEAN).div_(STD)
            y = labels.index_select(0, idx)
            data_seconds += time.perf_counter() - t0

            lr = sched.at(step)
            for g in opt.param_groups:
                g["lr"] = lr
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss_value = loss.item()
            step += 1
            if not math.isfinite(loss_value):
                sys.exit(f"train_throughput.py: loss became {loss_value} at step {step}")
            opt.zero_grad()
            loss.backward()
            opt.step()
            k = x.size(0)
            loss_sum += loss_value * k
            correct += logits.detach().topk(1, dim=1)[1].eq(y.unsqueeze(1)).any(1).sum().item()
            seen += k
        seconds = time.perf_counter() - start
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
        epochs.append({"epoch": e + 1, "seconds": round(seconds, 4), "images_per_second": round(seen / seconds, 2),
                       "data_wait_share": round(data_seconds / seconds, 6), "train_loss": round(loss_sum / seen, 5), "minor_faults": faults})
        print(f"python epoch {e + 1}: {seen / seconds:.1f} img/s, data {100 * data_seconds / seconds:.2f}%, "
              f"{seconds:.2f} s train, train top-1 {100 * correct / seen:.2f}%", file=sys.stderr)

    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "batch_size": bs, "train_images": n, "data": a.data, "epochs": epochs}))


if __name__ == "__main__":
    main()
