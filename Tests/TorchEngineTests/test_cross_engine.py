"""Cross-engine agreement: the same GPT weights and batch in the built-in Swift engine
(``.build/debug/engine-probe``, built by scripts/test) and in the PyTorch engine give the same
g_down, loss, q, u, V and designer gradient to 1e-5 relative in float32."""
import json
import subprocess

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import REPO, make_gpt_base
from vsweep_torch import method as mt
from vsweep_torch.models import load_learner

PROBE = REPO / ".build" / "debug" / "engine-probe"
TOL = 1e-5


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64).reshape(-1), np.asarray(b, dtype=np.float64).reshape(-1)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


@pytest.mark.parametrize("align", ["all", "last_block", "head"])
def test_probe_agrees_with_torch(tmp_path, align):
    if not PROBE.exists():
        pytest.skip(f"{PROBE} is absent: build it with `swift build --product engine-probe` (scripts/test does)")
    base = make_gpt_base(tmp_path / "base.ckpt", seed=7, d_model=16, n_layer=2, n_head=2, context=16, std=0.2)
    rng = np.random.default_rng(3)
    B, T, K, H = 2, 8, 4, 8
    tokens = rng.integers(0, 256, (B, T))
    targets = rng.integers(0, 256, (B, T))
    ftokens = rng.integers(0, 256, (2, 10))
    ftargets = np.where(rng.random((2, 10)) < 0.6, rng.integers(0, 256, (2, 10)), -1)
    designer = {"mass_max": 0.4, "top_k": K, "hidden": H, "entropy": 0.05, "seed": 11}
    inp = {"base": str(base), "tokens": tokens.tolist(), "targets": targets.tolist(),
           "feedback_tokens": ftokens.tolist(), "feedback_targets": ftargets.tolist(),
           "designer": designer, "align": align}
    (tmp_path / "in.json").write_text(json.dumps(inp))
    r = subprocess.run([str(PROBE), str(tmp_path / "in.json")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    swift = json.loads(r.stdout)

    assert torch.get_default_dtype() == torch.float32
    learner = load_learner(str(base), attention="sdpa", dtype=torch.float32)
    named = learner.named_params()
    names = learner.subset_names(align)
    # g_down: mean CE over counted feedback positions (head: through the head alone)
    fx, fy = torch.as_tensor(ftokens), torch.as_tensor(ftargets).reshape(-1)
    logits, h = learner.logits_and_hidden(fx)
    if align == "head":
        logits = F.linear(h.detach(), named["wte"])
    loss = F.cross_entropy(logits.reshape(-1, 256), fy, ignore_index=-1)
    gs = torch.autograd.grad(loss, [named[n] for n in names], allow_unused=True)
    g = {n: (x if x is not None else torch.zeros_like(named[n])) for n, x in zip(names, gs)}
    flat = np.concatenate([(g[n] if n in g else torch.zeros_like(named[n])).detach().numpy().reshape(-1)
                           for n, _ in swift["param_layout"]])
    assert rel(flat, swift["g_down"]) <= TOL

    x, y = torch.as_tensor(tokens), torch.as_tensor(targets).reshape(-1)
    logits, h = learner.logits_and_hidden(x)
    z = logits.reshape(-1, 256)
    probs = torch.softmax(z.detach(), -1)
    assert abs(float(F.cross_entropy(z, y)) - swift["loss_onehot"]) <= TOL * swift["loss_onehot"]
    d = mt.Designer(16, K, H, designer["mass_max"], designer["entropy"])
    p = np.asarray(swift["designer_params"], dtype=np.float32)
    with torch.no_grad():
        offset = 0
        for (name, shape), param in zip(swift["designer_layout"], [d.fc.weight, d.fc.bias, d.out.weight, d.out.bias]):
            n = int(np.prod(shape))
            param.copy_(torch.from_numpy(p[offset:offset + n].reshape(shape)))
            offset += n
    idx, w, mix_h = d.targets(probs, h.reshape(-1, 16), y)
    q = mt.dense_q(idx, w.detach(), 256)
    assert rel(q.numpy(), swift["q"]) <= TOL
    N = y.shape[0]
    loss_q = float(mt.soft_ce(z, idx, w, N))
    assert abs(loss_q - swift["loss_q"]) <= TOL * abs(swift["loss_q"])
    if align == "head":
        u = mt.head_tangent(h.reshape(-1, 16), g["wte"])
    else:
        u = mt.tangent_forward(lambda ps: learner.logits_with(ps, x).reshape(-1, 256), named, g)
    assert rel(u.detach().numpy(), swift["u"]) <= TOL
    value = mt.alignment_value(u, probs, idx, w, N)
    assert abs(float(value) - swift["value"]) <= TOL * abs(swift["value"])
    J = value + designer["entropy"] * mix_h
    grads = torch.autograd.grad(J, [d.fc.weight, d.fc.bias, d.out.weight, d.out.bias])
    flat = np.concatenate([gg.numpy().reshape(-1) for gg in grads])
    assert rel(flat, swift["designer_grad"]) <= TOL, rel(flat, swift["designer_grad"])
    print(f"cross-engine {align}: u {rel(u.detach().numpy(), swift['u']):.1e}, q {rel(q.numpy(), swift['q']):.1e}, "
          f"V {abs(float(value) - swift['value']) / abs(swift['value']):.1e}, designer grad {rel(flat, swift['designer_grad']):.1e}")


VSWEEP = REPO / ".build" / "debug" / "vsweep"


def final_metrics(stdout):
    return [json.loads(l) for l in stdout.splitlines() if l.startswith("{")][-1]["metrics"]


def test_short_trials_of_both_engines_end_alike(tmp_path):
    """The same base, dataset, seed and config in `vsweep train` and in the PyTorch engine: the
    unlabeled windows, the start and AdamW are the same, so `baseline` must end at the same
    held-out and feedback loss to 1e-4 relative (float32 summation order differs). `vpt` draws
    its feedback minibatches and designer initialisation from each engine's own generator, so
    its two runs differ by design: they must end within 2% of each other."""
    if not VSWEEP.exists():
        pytest.skip(f"{VSWEEP} is absent: build it with `swift build` (scripts/test does)")
    import sys
    from helpers import engine_env, write_config
    env = engine_env()
    data = tmp_path / "data"
    r = subprocess.run([str(VSWEEP), "data", "generate", "--out", str(data), "--base-count", "50", "--cot-count", "400",
                        "--feedback", "64", "--validation", "8", "--test", "8"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    base = make_gpt_base(tmp_path / "base.ckpt", seed=5, d_model=32, n_layer=2, n_head=2, context=192, std=0.05)
    for arm, tol in (("baseline", 1e-4), ("vpt", 2e-2)):
        cfg = write_config(tmp_path / f"{arm}.yaml", base=str(base), data=str(data), arm=arm, seed=2,
                           learner={"batch": 4, "seq": 32, "lr": 3e-3, "warmup": 3},
                           budget={"updates": 16}, report={"every": 1000, "val_examples": 0},
                           eval={"heldout_windows": 8, "feedback_examples": 16, "final_val_examples": 0, "test_examples": 0},
                           designer={"mass_max": 0.2, "top_k": 4, "hidden": 16}, feedback={"batch": 4, "every": 1})
        swift = subprocess.run([str(VSWEEP), "train", "--config", str(cfg)], capture_output=True, text=True, env=env)
        assert swift.returncode == 0, swift.stderr
        torch_run = subprocess.run([sys.executable, "-m", "vsweep_torch.train", "--config", str(cfg)],
                                   capture_output=True, text=True, env=env)
        assert torch_run.returncode == 0, torch_run.stderr
        a, b = final_metrics(swift.stdout), final_metrics(torch_run.stdout)
        for k in ("heldout_loss", "feedback_loss"):
            assert abs(a[k] - b[k]) <= tol * abs(a[k]), (arm, k, a[k], b[k])
        print(arm, {k: (a[k], b[k]) for k in ("heldout_loss", "feedback_loss")})
