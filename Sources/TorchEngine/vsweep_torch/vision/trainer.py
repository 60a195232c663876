"""One vision V-pretraining run: the learner (DINO student + EMA teacher), the designer, the
dense heads that give g_down, and the step of each arm.

Arms (docs/vision.md):

| arm | views and masks of the learner's step |
| --- | --- |
| ``baseline`` | the default augmentation (``views.sample_default``) |
| ``vpt`` | the designer's deviation, trained by ascent on V with real g_down |
| ``random_feedback`` | the designer, trained with a random direction of g_down's norm |
| ``random_views`` | a uniformly random deviation within the same budget, no designer |

One update (``step``):
1. batch indices and the default view plan from a generator keyed by (seed, update);
2. (designer arms) the designer reads the teacher's detached CLS features of the images and
   proposes deviations; views are rendered differentiably;
3. (designer arms, every ``feedback.every`` updates) the dense heads take ``head_steps`` Adam
   steps on a feedback minibatch (detached features), then g_down = ∇_θ L_down;
4. (designer arms) V = g_downᵀ ∇_θ L_DINO by the tangent pass; the designer ascends V;
5. the learner takes one AdamW step on L_SSL = L_DINO + ibot_weight·L_iBOT with the views, masks and teacher targets
   detached; then the teacher EMA and the centre.
The learner never receives a gradient of L_down. Every random draw comes from a generator
seeded by (seed, update, purpose), so a resumed run repeats the same draws, and arms at a
deviation bound of 0 see exactly the baseline's views.
"""
from __future__ import annotations

import copy
import math
import time

import numpy as np
import torch

from . import dino
from .align import DenseHeads, alignment_value, downstream_gradient, random_direction
from .datasets import make_split
from .datasets.split import VisionSplit
from .evaluate import evaluate
from .model import build_vit, load_hf_backbone
from .views import Designer, apply_deviation, random_deviation, render_plan, sample_default

ARMS = ("baseline", "vpt", "random_feedback", "random_views")
CHECKPOINT_MAGIC = "vsweep-vision-trial"
BASE_MAGIC = "vsweep-vision-base"
FORMAT_VERSION = 1

# Purposes of the per-update generators.
_BATCH, _RANDOM_VIEWS, _FEEDBACK, _RANDOM_FEEDBACK = 0, 1, 2, 3


def generator(seed: int, update: int, purpose: int) -> torch.Generator:
    return torch.Generator().manual_seed((seed * 1_000_003 + update * 131 + purpose * 7919) % (2 ** 63 - 1))


def load_data(cfg: dict) -> dict:
    """The four splits named by ``data`` (procedural scenes, or ADE20K/NYUv2 folders)."""
    kind = cfg["kind"]
    if kind == "procedural":
        size, seed = cfg["size"], cfg["seed"]
        return {name: make_split(name, cfg[key], seed, size)
                for name, key in (("unlabeled", "unlabeled"), ("feedback", "feedback"),
                                  ("validation", "validation"), ("test", "test"))}
    from .datasets import load_ade20k, load_nyuv2
    if cfg["root"] is None:
        raise ValueError(f"data.root is required for data.kind {kind}")
    if kind == "ade20k":
        train = load_ade20k(cfg["root"], "training", cfg["size"])
        test = load_ade20k(cfg["root"], "validation", cfg["size"], cfg["test"])
    elif kind == "nyuv2":
        train = load_nyuv2(cfg["root"], "train", cfg["size"])
        test = load_nyuv2(cfg["root"], "test", cfg["size"], cfg["test"])
    else:
        raise ValueError(f"data.kind must be procedural, ade20k or nyuv2 (got {kind!r})")
    f, v = cfg["feedback"], cfg["validation"]
    if len(train) < f + v + 1:
        raise ValueError(f"{cfg['root']}: {len(train)} training images, need more than feedback + validation = {f + v}")
    return {"unlabeled": train.slice(f + v, len(train), "unlabeled"),   # labels unused
            "feedback": train.slice(0, f, "feedback"),
            "validation": train.slice(f, f + v, "validation"),
            "test": test}


def new_base(arch: dict, seed: int) -> dict:
    """A randomly initialised learner (student = teacher) as a base checkpoint dict."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        student = build_vit(arch)
    return {"magic": BASE_MAGIC, "version": FORMAT_VERSION, "arch": arch, "student": student.state_dict(),
            "teacher": student.state_dict(), "center": torch.zeros(arch["out_dim"]),
            "center_patch": torch.zeros(arch["out_dim"]), "updates": 0}


def read_base(path: str) -> dict:
    base = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(base, dict) or base.get("magic") not in (BASE_MAGIC, CHECKPOINT_MAGIC):
        raise ValueError(f"{path}: not a vsweep vision base (make one with `python3 -m vsweep_torch.vision.pretrain`)")
    if base.get("version") != FORMAT_VERSION:
        raise ValueError(f"{path}: format version {base.get('version')}, this engine reads {FORMAT_VERSION}")
    return base


class VisionTrainer:
    """The state of one run and its step. ``config`` is the engine's effective config."""

    def __init__(self, config: dict, base: dict | None = None, data: dict | None = None):
        self.config = config
        self.arm = config["arm"]
        if self.arm not in ARMS:
            raise ValueError(f"arm must be one of {', '.join(ARMS)} (got {self.arm!r})")
        self.seed = int(config["seed"])
        L, D, F = config["learner"], config["designer"], config["feedback"]
        self.data = data if data is not None else load_data(config["data"])
        self.feedback = self.data["feedback"].head(F["size"]) if F["size"] else self.data["feedback"]
        if L["hf_path"]:
            self.student = load_hf_backbone(L["hf_path"], L["out_dim"])
            self.arch = {"hf_path": L["hf_path"], "out_dim": L["out_dim"]}
            self.teacher = copy.deepcopy(self.student)
            self.center = torch.zeros(L["out_dim"])
            self.center_patch = torch.zeros(L["out_dim"])
        else:
            if base is None:
                raise ValueError("base is required (a checkpoint from `python3 -m vsweep_torch.vision.pretrain`)")
            self.arch = dict(base["arch"])
            self.student = build_vit(self.arch)
            self.student.load_state_dict(base["student"])
            self.teacher = build_vit(self.arch)
            self.teacher.load_state_dict(base["teacher"])
            self.center = base["center"].clone()
            self.center_patch = base["center_patch"].clone()
        for p in self.teacher.parameters():
            p.requires_grad_(False)
        bb = self.student.backbone
        self.dim = bb.dim
        self.image_size = self.data["unlabeled"].images.shape[-1]
        self.num_patches = (self.image_size // bb.patch) ** 2
        decay = [p for n, p in self.student.named_parameters() if p.dim() >= 2 and "token" not in n and "pos_embed" not in n]
        other = [p for n, p in self.student.named_parameters() if not (p.dim() >= 2 and "token" not in n and "pos_embed" not in n)]
        self.opt = torch.optim.AdamW([{"params": decay, "weight_decay": L["weight_decay"]},
                                      {"params": other, "weight_decay": 0.0}], lr=L["lr"], betas=(0.9, 0.999))
        self.designer = None
        self.heads = None
        if self.arm in ("vpt", "random_feedback"):
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(self.seed)
                self.designer = Designer(self.dim, self.num_patches, D["hidden"])
                fb = self.feedback
                finite = fb.depth[np.isfinite(fb.depth)]
                mean, std = (float(finite.mean()), float(finite.std() + 1e-6)) if finite.size else (0.0, 1.0)
                self.heads = DenseHeads(self.dim, fb.num_seg_classes, mean, std)
            self.dopt = torch.optim.Adam(self.designer.parameters(), lr=D["lr"])
            self.hopt = torch.optim.Adam(self.heads.parameters(), lr=F["head_lr"])
        self.g_down = None
        self.updates = 0
        self.align_mode_used = None
        self.timings = {"feedback": 0.0, "tangent": 0.0, "designer": 0.0}
        self.accum = {"loss": 0.0, "value": 0.0, "down": 0.0, "n": 0, "nv": 0}

    # -----------------------------------------------------------------------------------------

    def lr_at(self, fraction: float) -> float:
        L = self.config["learner"]
        if L["warmup"] > 0 and self.updates < L["warmup"]:
            return L["lr"] * (self.updates + 1) / L["warmup"]
        return L["lr_min"] + 0.5 * (L["lr"] - L["lr_min"]) * (1 + math.cos(math.pi * min(1.0, fraction)))

    def step(self, fraction: float | None = None) -> float:
        """One learner update (and, for designer arms, one designer update); returns L_DINO."""
        L, D, F = self.config["learner"], self.config["designer"], self.config["feedback"]
        u = self.updates
        if fraction is None:
            fraction = u / max(1, self.config["budget"]["updates"] or 1)
        unl = self.data["unlabeled"]
        g = generator(self.seed, u, _BATCH)
        idx = torch.randint(0, len(unl), (L["batch"],), generator=g)
        images = torch.from_numpy(unl.images[idx.numpy()])
        plan = sample_default(L["batch"], g, self.image_size, self.num_patches, D["mask_ratio"],
                              L["local_crops"], L["local_size"])
        eps = float(D["deviation_max"])
        value = None
        if self.arm in ("vpt", "random_feedback"):
            t0 = time.perf_counter()
            with torch.no_grad():
                features = self.teacher.backbone(images)[:, 0]
            box, gates = self.designer(features, plan)
            params, masks = apply_deviation(plan, eps, box, gates)
            views = render_plan(images, plan, params)
            t_logits, t_patches, probs, patch_probs = self._teacher(views, plan)
            self.timings["designer"] += time.perf_counter() - t0
            if self.g_down is None or u % F["every"] == 0:
                t0 = time.perf_counter()
                self._refresh_feedback(u)
                self.timings["feedback"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            _, value, self.align_mode_used = alignment_value(
                self.student, views, self._student_masks(masks, plan), probs, L["temp_student"],
                self.g_down, self.config["align"]["mode"], patch_probs, L["ibot_weight"])
            self.timings["tangent"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            self.dopt.zero_grad(set_to_none=True)
            (-value).backward()
            self.dopt.step()
            self.timings["designer"] += time.perf_counter() - t0
            views = [v.detach() for v in views]
            masks = masks.detach()
            t_logits = [t.detach() for t in t_logits]
            t_patches = [t.detach() for t in t_patches]
            probs = [p.detach() for p in probs]
            patch_probs = None if patch_probs is None else [p.detach() for p in patch_probs]
        else:
            with torch.no_grad():
                if self.arm == "random_views":
                    box, gates = random_deviation(plan, generator(self.seed, u, _RANDOM_VIEWS))
                    params, masks = apply_deviation(plan, eps, box, gates)
                else:
                    params, masks = plan.params, plan.masks
                views = render_plan(images, plan, params)
                t_logits, t_patches, probs, patch_probs = self._teacher(views, plan)
        # The learner: DINO loss only, on detached views, masks and targets.
        for group in self.opt.param_groups:
            group["lr"] = self.lr_at(fraction)
        loss = dino.ssl_loss(self.student, views, self._student_masks(masks, plan), probs, patch_probs,
                             L["temp_student"], L["ibot_weight"])
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if L["clip"] > 0:
            torch.nn.utils.clip_grad_norm_(self.student.parameters(), L["clip"])
        self.opt.step()
        dino.ema_update(self.teacher, self.student, L["momentum"])
        dino.update_center(self.center, t_logits, L["center_momentum"])
        if t_patches:
            dino.update_center(self.center_patch, [t.reshape(-1, t.shape[-1]) for t in t_patches], L["center_momentum"])
        self.updates += 1
        self.accum["loss"] += float(loss.detach())
        self.accum["n"] += 1
        if value is not None:
            self.accum["value"] += float(value.detach())
            self.accum["nv"] += 1
        return float(loss.detach())

    def _teacher(self, views: list, plan):
        """Teacher logits on the global views: (CLS logits, patch logits or None), and their
        centred, sharpened probabilities."""
        L = self.config["learner"]
        cls, patches = [], []
        for i in range(plan.globals_):
            if L["ibot_weight"] > 0:
                c, p = self.teacher(views[i], None, True)
                cls.append(c)
                patches.append(p)
            else:
                cls.append(self.teacher(views[i]))
        probs = dino.teacher_probs(cls, self.center, L["temp_teacher"])
        patch_probs = dino.teacher_probs(patches, self.center_patch, L["temp_teacher"]) if patches else None
        return cls, patches, probs, patch_probs

    @staticmethod
    def _student_masks(masks: torch.Tensor, plan) -> list:
        """Masks of the global views; local crops (fewer patches) are never masked."""
        return [masks[i] if i < plan.globals_ else None for i in range(len(plan.sizes))]

    def _refresh_feedback(self, u: int) -> None:
        """Dense heads: ``head_steps`` Adam steps on a feedback minibatch's detached features;
        then g_down on that minibatch (or, for random_feedback, a random direction of its norm)."""
        F = self.config["feedback"]
        g = generator(self.seed, u, _FEEDBACK)
        fb = self.feedback
        idx = torch.randint(0, len(fb), (F["batch"],), generator=g).numpy()
        images = torch.from_numpy(fb.images[idx])
        seg = torch.from_numpy(fb.seg[idx])
        depth = torch.from_numpy(fb.depth[idx])
        with torch.no_grad():
            patches = self.student.backbone(images)[:, 1:]
        for _ in range(F["head_steps"]):
            self.hopt.zero_grad(set_to_none=True)
            self.heads.loss(patches, seg, depth, F["depth_weight"]).backward()
            self.hopt.step()
        for p in self.heads.parameters():
            p.requires_grad_(False)
        try:
            down, g_down = downstream_gradient(self.student, self.heads, images, seg, depth, F["depth_weight"])
        finally:
            for p in self.heads.parameters():
                p.requires_grad_(True)
        self.accum["down"] = float(down)
        if self.arm == "random_feedback":
            g_down = random_direction(g_down, generator(self.seed, u, _RANDOM_FEEDBACK))
        self.g_down = g_down

    # -----------------------------------------------------------------------------------------

    def take_interval_metrics(self) -> dict:
        """Means over the updates since the last call (train_loss, alignment_value, feedback_loss)."""
        a = self.accum
        out = {}
        if a["n"]:
            out["train_loss"] = a["loss"] / a["n"]
        if a["nv"]:
            out["alignment_value"] = a["value"] / a["nv"]
            out["feedback_loss"] = a["down"]
        self.accum = {"loss": 0.0, "value": 0.0, "down": a["down"], "n": 0, "nv": 0}
        return out

    def evaluate(self, split: str, count: int | None = None) -> dict:
        E = self.config["eval"]
        scored = self.data[split]
        if count:
            scored = scored.head(count)
        metrics = evaluate(self.student.backbone, self.feedback, scored, E["probe_steps"], E["probe_lr"], seed=0)
        prefix = {"validation": "val", "test": "test"}[split]
        return {f"{prefix}_{k}": v for k, v in metrics.items()}

    # -----------------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        state = {"magic": CHECKPOINT_MAGIC, "version": FORMAT_VERSION, "arch": self.arch, "arm": self.arm,
                 "seed": self.seed, "updates": self.updates, "student": self.student.state_dict(),
                 "teacher": self.teacher.state_dict(), "center": self.center.clone(),
                 "center_patch": self.center_patch.clone(),
                 "opt": self.opt.state_dict(), "g_down": self.g_down, "accum": dict(self.accum),
                 "timings": dict(self.timings)}
        if self.designer is not None:
            state.update(designer=self.designer.state_dict(), dopt=self.dopt.state_dict(),
                         heads=self.heads.state_dict(), hopt=self.hopt.state_dict())
        return state

    def load_state_dict(self, state: dict) -> None:
        if state.get("magic") != CHECKPOINT_MAGIC or state.get("version") != FORMAT_VERSION:
            raise ValueError("not a vsweep vision trial checkpoint of this version")
        if state["arm"] != self.arm:
            raise ValueError(f"checkpoint of arm {state['arm']}, config arm {self.arm}")
        self.student.load_state_dict(state["student"])
        self.teacher.load_state_dict(state["teacher"])
        self.center.copy_(state["center"])
        self.center_patch.copy_(state["center_patch"])
        self.opt.load_state_dict(state["opt"])
        self.g_down = state["g_down"]
        self.accum = dict(state["accum"])
        self.timings = dict(state["timings"])
        self.updates = int(state["updates"])
        if self.designer is not None:
            self.designer.load_state_dict(state["designer"])
            self.dopt.load_state_dict(state["dopt"])
            self.heads.load_state_dict(state["heads"])
            self.hopt.load_state_dict(state["hopt"])
