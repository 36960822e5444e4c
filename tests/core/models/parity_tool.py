"""The Python side of test_parity and test_evaluate (run with SCNS_TEST_PYTHON, a Python with
torch):

  parity_tool.py make ARCH CLASSES OUTDIR     seeded net with perturbed batch-norm statistics:
        OUTDIR/ARCH.pt (torch.save(state_dict)), ARCH-input.pt (4 x 3 x 32 x 32), ARCH-logits.pt
  parity_tool.py run ARCH CLASSES WEIGHTS INPUT OUT
        torch.load(WEIGHTS) -> load_state_dict(strict=True) -> eval logits on INPUT -> OUT
  parity_tool.py variants ARCH CLASSES OUTDIR  the same weights wrapped and broken (see below)
  parity_tool.py dtypes OUTDIR                 tensors of every storage type, views, expected.json
"""
import collections
import json
import os
import sys
import zipfile

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
    model.load_state_dict(torch.load(weights), strict=True)
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
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
