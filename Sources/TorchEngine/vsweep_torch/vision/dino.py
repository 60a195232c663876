"""The DINO self-distillation loss (Caron et al. 2021) and the teacher's EMA.

Student logits s_v (views v, including local crops) and teacher probabilities on the global
views t_g = softmax((teacher(view_g) − c)/τ_t):
    L = mean over pairs (g, v), v ≠ g, and images of  −Σ_k t_g[k] · log softmax(s_v/τ_s)[k].
With ``ibot_weight`` w > 0 the loss adds iBOT's masked-patch term (as DINOv2 does): on each
global view, the student's patch logits of the *masked* view predict the teacher's centred,
sharpened patch probabilities of the *unmasked* view, weighted by the (soft) mask m:
    L_iBOT = mean over global views of  Σ_{b,p} m_bp · CE_bp / Σ_{b,p} m_bp   (0 without masks).
The centre c is an EMA of the teacher's mean logits (momentum ``center_momentum``); the
teacher's parameters an EMA of the student's (``momentum``).
"""
from __future__ import annotations

import torch


def teacher_probs(teacher_logits: list, center: torch.Tensor, temp_teacher: float) -> list:
    return [torch.softmax((t - center) / temp_teacher, dim=-1) for t in teacher_logits]


def dino_loss(student_logits: list, probs: list, temp_student: float) -> torch.Tensor:
    total, pairs = 0.0, 0
    for g, t in enumerate(probs):
        for v, s in enumerate(student_logits):
            if v == g:
                continue
            total = total + (-(t * torch.log_softmax(s / temp_student, dim=-1)).sum(-1)).mean()
            pairs += 1
    return total / pairs


@torch.no_grad()
def update_center(center: torch.Tensor, teacher_logits: list, momentum: float) -> None:
    batch_center = torch.cat(teacher_logits).mean(0)
    center.mul_(momentum).add_(batch_center, alpha=1 - momentum)


@torch.no_grad()
def ema_update(teacher: torch.nn.Module, student: torch.nn.Module, momentum: float) -> None:
    for pt, ps in zip(teacher.parameters(), student.parameters()):
        pt.mul_(momentum).add_(ps.detach(), alpha=1 - momentum)


def ibot_loss(student_patch_logits: list, patch_probs: list, masks: list, temp_student: float) -> torch.Tensor:
    """Σ m·CE / Σ m over each global view's patches, averaged over the views."""
    total = 0.0
    for s, t, m in zip(student_patch_logits, patch_probs, masks):
        ce = -(t * torch.log_softmax(s / temp_student, dim=-1)).sum(-1)          # (B, N)
        total = total + (m * ce).sum() / m.sum().clamp_min(1e-6)
    return total / max(1, len(patch_probs))


def ssl_loss(student, views: list, masks: list, probs: list, patch_probs: list | None,
             temp_student: float, ibot_weight: float) -> torch.Tensor:
    """L_DINO (+ ibot_weight · L_iBOT on the global views). ``student(x, mask, patches)`` is the
    DINONet call (a ``functional_call`` closure in the tangent pass); local views carry mask None."""
    cls_logits, patch_logits = [], []
    for i, (x, m) in enumerate(zip(views, masks)):
        if ibot_weight > 0 and i < len(probs):
            c, p = student(x, m, True)
            cls_logits.append(c)
            patch_logits.append(p)
        else:
            cls_logits.append(student(x, m, False))
    loss = dino_loss(cls_logits, probs, temp_student)
    if ibot_weight > 0:
        loss = loss + ibot_weight * ibot_loss(patch_logits, patch_probs, masks[:len(probs)], temp_student)
    return loss
