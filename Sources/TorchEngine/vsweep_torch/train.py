"""The PyTorch engine: one V-pretraining trial, speaking the vsweep trial protocol.

    python3 -m vsweep_torch.train --config FILE [--set key=value]... [--resume CKPT] [--check]

Config keys are the built-in engine's (docs/protocol.md) wherever they mean the same thing;
the additions (``model.*``, ``sources.*``, ``distributed.*``, ``learner.accumulate``,
``align.tangent``) are in docs/torch-engine.md. Data parallel over ``distributed.processes``
processes (default: the visible CUDA devices, else 1): rank 0 alone writes the protocol;
SIGTERM on any rank stops every rank after the same update.
"""
from __future__ import annotations

import contextlib
import datetime
import math
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from . import __version__
from . import datasets as ds
from . import evaluation as ev
from . import method as mt
from . import protocol as vp
from .models import GPTLearner, load_learner

ENGINE = f"vsweep-torch {__version__}"
ANY = vp.ANY

DEFAULTS = {
    "trial": ANY,
    "base": "",
    "data": ANY,
    "sources": {"unlabeled": [], "feedback": ANY, "validation": ANY, "test": ANY,
                "validation_size": 128, "max_documents": ANY},
    "arm": "baseline",
    "seed": 1,
    "learner": {"lr": 3e-4, "lr_min": ANY, "warmup": 20, "weight_decay": 0.1, "beta1": 0.9, "beta2": 0.95,
                "clip": 1.0, "decay_embeddings": False, "batch": 8, "seq": 0, "accumulate": 1},
    "budget": {"updates": ANY, "seconds": ANY},
    "report": {"every": 50, "val_examples": 64},
    "eval": {"max_new_tokens": 96, "heldout_windows": 32, "feedback_examples": 64, "final_val_examples": ANY,
             "test_examples": ANY, "batch": 32},
    "checkpoint": {"dir": ANY, "every": ANY},
    "designer": {"mass_max": 0.1, "top_k": 4, "hidden": 32, "lr": 1e-3, "entropy": 0.0},
    "feedback": {"size": 1024, "batch": 8, "every": 1},
    "align": {"params": "all", "jvp": "exact", "tangent": "auto"},
    "model": {"dtype": "auto", "attention": "sdpa", "gradient_checkpointing": False},
    "distributed": {"processes": 0, "backend": "auto"},
}


def _require(ok, field, rule, value):
    if not ok:
        raise vp.ConfigError(f"{field} must be {rule} (got {value!r})", field=field)


def validate(c: dict) -> dict:
    """Range checks (the built-in engine's, plus the PyTorch engine's own keys)."""
    _require(isinstance(c["base"], str) and c["base"] != "", "base", "a checkpoint file or model directory", c["base"])
    _require(c["data"] is not None or c["sources"]["feedback"], "data",
             "a dataset directory (or set sources.unlabeled and sources.feedback)", c["data"])
    _require(c["arm"] in mt.ARMS, "arm", " | ".join(mt.ARMS), c["arm"])
    _require(isinstance(c["seed"], int) and c["seed"] >= 0, "seed", ">= 0", c["seed"])
    L = c["learner"]
    _require(L["lr"] > 0, "learner.lr", "> 0", L["lr"])
    if L["lr_min"] is None:
        L["lr_min"] = L["lr"] / 10
    _require(0 <= L["lr_min"] <= L["lr"], "learner.lr_min", ">= 0 and <= lr", L["lr_min"])
    _require(L["warmup"] >= 0, "learner.warmup", ">= 0", L["warmup"])
    _require(L["batch"] >= 1, "learner.batch", ">= 1", L["batch"])
    _require(L["seq"] >= 0, "learner.seq", ">= 0 (0: the model context)", L["seq"])
    _require(L["accumulate"] >= 1, "learner.accumulate", ">= 1", L["accumulate"])
    for k in ("beta1", "beta2"):
        _require(0 <= L[k] < 1, f"learner.{k}", "in [0, 1)", L[k])
    b = c["budget"]
    if (b["updates"] is None) == (b["seconds"] is None):
        raise vp.ConfigError("set exactly one of budget.updates or budget.seconds", field="budget")
    if b["updates"] is not None:
        _require(isinstance(b["updates"], int) and b["updates"] >= 1, "budget.updates", ">= 1", b["updates"])
    else:
        _require(b["seconds"] > 0, "budget.seconds", "> 0", b["seconds"])
    _require(c["report"]["every"] >= 1, "report.every", ">= 1", c["report"]["every"])
    d = c["designer"]
    _require(0 <= d["mass_max"] <= 1, "designer.mass_max", "in [0, 1]", d["mass_max"])
    _require(d["top_k"] >= 1, "designer.top_k", ">= 1", d["top_k"])
    _require(d["hidden"] >= 1, "designer.hidden", ">= 1", d["hidden"])
    _require(d["lr"] > 0, "designer.lr", "> 0", d["lr"])
    _require(d["entropy"] >= 0, "designer.entropy", ">= 0", d["entropy"])
    f = c["feedback"]
    for k in ("size", "batch", "every"):
        _require(f[k] >= 1, f"feedback.{k}", ">= 1", f[k])
    a = c["align"]
    _require(a["params"] in ("all", "last_block", "head"), "align.params", "all | last_block | head", a["params"])
    _require(a["jvp"] in ("exact", "finite_difference"), "align.jvp", "exact | finite_difference", a["jvp"])
    _require(a["tangent"] in ("auto", "forward", "double_backward"), "align.tangent",
             "auto | forward | double_backward", a["tangent"])
    m = c["model"]
    _require(m["dtype"] in ("auto", "float32", "bfloat16", "float64"), "model.dtype",
             "auto | float32 | bfloat16 | float64", m["dtype"])
    _require(m["attention"] in ("sdpa", "eager"), "model.attention", "sdpa | eager", m["attention"])
    _require(c["distributed"]["processes"] >= 0, "distributed.processes", ">= 0 (0: one per visible GPU)",
             c["distributed"]["processes"])
    if c["checkpoint"]["every"] is not None:
        _require(c["checkpoint"]["every"] >= 1, "checkpoint.every", ">= 1", c["checkpoint"]["every"])
    return c


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Trial:
    """One trial on one rank. ``world`` ranks each take a contiguous slice of every batch;
    losses are sums over local positions divided by the global count, and gradients are
    summed over ranks, so W ranks compute the single-process update."""

    def __init__(self, config: dict, out: vp.Reporter, rank: int = 0, world: int = 1):
        self.c, self.out, self.rank, self.world = config, out, rank, world
        c = config
        cuda = torch.cuda.is_available()
        self.device = torch.device(f"cuda:{rank % max(1, torch.cuda.device_count())}" if cuda else "cpu")
        want = c["model"]["dtype"]
        self.amp = torch.bfloat16 if (want == "bfloat16" or (want == "auto" and cuda)) and cuda else None
        param_dtype = torch.float64 if want == "float64" else torch.float32
        if want == "bfloat16" and not cuda:
            param_dtype = torch.bfloat16
        try:
            self.learner = load_learner(c["base"], attention=c["model"]["attention"], dtype=param_dtype,
                                        gradient_checkpointing=c["model"]["gradient_checkpointing"], device=self.device)
        except (FileNotFoundError, ValueError, OSError) as e:
            raise vp.ConfigError(f"cannot load base: {e}", field="base") from None
        self.model = self.learner.model
        self.model.train()
        self.T = c["learner"]["seq"] or self.learner.context
        if self.T > self.learner.context:
            raise vp.ConfigError(f"seq {self.T} exceeds the base model's context {self.learner.context}", field="learner.seq")
        try:
            if c["data"] is not None:
                corpus = ds.read_dataset_dir(c["data"])
            else:
                s = c["sources"]
                corpus = ds.read_sources(s["unlabeled"], s["feedback"], s["test"], s["validation"],
                                         s["validation_size"], s["max_documents"])
        except (FileNotFoundError, ValueError, OSError) as e:
            raise vp.ConfigError(f"cannot load data: {e}", field="data" if c["data"] is not None else "sources") from None
        self.corpus = corpus
        stream = ds.unlabeled_stream(corpus.documents, self.learner.tokenizer)
        train, held = ds.split_heldout(stream, self.T)
        if len(train) <= self.T + 1:
            raise vp.ConfigError(f"unlabeled corpus too small ({len(stream)} tokens) for seq {self.T}", field="data")
        self.stream = ds.TokenStream(train, self.T + 1, ds.swift_stream_seed(c["seed"]))
        self.heldout = ds.heldout_windows(held, self.T, c["eval"]["heldout_windows"])

        # learner optimizer: AdamW, decay on 2-D weights (embeddings only with decay_embeddings)
        L = c["learner"]
        named = self.learner.named_params()
        self.param_names = list(named)
        decay = [p for n, p in named.items() if self.learner.decays(n, p, L["decay_embeddings"])]
        keep = [p for n, p in named.items() if not self.learner.decays(n, p, L["decay_embeddings"])]
        groups = [g for g in ({"params": decay, "weight_decay": L["weight_decay"]},
                              {"params": keep, "weight_decay": 0.0}) if g["params"]]
        self.opt = torch.optim.AdamW(groups, lr=L["lr"], betas=(L["beta1"], L["beta2"]), eps=1e-8)

        self.arm = c["arm"]
        self.designer = None
        self.direction: dict[str, torch.Tensor] = {}
        self.refresh_index = -1
        if self.arm in mt.DESIGNER_ARMS:
            d = c["designer"]
            V = self.learner.tokenizer.vocab_size
            _require(d["top_k"] < V, "designer.top_k", f"< the vocabulary {V}", d["top_k"])
            C = self._hidden_size()
            self.designer = mt.Designer(C, d["top_k"], d["hidden"], d["mass_max"], d["entropy"],
                                        seed=c["seed"] + 0xD3516E00).to(self.device, dtype=param_dtype
                                                                         if param_dtype == torch.float64 else torch.float32)
            self.dopt = torch.optim.Adam(self.designer.parameters(), lr=d["lr"], betas=(0.9, 0.999), eps=1e-8)
            rows = [ev.teacher_forcing(self.learner, e) for e in corpus.feedback[:c["feedback"]["size"]]]
            self.feedback_rows = [r for r in rows if r is not None]
            if not self.feedback_rows:
                raise vp.ConfigError(f"no feedback example fits the model context {self.learner.context}",
                                     field="feedback.size")
            self.align_names = self.learner.subset_names(c["align"]["params"])
        self.updates = 0
        self.tokens = 0
        self.budget = vp.Budget(updates=c["budget"]["updates"], seconds=c["budget"]["seconds"])
        self.loss_sum, self.loss_count = 0.0, 0
        self.value_sum, self.value_count = 0.0, 0
        self.timings = {"feedback": 0.0, "tangent": 0.0, "designer": 0.0}
        self.tangent_method = None

    # ---- helpers -------------------------------------------------------------------------

    def _hidden_size(self) -> int:
        if isinstance(self.learner, GPTLearner):
            return self.learner.model.cfg.d_model
        return int(self.learner.model.config.hidden_size)

    def _autocast(self):
        if self.amp is not None:
            return torch.autocast(self.device.type, dtype=self.amp)
        return contextlib.nullcontext()

    def _rows(self, n: int) -> range:
        return range(self.rank * n // self.world, (self.rank + 1) * n // self.world)

    def _allreduce_grads(self, params) -> None:
        if self.world == 1:
            return
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
        flat = torch.cat([g.reshape(-1) for g in grads])
        dist.all_reduce(flat)
        offset = 0
        for p, g in zip(params, grads):
            n = g.numel()
            p.grad = flat[offset:offset + n].view_as(p).clone()
            offset += n

    def _sum(self, x: float) -> float:
        if self.world == 1:
            return x
        t = torch.tensor([x], dtype=torch.float64, device=self.device if self.device.type == "cuda" else "cpu")
        dist.all_reduce(t)
        return float(t.item())

    def learning_rate(self) -> float:
        L = self.c["learner"]
        lr, lo, W = L["lr"], L["lr_min"], L["warmup"]
        s = self.updates
        if s < W:
            return lr * (s + 1) / W
        if self.budget.updates is not None:
            progress = (s - W) / max(1, self.budget.updates - W)
        else:
            progress = self.budget.train_seconds / self.budget.seconds
        return lo + 0.5 * (lr - lo) * (1 + math.cos(math.pi * min(1.0, progress)))

    # ---- g_down --------------------------------------------------------------------------

    def refresh_if_due(self) -> None:
        every = self.c["feedback"]["every"]
        index = self.updates // every
        if index == self.refresh_index:
            return
        t0 = time.perf_counter()
        self.refresh_index = index
        self.direction = self.feedback_gradient(index)
        if self.arm == "random_feedback":
            self.direction = self.random_direction(self.direction, index)
        self.timings["feedback"] += time.perf_counter() - t0

    def feedback_batch(self, index: int):
        """The feedback minibatch of refresh ``index``: a pure function of (seed, index)."""
        rng = np.random.Generator(np.random.PCG64([self.c["seed"], 0xFEEDBAC4, index]))
        B = self.c["feedback"]["batch"]
        picks = rng.integers(0, len(self.feedback_rows), size=B)
        return [self.feedback_rows[i] for i in picks]

    def feedback_gradient(self, index: int) -> dict[str, torch.Tensor]:
        """g_down = ∇θ L_down on the refresh's feedback minibatch, restricted to ``align.params``
        (``head``: the gradient through the head alone, dlogitsᵀ·h)."""
        batch = self.feedback_batch(index)
        local = [batch[i] for i in self._rows(len(batch))]
        named = self.learner.named_params()
        count = self._sum(float(sum(sum(r[2]) for r in local)))
        grads: dict[str, torch.Tensor] = {n: torch.zeros_like(named[n]) for n in self.align_names}
        if local:
            x, y, att = ev.padded_batch(local, self.device)
            head = self.c["align"]["params"] == "head"
            with self._autocast():
                if head:
                    with torch.no_grad():
                        _, h = self.learner.logits_and_hidden(x, att)
                    wname, bname = self.learner.head()
                    logits = F.linear(h.detach(), named[wname], named[bname] if bname else None)
                else:
                    logits, _ = self.learner.logits_and_hidden(x, att)
            loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1),
                                   ignore_index=-1, reduction="sum") / max(count, 1.0)
            ps = [named[n] for n in self.align_names]
            gs = torch.autograd.grad(loss, ps, allow_unused=True)
            for n, g in zip(self.align_names, gs):
                if g is not None:
                    grads[n] = g.detach()
        if self.world > 1:
            flat = torch.cat([g.reshape(-1) for g in grads.values()])
            dist.all_reduce(flat)
            off = 0
            for n in grads:
                k = grads[n].numel()
                grads[n] = flat[off:off + k].view_as(grads[n])
                off += k
        return grads

    def random_direction(self, g: dict[str, torch.Tensor], index: int) -> dict[str, torch.Tensor]:
        """``random_feedback``: a Gaussian direction with g's norm, seeded by (seed, index)."""
        gen = torch.Generator().manual_seed((self.c["seed"] * 1_000_003 + 0x4A4DD012 + index) & 0x7FFF_FFFF_FFFF)
        z = {n: torch.randn(t.shape, generator=gen, dtype=torch.float64) for n, t in g.items()}
        gn = math.sqrt(sum(float((t.double() ** 2).sum()) for t in g.values()))
        zn = math.sqrt(sum(float((t ** 2).sum()) for t in z.values()))
        scale = gn / zn if zn > 0 else 0.0
        return {n: (z[n] * scale).to(device=g[n].device, dtype=g[n].dtype) for n in g}

    # ---- u = J·g ------------------------------------------------------------------------

    def tangent(self, x: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
        """u (b·T, V): the logits' derivative along g_down for the batch rows x."""
        a = self.c["align"]
        if a["params"] == "head":
            wname, bname = self.learner.head()
            u = mt.head_tangent(hidden.reshape(-1, hidden.shape[-1]), self.direction[wname],
                                self.direction[bname] if bname else None)
            self.tangent_method = "head (linear, exact)"
            return u
        named = self.learner.named_params()

        def logits_of(ps):
            with self._autocast():
                z = self.learner.logits_with(ps, x)
            return z.float().reshape(-1, z.shape[-1]) if z.dtype != torch.float64 else z.reshape(-1, z.shape[-1])

        if a["jvp"] == "finite_difference":
            eps = 1e-2
            with torch.no_grad():
                plus = {n: named[n].detach() + eps * self.direction[n] for n in self.direction}
                minus = {n: named[n].detach() - eps * self.direction[n] for n in self.direction}
                self.tangent_method = "central finite difference (eps 1e-2)"
                return (logits_of(plus) - logits_of(minus)) / (2 * eps)
        mode = a["tangent"]
        if mode in ("auto", "forward"):
            try:
                u = mt.tangent_forward(logits_of, named, self.direction)
                self.tangent_method = "forward-mode (torch.func.jvp)"
                return u
            except (NotImplementedError, RuntimeError) as e:
                if mode == "forward":
                    raise
                if self.tangent_method is None:
                    log(f"forward-mode tangent unsupported here ({type(e).__name__}: {str(e)[:160]}); "
                        "using the double-backward tangent")
        self.tangent_method = "double backward"
        return mt.tangent_double_backward(logits_of, named, self.direction)

    # ---- one update ----------------------------------------------------------------------

    def step(self) -> float:
        c = self.c
        B, T = c["learner"]["batch"], self.T
        lr = self.learning_rate()
        for g in self.opt.param_groups:
            g["lr"] = lr
        if self.designer is not None:
            self.refresh_if_due()
        rows = list(self._rows(B))
        windows = torch.as_tensor(self.stream.batch(self.updates, rows), device=self.device) if rows else None
        N = B * T
        loss_total = 0.0
        value_total = 0.0
        K, mass = c["designer"]["top_k"], float(c["designer"]["mass_max"])
        chunks = [] if windows is None else torch.tensor_split(windows, min(c["learner"]["accumulate"], len(rows)))
        for w in chunks:
            x, y = w[:, :-1], w[:, 1:].reshape(-1)
            with self._autocast():
                logits, h = self.learner.logits_and_hidden(x)
            z = logits.reshape(-1, logits.shape[-1])
            if self.arm == "baseline":
                idx, wq = mt.onehot_targets(y)
            else:
                probs = torch.softmax(z.detach().float() if z.dtype != torch.float64 else z.detach(), dim=-1)
                if self.arm in ("uniform_topk", "self_distill"):
                    idx, wq = mt.control_targets(self.arm, probs, y, K, mass)
                else:
                    t0 = time.perf_counter()
                    idx, wq, mix_h = self.designer.targets(probs, h.reshape(-1, h.shape[-1]), y)
                    t1 = time.perf_counter()
                    u = self.tangent(x, h)
                    t2 = time.perf_counter()
                    value = mt.alignment_value(u, probs, idx, wq, N)
                    objective = value + c["designer"]["entropy"] * mix_h * (y.shape[0] / N)
                    (-objective).backward()
                    value_total += float(value.detach())
                    wq = wq.detach()
                    self.timings["designer"] += (t1 - t0) + (time.perf_counter() - t2)
                    self.timings["tangent"] += t2 - t1
            loss = mt.soft_ce(z, idx, wq, N)
            loss.backward()
            loss_total += float(loss)
        params = [p for group in self.opt.param_groups for p in group["params"]]
        self._allreduce_grads(params)
        clip = c["learner"]["clip"]
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(params, clip)
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        if self.designer is not None:
            t0 = time.perf_counter()
            dparams = list(self.designer.parameters())
            self._allreduce_grads(dparams)
            self.dopt.step()
            self.dopt.zero_grad(set_to_none=True)
            self.timings["designer"] += time.perf_counter() - t0
            self.value_sum += self._sum(value_total)
            self.value_count += 1
        return self._sum(loss_total)

    # ---- evaluation ------------------------------------------------------------------------

    def evaluate(self, final: bool) -> dict:
        c, e = self.c, self.c["eval"]
        if self.rank != 0:
            return {}
        m: dict = {}
        args = (e["batch"], self.device, self.amp)
        if self.heldout:
            m["heldout_loss"] = ev.lm_loss(self.learner, self.heldout, *args)
        if e["feedback_examples"] > 0:
            m["feedback_loss"] = ev.feedback_loss(self.learner, self.corpus.feedback[:e["feedback_examples"]], *args)
        if not final:
            if c["report"]["val_examples"] > 0 and self.corpus.validation:
                val = self.corpus.validation[:c["report"]["val_examples"]]
                m["val_pass1"] = ev.pass_at_1(self.learner, val, e["batch"], e["max_new_tokens"], self.device, self.amp)
                # Unlike the built-in engine, also the answer loss on the same examples: a smooth
                # validation metric that early-stopping rules can use at every report.
                m["val_loss"] = ev.feedback_loss(self.learner, val, *args)
            return m
        val = self.corpus.validation if e["final_val_examples"] is None else self.corpus.validation[:e["final_val_examples"]]
        if val:
            m["val_pass1"] = ev.pass_at_1(self.learner, val, e["batch"], e["max_new_tokens"], self.device, self.amp)
            m["val_loss"] = ev.feedback_loss(self.learner, val, *args)
        test = self.corpus.test if e["test_examples"] is None else self.corpus.test[:e["test_examples"]]
        if test:
            m["test_pass1"] = ev.pass_at_1(self.learner, test, e["batch"], e["max_new_tokens"], self.device, self.amp)
        return m

    def _barrier(self):
        if self.world > 1:
            dist.barrier()

    def report(self) -> None:
        with self.budget.evaluating():
            m = {"train_loss": self.loss_sum / self.loss_count if self.loss_count else float("nan")}
            self.loss_sum, self.loss_count = 0.0, 0
            if self.value_count:
                m["alignment_value"] = self.value_sum / self.value_count
                self.value_sum, self.value_count = 0.0, 0
            m.update(self.evaluate(final=False))
            self._barrier()
        self.out.report(self.updates, self.tokens, m, budget=self.budget,
                        timings=dict(self.timings) if self.designer is not None else None)
        log(f"update {self.updates}: {m} (train {self.budget.train_seconds:.1f}s, eval {self.budget.eval_seconds:.1f}s)")

    def final_metrics(self) -> dict:
        with self.budget.evaluating():
            m = {}
            if self.loss_count:
                m["train_loss"] = self.loss_sum / self.loss_count
            if self.value_count:
                m["alignment_value"] = self.value_sum / self.value_count
            m.update(self.evaluate(final=True))
            self._barrier()
        m["train_seconds"] = self.budget.train_seconds
        m["eval_seconds"] = self.budget.eval_seconds
        self.out.report(self.updates, self.tokens, m, budget=self.budget,
                        timings=dict(self.timings) if self.designer is not None else None)
        return m

    # ---- checkpoints -----------------------------------------------------------------------

    def checkpoint_path(self) -> Path:
        d = self.c["checkpoint"]["dir"] or os.getcwd()
        name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in (self.c["trial"] or "trial"))
        return Path(d) / f"{name}.pt"

    def state_dict(self) -> dict:
        s = {"engine": ENGINE, "config": self.c, "updates": self.updates, "tokens": self.tokens,
             "budget": self.budget.state_dict(), "loss_sum": self.loss_sum, "loss_count": self.loss_count,
             "value_sum": self.value_sum, "value_count": self.value_count, "timings": dict(self.timings),
             "model": {n: p.detach().cpu() for n, p in self.learner.named_params().items()},
             "optimizer": self.opt.state_dict(),
             "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate(),
                     "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None},
             "data_position": {"step": self.updates, "stream_seed": self.stream.seed}}
        if self.designer is not None:
            s["designer"] = self.designer.state_dict()
            s["designer_optimizer"] = self.dopt.state_dict()
            s["direction"] = {n: t.detach().cpu() for n, t in self.direction.items()}
            s["refresh_index"] = self.refresh_index
        return s

    def save_checkpoint(self) -> None:
        with self.budget.evaluating():
            path = self.checkpoint_path()
            if self.rank == 0:
                state = self.state_dict()
                vp.atomic_save(lambda f: torch.save(state, f), path)
            self._barrier()
        self.out.checkpoint(path, self.updates)

    def resume(self, path: str) -> None:
        try:
            s = torch.load(path, map_location="cpu", weights_only=False)
        except Exception as e:  # noqa: BLE001
            raise vp.ConfigError(f"cannot read checkpoint {path}: {e}", field="resume") from None
        if not isinstance(s, dict) or "model" not in s or "updates" not in s:
            raise vp.ConfigError(f"{path} is not a PyTorch engine trial checkpoint", field="resume")
        named = self.learner.named_params()
        with torch.no_grad():
            for n, p in named.items():
                p.copy_(s["model"][n].to(p.device, p.dtype))
        self.opt.load_state_dict(s["optimizer"])
        self.updates, self.tokens = s["updates"], s["tokens"]
        self.budget.load_state_dict(s["budget"])
        self.loss_sum, self.loss_count = s["loss_sum"], s["loss_count"]
        self.value_sum, self.value_count = s["value_sum"], s["value_count"]
        self.timings = dict(s["timings"])
        torch.set_rng_state(s["rng"]["torch"])
        np.random.set_state(s["rng"]["numpy"])
        random.setstate(s["rng"]["python"])
        if s["rng"].get("cuda") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(s["rng"]["cuda"])
        if self.designer is not None:
            if "designer" not in s:
                raise vp.ConfigError(f"{path} lacks the designer state of a V-pretraining trial", field="resume")
            self.designer.load_state_dict(s["designer"])
            self.dopt.load_state_dict(s["designer_optimizer"])
            self.direction = {n: t.to(self.device) for n, t in s["direction"].items()}
            self.refresh_index = s["refresh_index"]
        log(f"resumed from {path} at update {self.updates}")

    # ---- the loop ----------------------------------------------------------------------------

    def run(self, stop: vp.Termination) -> str:
        c = self.c
        self.out.started(c, trial=c["trial"])
        B = c["learner"]["batch"]
        every = c["checkpoint"]["every"] or c["report"]["every"]
        while not self.budget.exhausted(self.updates):
            if stop.agreed():
                log(f"SIGTERM: checkpointing at update {self.updates} and stopping")
                self.save_checkpoint()
                m = {"train_loss": self.loss_sum / self.loss_count} if self.loss_count else {}
                self.out.finished("terminated", m, updates=self.updates)
                return "terminated"
            with self.budget.training():
                loss = self.step()
                self.updates += 1
                self.tokens += B * self.T
            if not math.isfinite(loss):
                self.out.report(self.updates, self.tokens, {"train_loss": loss}, budget=self.budget)
                raise RuntimeError(f"training loss became {loss} at update {self.updates}")
            self.loss_sum += loss
            self.loss_count += 1
            spent = self.budget.exhausted(self.updates)
            if self.updates % c["report"]["every"] == 0 and not spent:
                self.report()
            if c["checkpoint"]["dir"] and self.updates % every == 0 and not spent:
                self.save_checkpoint()
        m = self.final_metrics()
        if c["checkpoint"]["dir"]:
            self.save_checkpoint()
        if self.tangent_method:
            log(f"tangent: {self.tangent_method}")
        self.out.finished("budget", m, updates=self.updates)
        return "budget"


# ---------------------------------------------------------------------------------------------
# Process entry points
# ---------------------------------------------------------------------------------------------

def _rank_main(rank: int, world: int, config: dict, resume: str | None, rendezvous: str) -> None:
    out = vp.Reporter(ENGINE, enabled=rank == 0)
    # Before the process group starts its threads: they must inherit the blocked signals.
    stop = vp.Termination.install(deferred=world > 1)
    if world > 1:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // world)) if not torch.cuda.is_available() else None
        backend = config["distributed"]["backend"]
        if backend == "auto":
            backend = "nccl" if torch.cuda.is_available() else "gloo"
        if torch.cuda.is_available():
            torch.cuda.set_device(rank % torch.cuda.device_count())
        # A file rendezvous (a fresh path per run): no TCP port to pick, so no race with other
        # processes on the machine for a port that was free a moment ago.
        dist.init_process_group(backend, init_method=f"file://{rendezvous}", rank=rank, world_size=world,
                                timeout=datetime.timedelta(minutes=10))

    def main():
        trial = Trial(config, out, rank, world)
        if resume:
            trial.resume(resume)
        trial.run(stop)

    try:
        vp.run(main, out)
    finally:
        if world > 1 and dist.is_initialized():
            with contextlib.suppress(Exception):
                dist.destroy_process_group()


def _spawned(rank, world, config, resume, rendezvous):
    code = 0
    try:
        _rank_main(rank, world, config, resume, rendezvous)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    # Leave without the interpreter's teardown: C++ destructors of the process group's
    # threads then run at exit in no set order, and one of them aborted a finished rank
    # now and then ("terminate called without an active exception"), failing a trial
    # whose work was done and recorded. Everything of the trial is written by now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    out = vp.Reporter(ENGINE)
    try:
        config = validate(vp.load_config(argv, DEFAULTS))
        args = vp.load_config.last_args
    except vp.ConfigError as e:
        out.error(e.message, field=e.field)
        sys.exit(2)
    if args.check:
        log("config ok")
        sys.exit(0)
    world = config["distributed"]["processes"] or max(1, torch.cuda.device_count())
    if world == 1:
        _rank_main(0, 1, config, args.resume, "")
        return
    import torch.multiprocessing as mp
    rendezvous_dir = tempfile.mkdtemp(prefix="vsweep-torch-")
    rendezvous = os.path.join(rendezvous_dir, "rendezvous")
    ctx = mp.start_processes(_spawned, args=(world, config, args.resume, rendezvous), nprocs=world, join=False,
                             start_method="spawn")

    def forward(signum, frame):  # noqa: ARG001 - pass SIGTERM on to every rank
        for p in ctx.processes:
            if p.is_alive():
                os.kill(p.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        while not ctx.join():
            pass
    except mp.ProcessExitedException as e:
        sys.exit(e.exit_code if e.exit_code and e.exit_code > 0 else 1)
    except mp.ProcessRaisedException as e:
        log(str(e))
        sys.exit(1)
    finally:
        shutil.rmtree(rendezvous_dir, ignore_errors=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
