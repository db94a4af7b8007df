#!/usr/bin/env python3
"""Train the bundled LeNet-style digit classifier and export it to ONNX.

Data: scikit-learn's bundled handwritten digits (sklearn.datasets.load_digits,
1797 8x8 grey-level images, values 0..16; a copy of the test set of the UCI
"Optical Recognition of Handwritten Digits" data set, CC BY 4.0). Nothing is
downloaded.

Preprocessing (must be reproduced by anyone feeding the model):
  1. x = pixels / 16                          -> [0, 1]
  2. bilinear resize 8x8 -> 20x20             (align_corners=False, no antialias)
  3. zero-pad 4 px on every side              -> 28x28, digit centred like MNIST
  4. x = (x - MEAN) / STD                     (constants below)

Model: input "input" float32 [N,1,28,28] NCHW -> output "logits" float32 [N,10]
  Conv(1->6, 5x5, pad 2) ReLU MaxPool2 -> Conv(6->16, 5x5) ReLU MaxPool2
  -> Flatten -> Gemm 400->120 ReLU -> Gemm 120->84 ReLU -> Gemm 84->10

Outputs (in --out, default models/ next to this script's parent):
  lenet-digits.onnx, digits-sample.bin, digits-sample.npy,
  digits-sample.labels.json, digits-sample.logits.bin

Usage (Debian packages python3-torch, python3-sklearn, python3-numpy, python3-onnx):
  /usr/bin/python3 scripts/train-lenet.py
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

# Normalization constants: mean/std of the training split after steps 1-3,
# rounded to 4 decimals (the script asserts they still match the data).
MEAN = 0.1558
STD = 0.2774

SEED = 0
TEST_SIZE = 0.2
EPOCHS = 30
BATCH = 64
LR = 2e-3
MAX_SHIFT = 2  # px, random translation augmentation on the 28x28 canvas


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def to_canvas(images8):
    """uint 0..16 [N,8,8] -> float32 [N,1,28,28] in [0,1] (steps 1-3)."""
    x = torch.from_numpy(images8.astype(np.float32) / 16.0).unsqueeze(1)
    x = F.interpolate(x, size=(20, 20), mode="bilinear", align_corners=False)
    x = F.pad(x, (4, 4, 4, 4))
    return x.clamp_(0.0, 1.0)


def random_shift(x, gen):
    """Translate each image by up to MAX_SHIFT px (zero fill, pre-normalization)."""
    n = x.shape[0]
    p = MAX_SHIFT
    padded = F.pad(x, (p, p, p, p))
    shifts = torch.randint(0, 2 * p + 1, (n, 2), generator=gen)
    out = torch.empty_like(x)
    for i in range(n):
        dy, dx = int(shifts[i, 0]), int(shifts[i, 1])
        out[i] = padded[i, :, dy:dy + 28, dx:dx + 28]
    return out


def normalize(x):
    return (x - MEAN) / STD


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(normalize(x)).argmax(1) == y).float().mean().item()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(here, "..", "models"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(SEED)
    t0 = time.time()

    digits = load_digits()
    idx = np.arange(len(digits.target))
    tr_idx, te_idx = train_test_split(
        idx, test_size=TEST_SIZE, random_state=SEED, stratify=digits.target)
    x_all = to_canvas(digits.images)
    y_all = torch.from_numpy(digits.target.astype(np.int64))
    x_tr, y_tr = x_all[tr_idx], y_all[tr_idx]
    x_te, y_te = x_all[te_idx], y_all[te_idx]

    m, s = x_tr.mean().item(), x_tr.std().item()
    print(f"train {len(tr_idx)} / test {len(te_idx)} images; "
          f"train-split mean {m:.6f} std {s:.6f} (using MEAN={MEAN} STD={STD})")
    assert abs(m - MEAN) < 5e-4 and abs(s - STD) < 5e-4, "update MEAN/STD"

    model = LeNet()
    print("parameters:", sum(p.numel() for p in model.parameters()))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)

    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(y_tr), generator=gen)
        total = 0.0
        for b in range(0, len(perm), BATCH):
            bi = perm[b:b + BATCH]
            xb = normalize(random_shift(x_tr[bi], gen))
            loss = F.cross_entropy(model(xb), y_tr[bi])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(bi)
        sched.step()
        if epoch % 5 == 4 or epoch == EPOCHS - 1:
            print(f"epoch {epoch + 1:2d} loss {total / len(y_tr):.4f} "
                  f"test acc {accuracy(model, x_te, y_te):.4f}")

    model.eval()
    test_acc = accuracy(model, x_te, y_te)
    n_ok = int(round(test_acc * len(y_te)))
    print(f"TEST ACCURACY: {test_acc:.4f} ({n_ok}/{len(y_te)}) "
          f"train acc {accuracy(model, x_tr, y_tr):.4f}  [{time.time() - t0:.1f}s]")

    # Samples: first test-split image of each digit 0..9.
    picks = [int(np.nonzero(y_te.numpy() == d)[0][0]) for d in range(10)]
    sx = normalize(x_te[picks]).contiguous().to(torch.float32)
    sy = [int(y_te[i]) for i in picks]
    with torch.no_grad():
        slogits = model(sx).to(torch.float32)
    sx_np = sx.numpy().astype("<f4")
    sx_np.tofile(os.path.join(out, "digits-sample.bin"))
    np.save(os.path.join(out, "digits-sample.npy"), sx_np)
    slogits.numpy().astype("<f4").tofile(os.path.join(out, "digits-sample.logits.bin"))
    with open(os.path.join(out, "digits-sample.labels.json"), "w") as f:
        json.dump({
            "shape": [10, 1, 28, 28],
            "dtype": "float32",
            "layout": "NCHW",
            "normalization": {"mean": MEAN, "std": STD},
            "source": "sklearn.datasets.load_digits, test split "
                      f"(train_test_split test_size={TEST_SIZE}, random_state={SEED}, stratified)",
            "dataset_indices": [int(te_idx[i]) for i in picks],
            "labels": sy,
        }, f, indent=2)
        f.write("\n")
    print("sample labels:", sy, "pytorch argmax:", slogits.argmax(1).tolist())

    onnx_path = os.path.join(out, "lenet-digits.onnx")
    torch.onnx.export(
        model, sx[:1], onnx_path,
        input_names=["input"], output_names=["logits"],
        opset_version=13, do_constant_folding=True,
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    print("wrote", onnx_path, os.path.getsize(onnx_path), "bytes")

    try:
        import onnx
        from collections import Counter
        m = onnx.load(onnx_path)
        onnx.checker.check_model(m)
        print("onnx ops:", dict(Counter(n.op_type for n in m.graph.node)))
    except ImportError:
        pass


if __name__ == "__main__":
    main()
