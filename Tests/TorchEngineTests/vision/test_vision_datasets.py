"""Procedural scenes (determinism, labels, depth) and the ADE20K/NYUv2 folder importers on
fixture files written here."""
import numpy as np
import pytest
from PIL import Image

from vsweep_torch.vision.datasets import IGNORE, NUM_SEG_CLASSES, load_ade20k, load_nyuv2, make_split, render_scene
from vsweep_torch.vision.datasets.procedural import FAR, NEAR


def test_procedural_split_is_deterministic_and_well_formed():
    a, b = make_split("feedback", 24, dataset_seed=3), make_split("feedback", 24, dataset_seed=3)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.seg, b.seg) and np.array_equal(a.depth, b.depth)
    assert a.images.shape == (24, 3, 32, 32) and a.images.dtype == np.float32
    assert a.images.min() >= 0 and a.images.max() <= 1
    assert set(np.unique(a.seg)) <= set(range(NUM_SEG_CLASSES))
    assert a.depth.min() >= NEAR - 1e-5 and a.depth.max() <= FAR + 1e-5
    assert ((a.labels >= 0) & (a.labels < NUM_SEG_CLASSES - 1)).all()
    # The label is the class with most visible pixels; every object pixel is nearer than the ground there.
    for i in range(24):
        counts = np.bincount(a.seg[i].ravel(), minlength=NUM_SEG_CLASSES)[1:]
        assert a.labels[i] == counts.argmax()
    other = make_split("validation", 24, dataset_seed=3)
    assert not np.array_equal(other.images, a.images)
    assert not np.array_equal(make_split("feedback", 24, dataset_seed=4).images, a.images)


def test_scene_depth_is_layered():
    """Objects occlude by depth: an object pixel's depth is the depth of the nearest object covering it,
    and ground pixels follow the perspective ground plane."""
    from vsweep_torch.vision.datasets.procedural import ground_depth
    image, seg, depth, label = render_scene(11)
    rows = np.mgrid[0:32, 0:32][0].astype(np.float64)
    ground = seg == 0
    assert np.allclose(depth[ground], ground_depth(rows, 32)[ground], atol=1e-5)


def _png(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_ade20k_importer_reduces_zero_label(tmp_path):
    rng = np.random.default_rng(0)
    for split in ("training", "validation"):
        for name in ("a", "b"):
            _png(tmp_path / "images" / split / f"{name}.jpg", rng.integers(0, 255, (20, 24, 3), dtype=np.uint8))
            label = np.zeros((20, 24), np.uint8)
            label[:10] = 3
            label[10:, :12] = 150
            _png(tmp_path / "annotations" / split / f"{name}.png", label)
    s = load_ade20k(tmp_path, "training", size=8)
    assert s.images.shape == (2, 3, 8, 8) and s.num_seg_classes == 150
    assert set(np.unique(s.seg)) == {2, 149, IGNORE}
    assert s.seg[0, 0, 0] == 2 and s.seg[0, 7, 0] == 149 and s.seg[0, 7, 7] == IGNORE
    assert np.isnan(s.depth).all() and (s.labels == -1).all()
    (tmp_path / "annotations" / "validation" / "b.png").unlink()
    with pytest.raises(FileNotFoundError, match="annotation of b.jpg"):
        load_ade20k(tmp_path, "validation", size=8)


def test_nyuv2_importer_reads_millimetres_and_missing_depth(tmp_path):
    rng = np.random.default_rng(1)
    for name in ("0001", "0002"):
        _png(tmp_path / "train" / "rgb" / f"{name}.png", rng.integers(0, 255, (16, 16, 3), dtype=np.uint8))
        depth = np.full((16, 16), 2500, np.uint16)
        depth[:, :8] = 0
        _png(tmp_path / "train" / "depth" / f"{name}.png", depth)
    label = np.ones((16, 16), np.uint8) * 5
    _png(tmp_path / "train" / "label" / "0001.png", label)
    s = load_nyuv2(tmp_path, "train", size=8)
    assert s.images.shape == (2, 3, 8, 8)
    assert np.isnan(s.depth[:, :, :4]).all() and np.allclose(s.depth[:, :, 4:], 2.5)
    assert (s.seg[0] == 4).all() and (s.seg[1] == IGNORE).all()
    assert s.has_depth and s.has_seg and not s.has_labels
