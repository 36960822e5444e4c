#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ that Python can make (pickles,
IDX, CIFAR, Tiny-ImageNet text files, JSON, CSV, word vectors, torch.save files) and edge cases
of the store seed that fuzz_make_seeds wrote. Run by make-corpus.sh with Debian's python3
(python3-torch, python3-numpy). Small on purpose: the whole corpus stays well under 2 MB."""
import collections
import gzip
import io
import os
import pickle
import shutil
import sqlite3
import struct
import sys

import numpy as np

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")


def put(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def parts(*chunks):
    """fuzz_support.h's Parts: a 16-bit little-endian length before each chunk but the last."""
    out = b""
    for c in chunks[:-1]:
        c = c.encode() if isinstance(c, str) else c
        out += struct.pack("<H", len(c)) + c
    last = chunks[-1]
    return out + (last.encode() if isinstance(last, str) else last)


# --- pickle -------------------------------------------------------------------------------
shared = [1, 2]
loop = []
loop.append(loop)
values = {
    "dict-str-keys": {"data": b"\x00\x01", "labels": [0, 1, 2], "name": "x", "f": 1.5, "n": None, "t": True},
    "dict-bytes-keys": {b"data": b"\x00\x01", b"labels": [0, 1]},
    "nested": [(1, (2, [3, {"a": [4]}])), -2**40, 2**62, 3.0e300, float("nan")],
    "memo": [shared, shared, "é", "é"],
    "numpy-u1": np.arange(12, dtype=np.uint8).reshape(3, 4),
    "numpy-f4-fortran": np.asfortranarray(np.ones((2, 3), dtype=np.float32)),
    "ordered-dict": collections.OrderedDict([("w", 1), ("b", 2)]),
    "recursive-list": loop,
}
for name, v in values.items():
    for proto in (0, 2, 4, 5):
        put("fuzz_pickle", f"{name}-p{proto}.pkl", pickle.dumps(v, protocol=proto))
put("fuzz_pickle", "bytearray-p5.pkl", pickle.dumps(bytearray(b"abc"), protocol=5))
put("fuzz_pickle", "empty.pkl", b"")
put("fuzz_pickle", "truncated.pkl", pickle.dumps({"a": [1, 2, 3]}, protocol=2)[:-3])
put("fuzz_pickle", "global-os-system.pkl", b"cos\nsystem\n(S'true'\ntR.")

# --- IDX (t10k images + labels, 3 classes) --------------------------------------------------
def idx_images(n, rows=2, cols=3):
    return struct.pack(">IIII", 0x803, n, rows, cols) + bytes(range(n * rows * cols))


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


put("fuzz_idx", "plain", parts(idx_images(2), idx_labels([0, 2])))
put("fuzz_idx", "gzip", parts(gzip.compress(idx_images(3)), gzip.compress(idx_labels([0, 1, 2]))))
put("fuzz_idx", "gzip-two-members", parts(idx_images(1), gzip.compress(idx_labels([1])[:5]) + gzip.compress(idx_labels([1])[5:])))
put("fuzz_idx", "count-mismatch", parts(idx_images(2), idx_labels([0])))
put("fuzz_idx", "huge-count", parts(struct.pack(">IIII", 0x803, 0xFFFFFFFF, 0xFFFF, 0xFFFF), idx_labels([0])))
put("fuzz_idx", "label-out-of-range", parts(idx_images(1), idx_labels([7])))

# --- CIFAR binary ---------------------------------------------------------------------------
names10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
fine100 = [f"fine{i}" for i in range(100)]
coarse20 = [f"coarse{i}" for i in range(20)]
pix = bytes((i * 7) % 256 for i in range(3072))
put("fuzz_cifar_binary", "cifar10-one", b"\x00" + parts("\n".join(names10) + "\n", b"\x03" + pix))
put("fuzz_cifar_binary", "cifar10-truncated", b"\x00" + parts("\r\n".join(names10), b"\x03" + pix[:100]))
put("fuzz_cifar_binary", "cifar10-bad-label", b"\x00" + parts("\n".join(names10), b"\x0b" + pix))
put("fuzz_cifar_binary", "cifar100-one", b"\x01" + parts("\n".join(fine100), "\n".join(coarse20), b"\x04\x63" + pix))

# --- CIFAR Python ---------------------------------------------------------------------------
img = np.frombuffer(pix, dtype=np.uint8).reshape(1, 3072)
for proto in (0, 2, 4):
    put("fuzz_cifar_python", f"cifar10-bytes-keys-p{proto}", b"\x00" + parts(
        pickle.dumps({b"label_names": [n.encode() for n in names10], b"num_cases_per_batch": 1}, protocol=proto),
        pickle.dumps({b"data": img, b"labels": [3], b"batch_label": b"testing batch 1 of 1"}, protocol=proto)))
put("fuzz_cifar_python", "cifar10-str-keys-planes-p4", b"\x00" + parts(
    pickle.dumps({"label_names": names10}, protocol=4),
    pickle.dumps({"data": img.reshape(1, 3, 32, 32), "labels": [9]}, protocol=4)))
put("fuzz_cifar_python", "cifar100-p2", b"\x01" + parts(
    pickle.dumps({"fine_label_names": fine100, "coarse_label_names": coarse20}, protocol=2),
    pickle.dumps({"data": img, "fine_labels": [99], "coarse_labels": [19]}, protocol=2)))

# --- Tiny-ImageNet (wnids, words, val annotations) -----------------------------------------
wnids = "n01443537\nn01629819\n"
words = "n01443537\tgoldfish, Carassius auratus\nn01629819\tEuropean fire salamander, Salamandra salamandra\n"
put("fuzz_tiny_imagenet", "one-image", parts(wnids, words, "val_0.JPEG\tn01443537\t0\t10\t63\t50\n"))
put("fuzz_tiny_imagenet", "crlf-twice", parts(wnids.replace("\n", "\r\n"), words, "val_0.JPEG\tn01629819\t0\t0\t1\t1\r\nval_0.JPEG\tn01443537\t0\t0\t1\t1\r\n"))
put("fuzz_tiny_imagenet", "unknown-class", parts(wnids, words, "val_0.JPEG\tn99999999\t0\t0\t1\t1\n"))
put("fuzz_tiny_imagenet", "missing-image", parts(wnids, words, "val_1.JPEG\tn01443537\t0\t0\t1\t1\n"))

# --- run configuration ----------------------------------------------------------------------
put("fuzz_run_config", "contrastive.json", """{"name": "c", "data": {"dataset": "cifar100", "train_per_class": 10},
 "arch": "resnet8", "epochs": 2, "contrastive": {"enabled": true, "sampler": "class", "negatives": 64,
 "similarity": "wordnet", "class_k": 3, "mixup_count": 4}, "schedule": {"kind": "multistep", "milestones": [1]}}""")
put("fuzz_run_config", "distill.json", """{"distill": {"method": "crd+kd", "teacher_weights": "t.pth",
 "teacher_arch": "wrn_16_2", "temperature": 4}, "checkpoint": {"keep": 1}, "seed": 3}""")
put("fuzz_run_config", "edge-values.json", '{"name": "\\u001b[31mred", "seed": -1, "optim": {"lr": 1e999}}')
put("fuzz_run_config", "invalid-utf8.json", b'{"name": "\xff\xfe"}')
put("fuzz_run_config", "nested-200.json", '{"data": ' + "[" * 200 + "]" * 200 + "}")
put("fuzz_run_config", "empty-object.json", "{}")

# --- experiment -----------------------------------------------------------------------------
put("fuzz_experiment", "train-teacher.json", """{"name": "fmnist-distill",
 "base": {"data": {"dataset": "fashion-mnist", "train_per_class": 5}, "epochs": 1},
 "teacher": {"train": {"arch": "wrn_16_2"}}, "student": {"arch": "resnet8"},
 "students": [{"label": "kd", "distill": {"method": "kd"}}, {"label": "crd", "distill": {"method": "crd"}}],
 "seeds": [0, 1]}""")
put("fuzz_experiment", "stored-teacher.json", """{"name": "x", "base": {}, "teacher": {"run": "12"},
 "students": [{"label": "a"}], "seeds": [7]}""")
put("fuzz_experiment", "weights-teacher.json", """{"name": "y", "teacher": {"weights": "t.pth", "arch": "wrn_40_2"},
 "students": [{"label": "b", "distill": {"method": "kd", "temperature": 2}}]}""")
put("fuzz_experiment", "nested-300.json", '{"name": "n", "base": ' + '{"a":' * 300 + "1" + "}" * 300 + "}")

# --- similarity CSV (first byte: class count - 1; names airplane, automobile, bird, cat) -----
put("fuzz_similarity_csv", "3-headers", b"\x02" + b"name,airplane,automobile,bird\nairplane,1,0.5,0.2\n"
    b"automobile,0.5,1,0.1\nbird,0.2,0.1,1\n")
put("fuzz_similarity_csv", "2-plain", b"\x01" + b"1,0.25\n0.25,1\n")
put("fuzz_similarity_csv", "4-quoted-blank", b"\x03" + b'"airplane","automobile","bird","cat"\n\n1,0,0,0\n0,1,0,0\n'
    b'0,0,1,"0.5"\n0,0,0.5,1\n')
put("fuzz_similarity_csv", "2-asymmetric", b"\x01" + b"1,0.9\n0.1,1\n")
put("fuzz_similarity_csv", "1-nan", b"\x00" + b"nan\n")

# --- word vectors ---------------------------------------------------------------------------
put("fuzz_word_vectors", "word2vec-header.txt", "5 3\nt 0.1 0.2 0.3\nshirt 1 2 3\ntop -1 0 1\ncat 0 0 1\nfish 1e-3 2 3\n")
put("fuzz_word_vectors", "glove-spaces.txt", "Cat 0.5 0.5\nfoo bar 1 2\naquarium 3 4\nTOP 1 1\n")
put("fuzz_word_vectors", "dim-mismatch.txt", "cat 1 2\nfish 1 2 3\n")

# --- weights files (torch.save) -------------------------------------------------------------
try:
    import torch

    sd = collections.OrderedDict([("conv.weight", torch.arange(6, dtype=torch.float32).reshape(2, 3)),
                                  ("conv.bias", torch.zeros(2)), ("bn.num_batches_tracked", torch.tensor(3))])
    def putw(name, data):  # the whole reader, and its LibTorch-free layers
        put("fuzz_weights_file", name, data)
        put("fuzz_weights_container", name, data)

    def saved(obj, **kw):
        b = io.BytesIO()
        torch.save(obj, b, **kw)
        return b.getvalue()
    putw("state-dict.pth", saved(sd))
    putw("repdistiller-model.pth", saved({"model": sd, "epoch": 240, "best_acc": 75.5}))
    putw("legacy-state-dict.pth", saved(sd, _use_new_zipfile_serialization=False))
    putw("shared-storage.pth", saved({"a": torch.arange(8.)[2:5], "b": torch.arange(8.)[::2]}))
    putw("half-int64.pth", saved({"h": torch.ones(2, dtype=torch.float16), "i": torch.ones(3, dtype=torch.int64)}))
    putw("not-a-zip.pth", b"PK\x03\x04 not really")
except ImportError:
    print("python3-torch missing: weights seeds left as they are", file=sys.stderr)

# --- store edge cases (from the seed fuzz_make_seeds wrote) ---------------------------------
seed = os.path.join(root, "fuzz_store", "two-runs.sqlite")
if os.path.exists(seed):
    for name, version in (("user-version-negative.sqlite", -1), ("user-version-newer.sqlite", 999)):
        path = os.path.join(root, "fuzz_store", name)
        shutil.copyfile(seed, path)
        con = sqlite3.connect(path)
        con.execute(f"PRAGMA user_version = {version}")
        con.commit()
        con.close()
    with open(seed, "rb") as f:
        db = f.read()
    put("fuzz_store", "truncated.sqlite", db[: len(db) // 3])
    put("fuzz_store", "header-only.sqlite", db[:100])
put("fuzz_store", "empty.sqlite", b"")
put("fuzz_store", "not-sqlite.sqlite", b"hello, not a database\n")
