"""Seeded procedural scenes: textured shapes on a ground plane, with per-pixel classes and depth.

Nothing is downloaded: every image is a pure function of (split seed, index). A scene is a
perspective ground plane (depth 10 at the top row falling to 2 at the bottom row) with 1–3
objects standing on it. An object at depth z is drawn with size ∝ 1/z and its base on the
row where the ground has depth z (perspective), painted far to near (occlusion by
layering). Each object is one of ``SHAPES``, and its class fixes its *texture* (stripes
direction/frequency, checker, dots), while its colours are random, so classes must be
recognised from shape and texture, not colour. Haze grows with depth (a monocular cue).

Per image: ``image`` (3, H, W) in [0, 1]; ``seg`` (H, W) with 0 = ground/background and
1 + shape index for objects; ``depth`` (H, W) in the scene's units (2…10); ``label``: the
class (0…len(SHAPES)-1) of the object with the most visible pixels — the linear
classification target.
"""
from __future__ import annotations

import numpy as np

from .split import VisionSplit

SHAPES = ("disk", "square", "triangle", "ring")
NUM_SEG_CLASSES = 1 + len(SHAPES)
FAR, NEAR = 10.0, 2.0

# Split seeds are offsets of the dataset seed, so the four splits never share an image.
SPLIT_OFFSETS = {"unlabeled": 0, "feedback": 1_000_003, "validation": 2_000_003, "test": 3_000_017}


def ground_depth(rows: np.ndarray, size: int) -> np.ndarray:
    """Depth of the ground plane at image row y: FAR / (1 + 4 y / size), FAR at the top row."""
    return FAR / (1.0 + 4.0 * rows / size)


def _texture(cls: int, yy: np.ndarray, xx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A class-specific binary-ish pattern in [0, 1] with a random phase."""
    phase = rng.uniform(0, 2 * np.pi)
    if cls == 0:    # disk: horizontal stripes
        return 0.5 + 0.5 * np.sin(yy * 1.6 + phase)
    if cls == 1:    # square: checker
        return ((np.floor((xx + phase) / 2.0) + np.floor((yy + phase) / 2.0)) % 2).astype(np.float64)
    if cls == 2:    # triangle: vertical stripes
        return 0.5 + 0.5 * np.sin(xx * 1.6 + phase)
    return 0.5 + 0.5 * np.sin(xx * 0.9 + phase) * np.sin(yy * 0.9 + phase)   # ring: dots


def _mask(cls: int, yy: np.ndarray, xx: np.ndarray, cx: float, cy: float, r: float) -> np.ndarray:
    dx, dy = xx - cx, yy - cy
    if cls == 0:
        return dx * dx + dy * dy <= r * r
    if cls == 1:
        return (np.abs(dx) <= r * 0.85) & (np.abs(dy) <= r * 0.85)
    if cls == 2:   # apex up, base at cy + r
        return (dy <= r) & (dy >= -r) & (np.abs(dx) <= (dy + r) * 0.6)
    d2 = dx * dx + dy * dy
    return (d2 <= r * r) & (d2 >= (0.5 * r) ** 2)


def render_scene(seed: int, size: int = 32):
    """One scene from ``seed``: (image (3,H,W) float32, seg (H,W) int64, depth (H,W) float32, label)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    depth = ground_depth(yy, size)
    seg = np.zeros((size, size), np.int64)
    # Ground: a noisy two-colour texture that darkens with depth.
    g0, g1 = rng.uniform(0.2, 0.8, 3), rng.uniform(0.2, 0.8, 3)
    noise = rng.uniform(0, 1, (size, size))
    image = g0[:, None, None] * (1 - noise) + g1[:, None, None] * noise
    count = int(rng.integers(1, 4))
    objects = []
    for _ in range(count):
        cls = int(rng.integers(0, len(SHAPES)))
        z = float(rng.uniform(NEAR + 0.2, 6.0))
        r = float(rng.uniform(0.9, 1.4)) * size * 0.45 / z * 2.0
        base_row = size / 4.0 * (FAR / z - 1.0)     # ground row at depth z
        cy = max(base_row - 0.7 * r, 0.4 * r)
        cx = float(rng.uniform(r * 0.5, size - r * 0.5))
        objects.append((z, cls, cx, cy, r))
    objects.sort(key=lambda o: -o[0])               # far to near: nearer objects occlude
    for z, cls, cx, cy, r in objects:
        m = _mask(cls, yy, xx, cx, cy, r)
        if not m.any():
            continue
        c0, c1 = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
        t = _texture(cls, yy, xx, rng)
        colour = c0[:, None, None] * (1 - t) + c1[:, None, None] * t
        image = np.where(m[None], colour, image)
        seg[m] = 1 + cls
        depth[m] = z
    haze = np.clip((depth - NEAR) / (FAR - NEAR), 0, 1) * 0.35
    image = image * (1 - haze) + 0.7 * haze
    image = np.clip(image + rng.normal(0, 0.02, image.shape), 0, 1)
    counts = np.bincount(seg.ravel(), minlength=NUM_SEG_CLASSES)[1:]
    label = int(np.argmax(counts)) if counts.sum() > 0 else -1
    return image.astype(np.float32), seg, depth.astype(np.float32), label


def make_split(name: str, count: int, dataset_seed: int = 0, size: int = 32) -> VisionSplit:
    """The split ``name`` (unlabeled | feedback | validation | test) of ``count`` scenes."""
    if name not in SPLIT_OFFSETS:
        raise ValueError(f"unknown split {name!r} (allowed: {', '.join(SPLIT_OFFSETS)})")
    base = dataset_seed * 10_000_019 + SPLIT_OFFSETS[name]
    scenes = [render_scene(base + i, size) for i in range(count)]
    images = np.stack([s[0] for s in scenes]) if scenes else np.zeros((0, 3, size, size), np.float32)
    seg = np.stack([s[1] for s in scenes]) if scenes else np.zeros((0, size, size), np.int64)
    depth = np.stack([s[2] for s in scenes]) if scenes else np.zeros((0, size, size), np.float32)
    labels = np.array([s[3] for s in scenes], np.int64)
    return VisionSplit(name, images, seg, depth, labels, NUM_SEG_CLASSES, len(SHAPES))
