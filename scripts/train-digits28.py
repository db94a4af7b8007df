#!/usr/bin/python3
"""Trains demo/models/digits28.onnx: a small LeNet-style classifier for digits *drawn* on a 28x28 pad.

The bundled models/lenet-digits.onnx learnt scikit-learn's 8x8 digits; this one learns from synthetic
28x28 digits made to look like what people draw on the demo's pad:

- glyphs of the digits in Debian's DejaVu fonts (/usr/share/fonts/truetype/dejavu), and
- hand-like stroke templates (several writing styles per digit: 1 with/without flag and base, open and
  closed 4, 7 with/without crossbar, ...) with jittered control points, smoothed, drawn with round caps,

each then distorted at random: rotation, shear, scale, elastic distortion (a smoothed random
displacement field), thicker or thinner strokes; then normalized the way the demo normalizes a
drawing (demo/main.js, `digitInput28`): the ink's bounding square is mapped onto the central 20x20 of a
28x28 image by area averaging (4x4 supersampling), ink white (1) on black (0), no other
normalization (mean 0, std 1).

Held out: three fonts never seen in training and the stroke templates under a different seed.
Needs Debian's python3-torch, python3-numpy, python3-pil (python3-onnx optional, to check the file):
    apt-get install -y --no-install-recommends python3-torch python3-numpy python3-pil python3-onnx
    /usr/bin/python3 scripts/train-digits28.py            # about 3-5 minutes on 2 cores
Writes demo/models/digits28.onnx (< 200 KB) and demo/models/digits28.json (accuracy, settings).
"""
import glob
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'demo', 'models')
SRC = 64  # base images are drawn at 64x64
FONT_DIR = '/usr/share/fonts/truetype/dejavu'
HELD_OUT_FONTS = {'DejaVuSerifCondensed-Italic.ttf', 'DejaVuSansMono-Oblique.ttf', 'DejaVuSans-BoldOblique.ttf'}
EPOCHS = int(os.environ.get('EPOCHS', 12))
PER_EPOCH = int(os.environ.get('PER_EPOCH', 40000))

torch.manual_seed(0)
torch.set_num_threads(max(1, os.cpu_count() or 1))

# ---- stroke templates (unit box, x right, y down); each digit: a list of styles, each a list of strokes ----


def ellipse(cx, cy, rx, ry, a0=0.0, a1=2 * math.pi, n=20):
    return [(cx + rx * math.sin(a0 + (a1 - a0) * i / n), cy - ry * math.cos(a0 + (a1 - a0) * i / n)) for i in range(n + 1)]


TEMPLATES = {
    0: [[ellipse(0.5, 0.5, 0.4, 0.5)], [ellipse(0.5, 0.5, 0.3, 0.5)]],
    1: [[[(0.5, 0), (0.5, 1)]], [[(0.2, 0.25), (0.55, 0), (0.55, 1)]], [[(0.2, 0.25), (0.5, 0), (0.5, 1)], [(0.2, 1), (0.8, 1)]]],
    2: [[[(0.12, 0.25), (0.3, 0.04), (0.6, 0.0), (0.85, 0.18), (0.8, 0.45), (0.12, 1), (0.92, 1)]],
        [[(0.15, 0.2), (0.5, 0.0), (0.85, 0.25), (0.15, 1), (0.9, 0.95)]]],
    3: [[[(0.15, 0.1), (0.5, 0), (0.8, 0.15), (0.75, 0.35), (0.45, 0.48), (0.8, 0.6), (0.85, 0.85), (0.5, 1), (0.15, 0.9)]],
        [[(0.15, 0.0), (0.85, 0.0), (0.45, 0.42), (0.8, 0.6), (0.8, 0.88), (0.5, 1), (0.15, 0.9)]]],
    4: [[[(0.62, 1), (0.62, 0), (0.08, 0.68), (0.92, 0.68)]], [[(0.2, 0), (0.1, 0.6), (0.88, 0.6)], [(0.65, 0.1), (0.65, 1)]]],
    5: [[[(0.85, 0), (0.22, 0), (0.17, 0.45), (0.5, 0.38), (0.8, 0.5), (0.85, 0.78), (0.55, 1), (0.15, 0.9)]],
        [[(0.22, 0), (0.17, 0.45), (0.5, 0.38), (0.82, 0.55), (0.8, 0.85), (0.5, 1), (0.15, 0.9)], [(0.22, 0), (0.85, 0)]]],
    6: [[[(0.75, 0.0), (0.4, 0.2), (0.15, 0.6), (0.25, 0.95), (0.6, 1), (0.85, 0.8), (0.7, 0.55), (0.4, 0.5), (0.18, 0.65)]],
        [[(0.6, 0), (0.2, 0.55)] + ellipse(0.5, 0.72, 0.32, 0.28, -2.2, 2 * math.pi - 2.2)]],
    7: [[[(0.1, 0), (0.9, 0), (0.4, 1)]], [[(0.1, 0), (0.9, 0), (0.4, 1)], [(0.35, 0.5), (0.8, 0.5)]],
        [[(0.1, 0.15), (0.1, 0), (0.9, 0), (0.55, 0.5), (0.45, 1)]]],
    8: [[ellipse(0.5, 0.25, 0.3, 0.25, math.pi, 3 * math.pi), ellipse(0.5, 0.74, 0.36, 0.26)],
        [[(0.75, 0.12), (0.5, 0), (0.25, 0.12), (0.3, 0.35), (0.7, 0.6), (0.8, 0.85), (0.5, 1), (0.2, 0.85), (0.3, 0.6), (0.7, 0.35), (0.75, 0.12)]]],
    9: [[ellipse(0.45, 0.3, 0.33, 0.3, math.pi / 2, 2.5 * math.pi), [(0.78, 0.3), (0.72, 1)]],
        [ellipse(0.5, 0.3, 0.32, 0.3, math.pi / 2, 2.5 * math.pi) + [(0.78, 0.7), (0.5, 1), (0.25, 0.9)]]],
}


def chaikin(pts, rounds=2):
    for _ in range(rounds):
        out = [pts[0]]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            out += [(0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1), (0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1)]
        out.append(pts[-1])
        pts = out
    return pts


def draw_strokes(digit, rng):
    style = rng.choice(TEMPLATES[digit])
    img = Image.new('L', (SRC, SRC), 0)
    d = ImageDraw.Draw(img)
    h = rng.uniform(34, 46)
    w = h * rng.uniform(0.5, 0.8)
    x0, y0 = (SRC - w) / 2, (SRC - h) / 2
    width = max(2, round(h * rng.uniform(0.08, 0.2)))
    for stroke in style:
        pts = [(x + rng.gauss(0, 0.04), y + rng.gauss(0, 0.04)) for x, y in stroke]
        if digit not in (1, 4, 7):
            pts = chaikin(pts)
        pts = [(x0 + x * w, y0 + y * h) for x, y in pts]
        d.line(pts, fill=255, width=width, joint='curve')
        r = width / 2
        for x, y in (pts[0], pts[-1]):
            d.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(img, dtype=np.uint8)


def fonts(held_out):
    files = sorted(f for f in glob.glob(os.path.join(FONT_DIR, 'DejaVu*.ttf')) if 'MathTeX' not in f)
    return [f for f in files if (os.path.basename(f) in HELD_OUT_FONTS) == held_out]


def draw_glyph(digit, font_files, rng, cache={}):
    path = rng.choice(font_files)
    size = rng.randint(38, 54)
    key = (path, size)
    if key not in cache:
        cache[key] = ImageFont.truetype(path, size)
    img = Image.new('L', (SRC, SRC), 0)
    d = ImageDraw.Draw(img)
    l, t, r, b = d.textbbox((0, 0), str(digit), font=cache[key])
    d.text(((SRC - (r - l)) / 2 - l, (SRC - (b - t)) / 2 - t), str(digit), fill=255, font=cache[key])
    return np.asarray(img, dtype=np.uint8)


def base_images(n, font_files, seed):
    rng = random.Random(seed)
    xs = np.zeros((n, SRC, SRC), np.uint8)
    ys = np.zeros(n, np.int64)
    for i in range(n):
        digit = i % 10
        xs[i] = draw_strokes(digit, rng) if rng.random() < 0.6 else draw_glyph(digit, font_files, rng)
        ys[i] = digit
    return torch.from_numpy(xs).float().div_(255).unsqueeze(1), torch.from_numpy(ys)


# ---- distortion and normalization (batched, torch) ---------------------------------------------------

def gaussian_kernel(sigma):
    r = int(3 * sigma)
    x = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-x * x / (2 * sigma * sigma))
    return k / k.sum()


def distort(x, g):
    n = x.shape[0]
    ang = (torch.rand(n, generator=g) - 0.5) * math.radians(30)
    shear = (torch.rand(n, generator=g) - 0.5) * 0.5
    sx = 1 + (torch.rand(n, generator=g) - 0.5) * 0.3
    sy = 1 + (torch.rand(n, generator=g) - 0.5) * 0.3
    c, s = torch.cos(ang), torch.sin(ang)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = c * sx
    theta[:, 0, 1] = -s * sy + shear
    theta[:, 1, 0] = s * sx
    theta[:, 1, 1] = c * sy
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    # elastic: a random displacement field smoothed with a Gaussian (sigma 5 px at 64 px), alpha up to ~4 px
    k = gaussian_kernel(5.0)
    field = torch.rand(n, 2, SRC, SRC, generator=g) * 2 - 1
    field = F.conv2d(F.pad(field, (len(k) // 2,) * 4, mode='reflect'), k.view(1, 1, 1, -1).repeat(2, 1, 1, 1), groups=2)
    field = F.conv2d(field, k.view(1, 1, -1, 1).repeat(2, 1, 1, 1), groups=2)
    field = field / field.abs().amax(dim=(2, 3), keepdim=True).clamp_min(1e-6)
    alpha = torch.rand(n, 1, 1, 1, generator=g) * (8.0 / SRC)
    grid = grid + (field * alpha).permute(0, 2, 3, 1)
    y = F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
    # thicker or thinner strokes
    t = torch.rand(n, generator=g)
    thick = F.max_pool2d(y, 3, 1, 1)
    thin = -F.max_pool2d(-y, 3, 1, 1)
    y = torch.where((t < 0.25).view(-1, 1, 1, 1), thick, torch.where((t > 0.85).view(-1, 1, 1, 1), thin, y))
    return y.clamp_(0, 1)


def normalize28(x):
    """The ink's bounding square onto the central 20x20 of 28x28, area-averaged (4x4 supersampling)."""
    n = x.shape[0]
    ink = x[:, 0] > 40 / 255
    rows, cols = ink.any(2), ink.any(1)
    idx = torch.arange(SRC, dtype=torch.float32)
    big = float(SRC + 1)
    y0 = torch.where(rows, idx, torch.full_like(idx, big)).amin(1)
    y1 = torch.where(rows, idx, torch.full_like(idx, -1)).amax(1) + 1
    x0 = torch.where(cols, idx, torch.full_like(idx, big)).amin(1)
    x1 = torch.where(cols, idx, torch.full_like(idx, -1)).amax(1) + 1
    empty = y1 <= 0
    y0, y1, x0, x1 = [torch.where(empty, torch.tensor(v), a) for v, a in ((0.0, y0), (SRC * 1.0, y1), (0.0, x0), (SRC * 1.0, x1))]
    side = torch.maximum(torch.maximum(y1 - y0, x1 - x0), torch.tensor(SRC * 0.12))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    theta = torch.zeros(n, 2, 3)
    a = (side / SRC) * 28 / 20
    theta[:, 0, 0] = a
    theta[:, 1, 1] = a
    theta[:, 0, 2] = cx / SRC * 2 - 1
    theta[:, 1, 2] = cy / SRC * 2 - 1
    grid = F.affine_grid(theta, (n, 1, 112, 112), align_corners=False)
    return F.avg_pool2d(F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False), 4)


# ---- the model: LeNet-style, under 200 KB --------------------------------------------------------------

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
        self.conv2 = nn.Conv2d(16, 32, 5)
        self.fc1 = nn.Linear(32 * 5 * 5, 40)
        self.fc2 = nn.Linear(40, 10)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(self.drop(F.relu(self.fc1(x))))


def batches(x, y, g, size):
    order = torch.randperm(len(x), generator=g)
    for i in range(0, len(x), size):
        j = order[i:i + size]
        yield x[j], y[j]


def main():
    t0 = time.time()
    g = torch.Generator().manual_seed(0)
    train_fonts, test_fonts = fonts(False), fonts(True)
    assert len(test_fonts) == len(HELD_OUT_FONTS), test_fonts
    print(f'fonts: {len(train_fonts)} for training, held out: {", ".join(sorted(HELD_OUT_FONTS))}')
    xt, yt = base_images(4000, test_fonts, seed=999)
    with torch.no_grad():
        xt = normalize28(distort(xt, torch.Generator().manual_seed(999)))
    net = Net()
    params = sum(p.numel() for p in net.parameters())
    print(f'{params} parameters')
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=EPOCHS * math.ceil(PER_EPOCH / 128))
    acc = 0.0
    for epoch in range(EPOCHS):
        xb, yb = base_images(PER_EPOCH, train_fonts, seed=epoch)
        with torch.no_grad():
            xb = torch.cat([normalize28(distort(xb[i:i + 2000], g)) for i in range(0, len(xb), 2000)])
        net.train()
        total = 0.0
        for x, y in batches(xb, yb, g, 128):
            opt.zero_grad()
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(x)
        net.eval()
        with torch.no_grad():
            acc = (net(xt).argmax(1) == yt).float().mean().item()
        print(f'epoch {epoch + 1}/{EPOCHS}: loss {total / len(xb):.4f}, held-out accuracy {acc * 100:.2f} % ({time.time() - t0:.0f} s)', flush=True)

    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'digits28.onnx')
    net.eval()
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), path, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=13, do_constant_folding=True)
    size = os.path.getsize(path)
    assert size <= 200 * 1024, size
    with torch.no_grad():
        per_class = [(net(xt[yt == d]).argmax(1) == d).float().mean().item() for d in range(10)]
    info = {
        'model': 'digits28.onnx', 'bytes': size, 'parameters': params,
        'input': 'input [batch, 1, 28, 28]: ink 1 on background 0, the ink bounding square area-averaged onto the central 20x20',
        'output': 'logits [batch, 10]', 'mean': 0, 'std': 1,
        'held_out_accuracy': round(acc, 4), 'held_out_per_class': [round(a, 4) for a in per_class],
        'held_out': f'{len(xt)} images: fonts {sorted(HELD_OUT_FONTS)} and stroke templates with another seed, distorted',
        'epochs': EPOCHS, 'per_epoch': PER_EPOCH, 'torch': torch.__version__, 'seconds': round(time.time() - t0),
    }
    with open(os.path.join(OUT, 'digits28.json'), 'w') as f:
        json.dump(info, f, indent=2)
    try:
        import onnx
        onnx.checker.check_model(onnx.load(path))
    except ImportError:
        pass
    print(json.dumps(info, indent=2))


if __name__ == '__main__':
    sys.exit(main())
