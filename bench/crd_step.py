#!/usr/bin/python3
"""One CRD distillation step written RepDistiller's way in plain PyTorch: the Python side of
bench_crd_step (bench/crd_step.cpp), same sizes and settings, one JSON line.

Frozen resnet32x4 teacher (eval, no gradient), resnet8x4 student (the independent definitions
of tests/core/models/reference_nets.py), batch 64 of 3 x 32 x 32, 100 classes, N = 50,000
(500 per class), Embed heads (linear + L2 normalisation) to d = 128, a contrast memory of two
N x d banks read with index_select of K + 1 rows per anchor (the positive first) and bmm,
exp(s / T) / Z with Z fixed from the first batch, the NCE loss against uniform noise 1/N in
both directions, momentum-0.5 bank update with index_copy_, loss = CE + 0.8 L_CRD, SGD
(lr 0.05, momentum 0.9, weight decay 5e-4) over the student and both heads. Written from the
descriptions of RepDistiller's crd/memory.py (ContrastMemory), crd/criterion.py (CRDLoss,
ContrastLoss, Embed) and its "exact" negative mode (K uniform draws from the other classes),
not copied from it.

Per step, as bench_crd_step does: the batch's rows (a fixed permutation, distinct per batch)
and their K negatives drawn on the CPU (vectorised; RepDistiller draws them in its data-loader
workers), the two networks under torch.autocast (--precision), the heads, memory and loss in
float32, backward, optimiser step (GradScaler for fp16). The memory update runs inside the
forward, as in ContrastMemory. The random batch is made once on the device.
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "core", "models"))
import reference_nets  # noqa: E402

DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def features_and_logits(net, x):
    """The pooled penultimate feature (RepDistiller's feat[-1]) and the logits of a CifarResNet."""
    h = F.relu(net.bn1(net.conv1(x)))
    h = net.layer3(net.layer2(net.layer1(h)))
    f = h.mean(dim=(2, 3))
    return f, net.fc(f)


class Embed(nn.Module):
    """A linear map to the contrast dimension, then unit length."""

    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.linear = nn.Linear(dim_in, dim_out)

    def forward(self, x):
        z = self.linear(x.flatten(1))
        return z / z.pow(2).sum(1, keepdim=True).sqrt()


class ContrastMemory(nn.Module):
    """Two banks (student's and teacher's embeddings of every training sample). Anchors of one
    network are scored against K + 1 rows of the other network's bank."""

    def __init__(self, dim, n_data, temperature, momentum):
        super().__init__()
        self.n_data, self.temperature, self.momentum = n_data, temperature, momentum
        bound = 1.0 / math.sqrt(dim / 3)
        self.register_buffer("memory_s", torch.rand(n_data, dim).mul_(2 * bound).add_(-bound))
        self.register_buffer("memory_t", torch.rand(n_data, dim).mul_(2 * bound).add_(-bound))
        self.z_s = None  # normalisers, fixed at the first batch
        self.z_t = None

    def scores(self, memory, anchors, contrast_idx):
        b, k1 = contrast_idx.shape
        rows = torch.index_select(memory, 0, contrast_idx.reshape(-1)).detach().view(b, k1, -1)
        return torch.exp(torch.bmm(rows, anchors.unsqueeze(2)) / self.temperature)  # B x (K+1) x 1

    def update(self, memory, z, rows):
        with torch.no_grad():
            mixed = memory.index_select(0, rows).mul_(self.momentum).add_(z.detach() * (1 - self.momentum))
            memory.index_copy_(0, rows, mixed / mixed.pow(2).sum(1, keepdim=True).sqrt())

    def forward(self, z_s, z_t, rows, contrast_idx):
        out_s = self.scores(self.memory_t, z_s, contrast_idx)  # student anchors vs teacher bank
        out_t = self.scores(self.memory_s, z_t, contrast_idx)  # teacher anchors vs student bank
        if self.z_s is None:
            self.z_s = (out_s.mean() * self.n_data).item()
        if self.z_t is None:
            self.z_t = (out_t.mean() * self.n_data).item()
        out_s = out_s / self.z_s
        out_t = out_t / self.z_t
        self.update(self.memory_s, z_s, rows)
        self.update(self.memory_t, z_t, rows)
        return out_s, out_t


def nce_loss(p, n_data, eps=1e-7):
    """p: B x (K+1) x 1 model probabilities, column 0 the positive; noise Pn = 1/N."""
    b, k = p.size(0), p.size(1) - 1
    noise = k / n_data
    p_pos = p[:, 0]
    log_d1 = torch.log(p_pos / (p_pos + noise + eps))
    p_neg = p[:, 1:]
    log_d0 = torch.log(torch.full_like(p_neg, noise) / (p_neg + noise + eps))
    return -(log_d1.sum() + log_d0.sum()) / b


class OtherClassSampler:
    """K uniform draws per anchor among the samples of other classes (RepDistiller's 'exact')."""

    def __init__(self, labels, classes, generator):
        self.order = torch.argsort(labels, stable=True)
        counts = torch.bincount(labels, minlength=classes)
        self.start = torch.cumsum(counts, 0) - counts
        self.count = counts
        self.n = labels.numel()
        self.generator = generator

    def __call__(self, anchor_labels, k):
        start = self.start[anchor_labels].unsqueeze(1)
        count = self.count[anchor_labels].unsqueeze(1)
        r = (torch.rand(anchor_labels.numel(), k, generator=self.generator) * (self.n - count)).long()
        return self.order[r + (r >= start).long() * count]


def autocast(device, dtype):
    """torch.autocast to dtype on device's type; fp32 (dtype None): no context at all."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def grad_scaler(device):
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler(device.type)
    return torch.cuda.amp.GradScaler()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--precision", default="fp32", choices=sorted(DTYPES))
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--negatives", type=int, default=16384)
    p.add_argument("--n", type=int, default=50000)
    p.add_argument("--classes", type=int, default=100)
    p.add_argument("--feat-dim", type=int, default=128)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--min-seconds", type=float, default=0.0,
                   help="time at least --steps steps and at least this many seconds")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--teacher", default="resnet32x4")
    p.add_argument("--student", default="resnet8x4")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    dtype = DTYPES[args.precision]
    if args.precision == "fp16" and device.type != "cuda":
        raise SystemExit("crd_step.py: precision fp16 needs a CUDA device (use bf16 or fp32 on cpu)")
    cuda = device.type == "cuda"

    torch.manual_seed(0)
    teacher = reference_nets.build(args.teacher, args.classes).to(device).eval()
    for q in teacher.parameters():
        q.requires_grad_(False)
    student = reference_nets.build(args.student, args.classes).to(device).train()
    embed_s = Embed(student.fc.in_features, args.feat_dim).to(device)
    embed_t = Embed(teacher.fc.in_features, args.feat_dim).to(device)
    memory = ContrastMemory(args.feat_dim, args.n, 0.07, 0.5).to(device)
    params = list(student.parameters()) + list(embed_s.parameters()) + list(embed_t.parameters())
    sgd = torch.optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=5e-4)
    scaler = grad_scaler(device) if args.precision == "fp16" else None

    labels = torch.arange(args.n) % args.classes
    labels_dev = labels.to(device)
    x = torch.randn(args.batch_size, 3, 32, 32).to(device)
    order = torch.randperm(args.n)
    sampler = OtherClassSampler(labels, args.classes, torch.Generator().manual_seed(1))
    state = {"cursor": 0, "loss": None}

    def step():
        c = state["cursor"]
        if c + args.batch_size > args.n:
            c = 0
        rows = order[c:c + args.batch_size]
        state["cursor"] = c + args.batch_size
        contrast_idx = torch.cat([rows.unsqueeze(1), sampler(labels[rows], args.negatives)], 1).to(device)
        rows_dev = rows.to(device)
        y = labels_dev[rows_dev]
        sgd.zero_grad(set_to_none=False)
        with autocast(device, dtype):
            f_s, logit_s = features_and_logits(student, x)
            with torch.no_grad():
                f_t, _ = features_and_logits(teacher, x)
            ce = F.cross_entropy(logit_s, y)
        state["logits_dtype"] = logit_s.dtype
        z_s, z_t = embed_s(f_s.float()), embed_t(f_t.float())
        out_s, out_t = memory(z_s, z_t, rows_dev, contrast_idx)
        loss = ce + 0.8 * (nce_loss(out_s, args.n) + nce_loss(out_t, args.n))
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(sgd)
            scaler.update()
        else:
            loss.backward()
            sgd.step()
        state["loss"] = loss.detach()

    def sync():
        if cuda:
            torch.cuda.synchronize(device)

    for _ in range(args.warmup):
        step()
    sync()
    loss_after_warmup = state["loss"].item() if args.warmup > 0 else 0.0
    t_start = time.time()
    t0 = time.perf_counter()
    steps = 0
    while steps < args.steps or (args.min_seconds > 0 and time.perf_counter() - t0 < args.min_seconds):
        step()
        steps += 1
    sync()
    seconds = time.perf_counter() - t0
    t_end = time.time()
    print(json.dumps({"side": "pytorch", "path": "repdistiller-style", "torch": torch.__version__,
                      "device": str(device), "precision": args.precision, "teacher": args.teacher,
                      "student": args.student, "batch": args.batch_size, "K": args.negatives, "n_data": args.n,
                      "feat_dim": args.feat_dim, "threads": torch.get_num_threads(), "warmup": args.warmup,
                      "steps": steps, "seconds": round(seconds, 4),
                      "ms_per_step": round(1000 * seconds / steps, 3),
                      "images_per_second": round(args.batch_size * steps / seconds, 2),
                      "loss_after_warmup": round(loss_after_warmup, 4), "loss_last": round(state["loss"].item(), 4),
                      "logits_dtype": str(state["logits_dtype"]).replace("torch.", ""),
                      "t_start": round(t_start, 3), "t_end": round(t_end, 3)}), flush=True)


if __name__ == "__main__":
    main()
