"""The alignment value V = g_downᵀ g_pre and its designer gradient, against independent
references in float64: an explicit g_pre from plain backward (the identity), a central finite
difference of the DINO loss along g_down, and an explicit double backward for ∂V/∂φ."""
import pytest
import torch

from vsweep_torch.vision import dino
from vsweep_torch.vision.align import DenseHeads, downstream_gradient
from vsweep_torch.vision.align import alignment_value as _alignment_value
from vsweep_torch.vision.model import build_vit
from vsweep_torch.vision.views import Designer, apply_deviation, render_plan, sample_default

ARCH = {"image_size": 8, "patch": 4, "dim": 16, "depth": 1, "heads": 2, "mlp_ratio": 2.0, "out_dim": 12}


def _setup(dtype=torch.float64, seed=0):
    torch.manual_seed(seed)
    student = build_vit(ARCH).to(dtype)
    teacher = build_vit(ARCH).to(dtype)
    for p in teacher.parameters():
        p.requires_grad_(False)
    for p in student.parameters():                 # move off the symmetric init (zero tokens)
        p.data.add_(0.05 * torch.randn_like(p))
    designer = Designer(16, 4, hidden=8).to(dtype)
    for p in designer.parameters():
        torch.nn.init.normal_(p, std=0.3)
    gen = torch.Generator().manual_seed(seed + 1)
    images = torch.rand(3, 3, 8, 8, generator=gen, dtype=dtype)
    plan = sample_default(3, gen, 8, 4, mask_ratio=0.5, dtype=dtype)
    heads = DenseHeads(16, 5, 5.0, 2.0).to(dtype)
    for p in heads.parameters():
        p.requires_grad_(False)
    fb = torch.rand(4, 3, 8, 8, generator=gen, dtype=dtype)
    seg = torch.randint(0, 5, (4, 8, 8), generator=gen)
    depth = 2 + 8 * torch.rand(4, 8, 8, generator=gen, dtype=dtype)
    _, g_down = downstream_gradient(student, heads, fb, seg, depth, 1.0)
    center = 0.1 * torch.randn(12, generator=gen, dtype=dtype)
    return student, teacher, designer, images, plan, g_down, center


def _designed(student, teacher, designer, images, plan, center):
    with torch.no_grad():
        features = teacher.backbone(images)[:, 0]
    box, gates = designer(features, plan)
    params, masks = apply_deviation(plan, 0.5, box, gates)
    views = render_plan(images, plan, params)
    out = [teacher(views[i], None, True) for i in range(2)]
    probs = dino.teacher_probs([o[0] for o in out], center, 0.04)
    patch_probs = dino.teacher_probs([o[1] for o in out], center, 0.04)
    return views, [masks[i] for i in range(2)], (probs, patch_probs)


# The SSL loss of these tests: DINO + 0.7 · iBOT (masked patches), both through the soft masks.
IBOT = 0.7


def alignment_value(student, views, masks, probs, temp, g_down, mode):
    return _alignment_value(student, views, masks, probs[0], temp, g_down, mode, probs[1], IBOT)


def _explicit_loss(student, views, masks, probs):
    return dino.ssl_loss(student, views, masks, probs[0], probs[1], 0.1, IBOT)


def _detach(probs):
    return tuple([p.detach() for p in ps] for ps in probs)


def test_value_equals_explicit_gdown_dot_gpre_float64():
    """Identity: V from the tangent pass = Σ g_down ⊙ ∇_θ L_DINO with ∇_θ from ordinary backward."""
    student, teacher, designer, images, plan, g_down, center = _setup()
    views, masks, probs = _designed(student, teacher, designer, images, plan, center)
    loss, value, mode = alignment_value(student, views, masks, probs, 0.1, g_down, "jvp")
    assert mode == "jvp"
    names = [n for n, _ in student.named_parameters()]
    ref_loss = _explicit_loss(student, [v.detach() for v in views], [m.detach() for m in masks], _detach(probs))
    g_pre = torch.autograd.grad(ref_loss, list(student.parameters()))
    explicit = sum((g * g_down[n]).sum() for n, g in zip(names, g_pre))
    assert abs(float(loss - ref_loss)) < 1e-13
    assert abs(float(value - explicit)) <= 1e-12 * max(1.0, abs(float(explicit)))
    assert abs(float(explicit)) > 1e-6                      # not vacuous


def test_value_matches_finite_difference_of_loss_along_gdown_float64():
    student, teacher, designer, images, plan, g_down, center = _setup(seed=3)
    views, masks, probs = _designed(student, teacher, designer, images, plan, center)
    views, masks, probs = [v.detach() for v in views], [m.detach() for m in masks], _detach(probs)
    _, value, _ = alignment_value(student, views, masks, probs, 0.1, g_down, "jvp")
    h = 1e-6
    with torch.no_grad():
        for n, p in student.named_parameters():
            p.add_(h * g_down[n])
        plus = _explicit_loss(student, views, masks, probs)
        for n, p in student.named_parameters():
            p.sub_(2 * h * g_down[n])
        minus = _explicit_loss(student, views, masks, probs)
    numeric = (plus - minus) / (2 * h)
    assert abs(float(value - numeric)) <= 1e-6 * max(1.0, abs(float(numeric)))


def test_designer_gradient_of_value_matches_double_backward_float64():
    """∂V/∂φ through the jvp tangent (reverse-over-forward) = ∂/∂φ of an explicit
    g_downᵀ autograd.grad(L, θ, create_graph=True) written here with the module's own forward;
    also the engine's double_backward mode."""
    student, teacher, designer, images, plan, g_down, center = _setup(seed=5)
    names = [n for n, _ in student.named_parameters()]
    phi = list(designer.parameters())

    views, masks, probs = _designed(student, teacher, designer, images, plan, center)
    _, value, _ = alignment_value(student, views, masks, probs, 0.1, g_down, "jvp")
    by_jvp = torch.autograd.grad(value, phi)

    views, masks, probs = _designed(student, teacher, designer, images, plan, center)
    g_pre = torch.autograd.grad(_explicit_loss(student, views, masks, probs), list(student.parameters()),
                                create_graph=True)
    explicit = sum((g * g_down[n]).sum() for n, g in zip(names, g_pre))
    by_double = torch.autograd.grad(explicit, phi)
    assert abs(float(value - explicit)) <= 1e-12 * max(1.0, abs(float(explicit)))

    views, masks, probs = _designed(student, teacher, designer, images, plan, center)
    _, value_db, mode = alignment_value(student, views, masks, probs, 0.1, g_down, "double_backward")
    assert mode == "double_backward"
    by_mode = torch.autograd.grad(value_db, phi)

    scale = max(float(g.abs().max()) for g in by_double)
    assert scale > 1e-8
    for a, b, c in zip(by_jvp, by_double, by_mode):
        assert torch.allclose(a, b, rtol=1e-10, atol=1e-12 * scale)
        assert torch.allclose(c, b, rtol=1e-10, atol=1e-12 * scale)


def test_float32_value_close_to_float64():
    """The engine runs the tangent pass in float32; it agrees with float64 to ~1e-5 relative."""
    s64 = _setup(torch.float64, seed=7)
    views, masks, probs = _designed(*s64[:5], s64[6])
    _, v64, _ = alignment_value(s64[0], views, masks, probs, 0.1, s64[5], "jvp")
    s32 = _setup(torch.float32, seed=7)
    for (n, a), b in zip(s32[0].state_dict().items(), s64[0].state_dict().values()):
        a.copy_(b.float())
    for a, b in zip(s32[1].state_dict().values(), s64[1].state_dict().values()):
        a.copy_(b.float())
    for a, b in zip(s32[2].state_dict().values(), s64[2].state_dict().values()):
        a.copy_(b.float())
    images32 = s64[3].float()
    plan32 = s64[4]
    plan32 = type(plan32)(plan32.params.float(), plan32.flip.float(), plan32.masks.float(), plan32.sizes, plan32.globals_)
    g32 = {n: g.float() for n, g in s64[5].items()}
    views, masks, probs = _designed(s32[0], s32[1], s32[2], images32, plan32, s64[6].float())
    _, v32, _ = alignment_value(s32[0], views, masks, probs, 0.1, g32, "jvp")
    assert abs(float(v32) - float(v64)) <= 1e-4 * max(1.0, abs(float(v64)))


def _mixed_derivative_error(layer_norm):
    """|∂/∂x of the jvp tangent − ∂/∂x of an explicit double backward| for θ ↦ Σ LN(x·θ)³."""
    from torch.func import jvp
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(4, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    w, t = torch.randn(5, generator=gen, dtype=torch.float64), torch.randn(5, generator=gen, dtype=torch.float64)
    f = lambda p: (layer_norm(x * p) ** 3).sum()          # noqa: E731
    _, tangent = jvp(f, (w,), (t,))
    a, = torch.autograd.grad(tangent, x)
    wr = w.clone().requires_grad_()
    g, = torch.autograd.grad(f(wr), wr, create_graph=True)
    b, = torch.autograd.grad((g * t).sum(), x)
    return float((a - b).abs().max()), float(b.abs().max())


def test_primitive_layer_norm_is_reverse_differentiable_through_jvp():
    """The engine's LayerNorm: reverse-over-forward equals double backward."""
    from vsweep_torch.vision.model import LayerNorm
    ln = LayerNorm(5, eps=1e-5).double()
    err, scale = _mixed_derivative_error(lambda z: ln(z))
    assert err <= 1e-12 * scale


def test_canary_fused_layer_norm_jvp_is_not_reverse_differentiable():
    """Why the engine has its own LayerNorm and ``auto`` uses double backward for HF backbones:
    torch's fused layer_norm gives a wrong reverse-over-forward derivative. If this starts to
    fail, torch fixed it and ``align.py``'s restriction can go."""
    import torch.nn.functional as F
    err, scale = _mixed_derivative_error(lambda z: F.layer_norm(z, (5,)))
    assert err > 1e-3 * scale


@pytest.mark.parametrize("kind", ["dinov2", "dinov3_vit"])
def test_hf_backbone_loads_from_local_dir_and_aligns(tmp_path, kind):
    """A randomly initialised tiny Dinov2 / DINOv3-ViT (2 register tokens) saved with save_pretrained loads offline; soft mask 0
    is the identity and 1 changes the tokens; ``auto`` uses double backward there and V equals
    the explicit g_downᵀ g_pre (float32)."""
    from transformers import DINOv3ViTConfig, DINOv3ViTModel, Dinov2Config, Dinov2Model

    from vsweep_torch.vision.model import load_hf_backbone
    torch.manual_seed(0)
    sizes = dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                 image_size=8, patch_size=4)
    if kind == "dinov2":
        Dinov2Model(Dinov2Config(**sizes)).save_pretrained(tmp_path)
    else:
        DINOv3ViTModel(DINOv3ViTConfig(num_register_tokens=2, **sizes)).save_pretrained(tmp_path)
    net = load_hf_backbone(str(tmp_path), out_dim=12).eval()
    with torch.no_grad():
        net.backbone.model.embeddings.mask_token.normal_()
    x = torch.rand(2, 3, 8, 8)
    tokens = net.backbone(x)
    assert tokens.shape == (2, 1 + 4, 16)
    assert torch.equal(net.backbone(x, torch.zeros(2, 4)), tokens)
    assert not torch.allclose(net.backbone(x, torch.ones(2, 4)), tokens)
    g_down = {n: torch.randn_like(p) for n, p in net.named_parameters()}
    views = [x, torch.rand(2, 3, 8, 8)]
    masks = [torch.full((2, 4), 0.3), torch.zeros(2, 4)]
    probs = ([torch.softmax(torch.randn(2, 12), -1) for _ in range(2)],
             [torch.softmax(torch.randn(2, 4, 12), -1) for _ in range(2)])
    loss, value, mode = alignment_value(net, views, masks, probs, 0.1, g_down, "auto")
    assert mode == "double_backward"
    g_pre = torch.autograd.grad(_explicit_loss(net, views, masks, probs), list(net.parameters()), allow_unused=True)
    explicit = sum((g * g_down[n]).sum() for (n, _), g in zip(net.named_parameters(), g_pre) if g is not None)
    assert abs(float(value) - float(explicit)) <= 1e-4 * max(1.0, abs(float(explicit)))
