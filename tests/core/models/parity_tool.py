"""The Python side of test_parity and test_evaluate (run with SCNS_TEST_PYTHON, a Python with
torch):

  parity_tool.py make ARCH CLASSES OUTDIR     seeded net with perturbed batch-norm statistics:
        OUTDIR/ARCH.pt (torch.save(state_dict)), ARCH-input.pt (4 x 3 x 32 x 32), ARCH-logits.pt
  parity_tool.py run ARCH CLASSES WEIGHTS INPUT OUT
        torch.load(WEIGHTS) -> load_state_dict(strict=True) -> eval logits on INPUT -> OUT
  parity_tool.py variants ARCH CLASSES OUTDIR  the same weights wrapped and broken (see below)
  parity_tool.py dtypes OUTDIR                 tensors of every storage type, views, expected.json
  parity_tool.py trust ARCH CLASSES OUTDIR MARKER
        hostile and historic weights files (see trust() below); MARKER is the file that code in
        a hostile file would create if it ever ran
  parity_tool.py weights-only FILE...          torch.load(FILE, weights_only=True) must accept each
"""
import collections
import json
import os
import sys
import zipfile
from typing import Tuple

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_nets  # noqa: E402

BATCH = 4


def seeded_model(arch, classes):
    torch.manual_seed(1234)
    model = reference_nets.build(arch, classes)
    # Non-trivial batch-norm statistics and affine parameters, so that eval mode differs
    # from training mode and every buffer matters.
    gen = torch.Generator().manual_seed(99)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.copy_(torch.rand(m.num_features, generator=gen) * 0.4 - 0.2)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(m.num_features, generator=gen) * 0.4 - 0.2)
                m.num_batches_tracked.fill_(123)
    return model.eval()


def make(arch, classes, out):
    model = seeded_model(arch, classes)
    x = torch.randn(BATCH, 3, 32, 32, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        logits = model(x)
    torch.save(model.state_dict(), os.path.join(out, arch + ".pt"))
    torch.save(x, os.path.join(out, arch + "-input.pt"))
    torch.save(logits, os.path.join(out, arch + "-logits.pt"))


def run(arch, classes, weights, inputs, out):
    model = reference_nets.build(arch, classes)
    # weights_only=True, the default since PyTorch 2.6: what we write must be plain data.
    model.load_state_dict(torch.load(weights, weights_only=True), strict=True)
    model.eval()
    with torch.no_grad():
        torch.save(model(torch.load(inputs)), out)


def variants(arch, classes, out):
    """Good: module-prefixed, {'model': ...} as RepDistiller saves teachers, {'state_dict':
    module-prefixed}, float64 weights. Bad: a missing key (fc.bias), an extra key (fc.extra),
    a wrong shape (fc.weight), all three at once, a whole pickled module, the legacy format."""
    sd = seeded_model(arch, classes).state_dict()
    p = lambda name: os.path.join(out, arch + "-" + name + ".pt")  # noqa: E731
    prefixed = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    torch.save(prefixed, p("prefixed"))
    torch.save({"epoch": 240, "model": sd, "best_acc": torch.tensor(75.61)}, p("model"))
    torch.save({"state_dict": prefixed, "optimizer": {"lr": 0.05}, "epoch": 10}, p("state_dict"))
    torch.save(collections.OrderedDict((k, v.double() if v.is_floating_point() else v) for k, v in sd.items()),
               p("float64"))
    missing = collections.OrderedDict(sd)
    del missing["fc.bias"]
    torch.save(missing, p("missing"))
    extra = collections.OrderedDict(sd)
    extra["fc.extra"] = torch.zeros(3)
    torch.save(extra, p("extra"))
    shape = collections.OrderedDict(sd)
    shape["fc.weight"] = torch.zeros(3, 3)
    torch.save(shape, p("shape"))
    all3 = collections.OrderedDict(shape)
    del all3["fc.bias"]
    all3["fc.extra"] = torch.zeros(3)
    torch.save(all3, p("all3"))
    torch.save({"model": seeded_model(arch, classes)}, p("module"))
    torch.save(sd, p("legacy"), _use_new_zipfile_serialization=False)
    with zipfile.ZipFile(p("nodatapkl"), "w") as z:
        z.writestr("archive/version", "3\n")
        z.writestr("archive/data/0", b"\0" * 16)


def dtypes(out):
    base = torch.arange(24, dtype=torch.float64).reshape(4, 6) / 8 - 1
    tensors = collections.OrderedDict([
        ("f32", base.float()), ("f64", base), ("f16", base.half()), ("i64", (base * 8).long()),
        ("u8", (base * 8 + 8).to(torch.uint8)), ("bool", base > 0), ("scalar_i64", torch.tensor(123)),
        # views: a transposed (non-contiguous) one and a slice at a storage offset
        ("transposed", base.float().t()), ("row_slice", base.float()[2:, 1:4]),
        ("empty", torch.zeros(0, 5)),
    ])
    torch.save(tensors, os.path.join(out, "dtypes.pt"))
    expected = {k: {"shape": list(v.shape), "values": v.double().flatten().tolist()} for k, v in tensors.items()}
    with open(os.path.join(out, "dtypes.json"), "w") as f:
        json.dump(expected, f)


class _SetStateWritesFile(torch.nn.Module):
    """A TorchScript module whose __setstate__ writes a file: torch.jit.load (and LibTorch's
    TorchScript loader) runs it when the file is opened."""

    def __init__(self, marker: str):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(2))
        self.marker = marker

    def forward(self, x):
        return x

    @torch.jit.export
    def __getstate__(self) -> Tuple[torch.Tensor, str, bool]:
        return (self.weight, self.marker, self.training)

    @torch.jit.export
    def __setstate__(self, state: Tuple[torch.Tensor, str, bool]):
        self.weight = state[0]
        self.marker = state[1]
        self.training = state[2]
        torch.save(self.weight, self.marker)


class _ReduceRunsCommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch " + self.marker,))


def trust(arch, classes, out, marker):
    """The field's historic format and two hostile files, each next to what it should give:
      ARCH-repdistiller.pth  {'epoch', 'model', 'accuracy', 'optimizer'} in torch.save's legacy
                             format, as RepDistiller's fetch_pretrained_teachers.sh serves them
                             (logits: ARCH-logits.pt on ARCH-input.pt, from `make`)
      ARCH-legacy-views.pth  legacy format whose tensors share storages (views)
      setstate-attack.pt     TorchScript whose __setstate__ writes MARKER
      reduce-attack.pt       a state dict beside an object whose unpickling runs `touch MARKER`
    """
    sd = seeded_model(arch, classes).state_dict()
    p = lambda name: os.path.join(out, name)  # noqa: E731
    # The optimiser's state comes from one step of a copy, so the saved weights stay seeded_model's.
    trained = seeded_model(arch, classes).train()
    opt = torch.optim.SGD(trained.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    trained(torch.randn(2, 3, 32, 32)).sum().backward()
    opt.step()
    torch.save({"epoch": 240, "model": sd, "accuracy": torch.tensor(71.92), "optimizer": opt.state_dict()},
               p(arch + "-repdistiller.pth"), _use_new_zipfile_serialization=False)
    base = torch.arange(12, dtype=torch.float32)
    torch.save(collections.OrderedDict([("whole", base), ("slice", base[4:10]), ("matrix", base.view(3, 4).t())]),
               p("legacy-views.pth"), _use_new_zipfile_serialization=False)
    torch.jit.save(torch.jit.script(_SetStateWritesFile(marker)), p("setstate-attack.pt"))
    torch.save({"model": sd, "note": _ReduceRunsCommand(marker)}, p("reduce-attack.pt"))


def weights_only(files):
    for f in files:
        obj = torch.load(f, weights_only=True)
        print(f, type(obj).__name__)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "make" and len(argv) == 5:
        make(argv[2], int(argv[3]), argv[4])
    elif cmd == "run" and len(argv) == 7:
        run(argv[2], int(argv[3]), argv[4], argv[5], argv[6])
    elif cmd == "variants" and len(argv) == 5:
        variants(argv[2], int(argv[3]), argv[4])
    elif cmd == "dtypes" and len(argv) == 3:
        dtypes(argv[2])
    elif cmd == "trust" and len(argv) == 6:
        trust(argv[2], int(argv[3]), argv[4], argv[5])
    elif cmd == "weights-only" and len(argv) >= 3:
        weights_only(argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
