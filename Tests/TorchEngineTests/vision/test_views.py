"""View construction: gradients against finite differences (float64), the deviation budget."""
import torch
from torch.autograd import gradcheck

from vsweep_torch.vision.views import (BOUND, Designer, apply_deviation, random_deviation, render,
                                       render_plan, sample_default)


def _inside_params(batch, gen):
    """Boxes well inside the image (no border clamping) so the map is smooth there."""
    p = torch.zeros(batch, 7, dtype=torch.float64)
    p[:, 2] = torch.log(torch.empty(batch, dtype=torch.float64).uniform_(0.3, 0.5, generator=gen))
    p[:, 3] = torch.empty(batch, dtype=torch.float64).uniform_(-0.2, 0.2, generator=gen)
    p[:, 0:2] = torch.empty(batch, 2, dtype=torch.float64).uniform_(-0.2, 0.2, generator=gen)
    p[:, 4:] = torch.empty(batch, 3, dtype=torch.float64).uniform_(-0.2, 0.2, generator=gen)
    return p


def test_render_gradient_matches_finite_differences():
    """gradcheck: autograd's Jacobian of render (crop box, flip, photometric) w.r.t. the view
    parameters and the image equals central finite differences, in float64."""
    gen = torch.Generator().manual_seed(0)
    images = torch.rand(2, 3, 8, 8, generator=gen, dtype=torch.float64, requires_grad=True)
    params = _inside_params(2, gen).requires_grad_(True)
    flip = torch.tensor([1.0, -1.0], dtype=torch.float64)
    assert gradcheck(lambda p, x: render(x, p, flip, 6), (params, images), eps=1e-6, atol=1e-7, rtol=1e-5)


def test_designer_gradient_through_views_and_masks_matches_finite_differences():
    """The designer's weight gradient of a scalar of the rendered views and soft masks (the path
    V takes) equals a central finite difference along a random weight direction (float64)."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    B, N = 3, 4
    images = torch.rand(B, 3, 8, 8, generator=gen, dtype=torch.float64)
    plan = sample_default(B, gen, 8, N, mask_ratio=0.5, dtype=torch.float64)
    plan.params[:] = torch.stack([_inside_params(B, gen), _inside_params(B, gen)])
    designer = Designer(5, N, hidden=6).double()
    for p in designer.parameters():               # leave the zero init so the map is not flat
        torch.nn.init.normal_(p, std=0.5)
    features = torch.randn(B, 5, generator=gen, dtype=torch.float64)
    wv = torch.randn(2, B, 3, 8, 8, generator=gen, dtype=torch.float64)
    wm = torch.randn(2, B, N, generator=gen, dtype=torch.float64)

    def objective():
        box, gates = designer(features, plan)
        params, masks = apply_deviation(plan, 0.4, box, gates)
        views = render_plan(images, plan, params)
        return sum((w * v).sum() for w, v in zip(wv, views)) + (wm * masks).sum()

    weights = list(designer.parameters())
    grads = torch.autograd.grad(objective(), weights)
    direction = [torch.randn(w.shape, generator=gen, dtype=torch.float64) for w in weights]
    analytic = sum((g * d).sum() for g, d in zip(grads, direction))
    h = 1e-6
    with torch.no_grad():
        for w, d in zip(weights, direction):
            w.add_(h * d)
        plus = objective()
        for w, d in zip(weights, direction):
            w.sub_(2 * h * d)
        minus = objective()
    numeric = (plus - minus) / (2 * h)
    assert abs(float(analytic - numeric)) <= 1e-7 * max(1.0, abs(float(numeric)))


def test_deviation_budget_bounds_and_zero():
    """|a − a0| ≤ ε·BOUND per parameter, masks stay in [0, 1] within ε of the default, and
    ε = 0 returns the default parameters and masks exactly (bitwise)."""
    gen = torch.Generator().manual_seed(2)
    plan = sample_default(16, gen, 32, 64, mask_ratio=0.4, local_crops=1)
    box, gates = random_deviation(plan, gen)
    box[:2] = torch.sign(box[:2])                 # the extremes of the budget
    for eps in (0.0, 0.25, 1.0):
        params, masks = apply_deviation(plan, eps, box, gates)
        assert torch.all((params - plan.params).abs() <= eps * BOUND.float() + 1e-6)
        assert torch.all((masks - plan.masks).abs() <= eps + 1e-6)
        assert masks.min() >= 0 and masks.max() <= 1
        assert torch.equal(masks[2:], plan.masks[2:])      # local crops stay unmasked
    params, masks = apply_deviation(plan, 0.0, box, gates)
    assert torch.equal(params, plan.params) and torch.equal(masks, plan.masks)
    designer = Designer(8, 64)
    box, gates = designer(torch.randn(16, 8), plan)
    params, masks = apply_deviation(plan, 0.0, box, gates)
    assert torch.equal(params, plan.params) and torch.equal(masks, plan.masks)


def test_default_plan_is_a_function_of_the_generator_seed():
    a = sample_default(4, torch.Generator().manual_seed(5), 32, 64, 0.3)
    b = sample_default(4, torch.Generator().manual_seed(5), 32, 64, 0.3)
    assert torch.equal(a.params, b.params) and torch.equal(a.masks, b.masks) and torch.equal(a.flip, b.flip)
    views = render_plan(torch.rand(4, 3, 32, 32), a, a.params)
    assert [v.shape for v in views] == [torch.Size([4, 3, 32, 32])] * 2
