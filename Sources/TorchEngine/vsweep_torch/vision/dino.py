"""The DINO self-distillation loss (Caron et al. 2021) and the teacher's EMA.

Student logits s_v (views v, including local crops) and teacher probabilities on the global
views t_g = softmax((teacher(view_g) − c)/τ_t):
    L = mean over pairs (g, v), v ≠ g, and images of  −Σ_k t_g[k] · log softmax(s_v/τ_s)[k].
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
