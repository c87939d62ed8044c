#!/usr/bin/python3
"""Writes loss_reference.json: loss values and their gradients with respect to the logits, for the loss parity tests.

Run with Debian's python3-torch:  /usr/bin/python3 tests/Exemplar.Torch.Tests/Reference/make_loss_reference.py
The inputs come from a seeded generator, are rounded to float32 and written into the JSON, so the C# tests read them
instead of reproducing the generator. The references are computed in float64 from those float32 inputs: PyTorch 1.13's
own functions for cross-entropy and BCE; for Dice and the focal losses the formulas written below, exactly as the
C# doc comments (Functional.Losses.cs) define them. Torchvision is not needed: its sigmoid_focal_loss is written out.

The 'segmentation' section holds weighted sums of those losses for Exemplar.Training's SegmentationLoss.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
GEN = torch.Generator().manual_seed(20260113)


def randn(*shape, scale=1.0):
    # float32, as the C# side holds them; the reference then widens these exact values to float64.
    return (torch.randn(*shape, generator=GEN, dtype=torch.float64) * scale).float()


def randint(high, *shape):
    return torch.randint(0, high, shape, generator=GEN, dtype=torch.int64)


def with_ignored(target, value, every):
    # Ignored labels at fixed strides, so that every case has some and none has only those.
    t = target.clone().reshape(-1)
    t[::every] = value
    return t.reshape(target.shape)


def floats(t):
    return [float('%.9g' % v) for v in t.detach().reshape(-1).tolist()]


def doubles(t):
    return [float(v) for v in t.detach().reshape(-1).double().tolist()]


# The formulas of Functional.Losses.cs, in float64.

def dice_binary(logits, target, smooth):
    p = torch.sigmoid(logits).flatten(1)
    t = target.to(p.dtype).flatten(1)
    dice = (2 * (p * t).sum(1) + smooth) / (p.sum(1) + t.sum(1) + smooth)
    return 1 - dice.mean()


def dice_multiclass(logits, target, ignore_index, smooth):
    classes = logits.shape[1]
    valid = target != ignore_index
    p = torch.softmax(logits, 1)
    one_hot = F.one_hot(target.masked_fill(~valid, 0), classes).movedim(-1, 1).to(p.dtype)
    mask = valid.unsqueeze(1).to(p.dtype)
    dims = [d for d in range(logits.dim()) if d != 1]
    p, one_hot = p * mask, one_hot * mask
    dice = (2 * (p * one_hot).sum(dims) + smooth) / (p.sum(dims) + one_hot.sum(dims) + smooth)
    return 1 - dice.mean()


def reduce(loss, reduction):
    return {'none': loss, 'sum': loss.sum(), 'mean': loss.mean()}[reduction]


def sigmoid_focal(logits, target, alpha, gamma, reduction):
    # torchvision.ops.sigmoid_focal_loss, written out.
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, target, reduction='none')
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return reduce(loss, reduction)


def focal_multiclass(logits, target, gamma, ignore_index, reduction):
    # CE · (1 − p_t)^γ, p_t = exp(−CE); ignored pixels give 0 and the mean is over the valid ones.
    ce = F.cross_entropy(logits, target, ignore_index=ignore_index, reduction='none')
    loss = ce * (1 - torch.exp(-ce)) ** gamma
    if reduction != 'mean':
        return reduce(loss, reduction)
    return loss.sum() / (target != ignore_index).sum().clamp(min=1)


def compute(kind, logits, target, o):
    if kind == 'cross_entropy':
        weight = None if o.get('class_weights') is None else torch.tensor(o['class_weights'], dtype=torch.float64)
        return F.cross_entropy(logits, target, weight=weight, ignore_index=o['ignore_index'],
                               label_smoothing=o['label_smoothing'], reduction=o['reduction'])
    if kind == 'bce_with_logits':
        weight = None if o.get('weight') is None else torch.tensor(o['weight'], dtype=torch.float64).reshape(o['weight_shape'])
        pos = None if o.get('pos_weight') is None else torch.tensor(o['pos_weight'], dtype=torch.float64).reshape(o['pos_weight_shape'])
        return F.binary_cross_entropy_with_logits(logits, target, weight=weight, pos_weight=pos, reduction=o['reduction'])
    if kind == 'dice':
        return dice_binary(logits, target, o['smooth'])
    if kind == 'multiclass_dice':
        return dice_multiclass(logits, target, o['ignore_index'], o['smooth'])
    if kind == 'sigmoid_focal':
        return sigmoid_focal(logits, target, o['alpha'], o['gamma'], o['reduction'])
    if kind == 'focal':
        return focal_multiclass(logits, target, o['gamma'], o['ignore_index'], o['reduction'])
    raise ValueError(kind)


def case(name, kind, logits, target, **options):
    """Value and d(value)/d(logits); an unreduced loss is back-propagated with a written-out upstream gradient."""
    x = logits.double().requires_grad_()
    t = target if target.dtype == torch.int64 else target.double()
    value = compute(kind, x, t, options)
    grad_output = None
    if value.dim() > 0:
        grad_output = randn(*value.shape)
        value.backward(grad_output.double())
    else:
        value.backward()
    result = dict(name=name, kind=kind, options=options,
                  logits=floats(logits), logits_shape=list(logits.shape),
                  target=target.reshape(-1).tolist() if target.dtype == torch.int64 else floats(target),
                  target_shape=list(target.shape),
                  value=doubles(value), value_shape=list(value.shape), grad=doubles(x.grad))
    if grad_output is not None:
        result['grad_output'] = floats(grad_output)
    return result


def ce(reduction, ignore_index=-100, class_weights=None, label_smoothing=0.0):
    return dict(reduction=reduction, ignore_index=ignore_index, class_weights=class_weights, label_smoothing=label_smoothing)


def cross_entropy_cases():
    cases = []
    z2, t2 = randn(7, 5, scale=2), randint(5, 7)
    t2_ignored = with_ignored(t2, -100, 3)
    z4, t4 = randn(2, 4, 3, 5, scale=2), randint(4, 2, 3, 5)
    t4_ignored = with_ignored(t4, 255, 4)
    weights4 = [0.5, 2.0, 1.0, 3.0]
    weights5 = [1.0, 0.25, 2.0, 1.5, 0.75]
    for r in ('mean', 'sum', 'none'):
        cases += [
            case(f'ce_2d_{r}', 'cross_entropy', z2, t2, **ce(r)),
            case(f'ce_2d_default_ignore_{r}', 'cross_entropy', z2, t2_ignored, **ce(r)),
            case(f'ce_4d_ignore255_{r}', 'cross_entropy', z4, t4_ignored, **ce(r, 255)),
            case(f'ce_4d_weights_{r}', 'cross_entropy', z4, t4_ignored, **ce(r, 255, weights4)),
            case(f'ce_2d_smoothing_{r}', 'cross_entropy', z2, t2, **ce(r, label_smoothing=0.1)),
            case(f'ce_4d_weights_smoothing_ignore255_{r}', 'cross_entropy', z4, t4_ignored, **ce(r, 255, weights4, 0.2)),
            case(f'ce_2d_weights_smoothing_default_ignore_{r}', 'cross_entropy', z2, t2_ignored, **ce(r, -100, weights5, 0.3)),
        ]
    # An ignored id that is also a class id; smoothing without weights over ignored pixels.
    cases.append(case('ce_2d_ignore_class1_mean', 'cross_entropy', z2, t2, **ce('mean', 1)))
    cases.append(case('ce_4d_smoothing_ignore255_mean', 'cross_entropy', z4, t4_ignored, **ce('mean', 255, label_smoothing=0.15)))
    return cases


def bce_cases():
    cases = []
    z = randn(3, 4, scale=2)
    hard = randint(2, 3, 4).float()
    soft = torch.rand(3, 4, generator=GEN, dtype=torch.float64).float()
    w, pw = randn(4).abs() + 0.25, randn(4).abs() + 0.5
    w_full = randn(3, 4).abs()
    def opts(r, weight=None, pos=None):
        return dict(reduction=r, weight=None if weight is None else floats(weight), weight_shape=None if weight is None else list(weight.shape),
                    pos_weight=None if pos is None else floats(pos), pos_weight_shape=None if pos is None else list(pos.shape))
    for r in ('mean', 'sum', 'none'):
        cases += [
            case(f'bce_{r}', 'bce_with_logits', z, hard, **opts(r)),
            case(f'bce_soft_{r}', 'bce_with_logits', z, soft, **opts(r)),
            case(f'bce_weight_{r}', 'bce_with_logits', z, hard, **opts(r, w)),
            case(f'bce_pos_weight_{r}', 'bce_with_logits', z, soft, **opts(r, pos=pw)),
            case(f'bce_weight_pos_weight_{r}', 'bce_with_logits', z, hard, **opts(r, w_full, pw)),
        ]
    large = torch.tensor([[100.0, -100.0, 50.0, -50.0], [30.0, -30.0, 88.0, -88.0]])
    large_t = torch.tensor([[0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 0.5, 0.5]])
    for r in ('mean', 'none'):
        cases.append(case(f'bce_large_logits_{r}', 'bce_with_logits', large, large_t, **opts(r)))
        cases.append(case(f'bce_large_logits_pos_weight_{r}', 'bce_with_logits', large, large_t, **opts(r, pos=pw)))
    return cases


def dice_cases():
    zb, tb = randn(2, 1, 4, 4, scale=2), randint(2, 2, 1, 4, 4).float()
    z2, t2 = randn(3, 10, scale=1.5), randint(2, 3, 10).float()
    zm, tm = randn(2, 4, 5, 6, scale=2), randint(4, 2, 5, 6)
    tm_255 = with_ignored(tm, 255, 5)
    tm_default = with_ignored(tm, -100, 3)
    # Class 3 never appears among the valid labels: its dice is smooth / (Σ p + smooth).
    tm_absent = tm_255.masked_fill(tm_255 == 3, 255)
    z2c, t2c = randn(6, 3, scale=2), with_ignored(randint(3, 6), 255, 4)
    return [
        case('dice_binary_4d', 'dice', zb, tb, smooth=1.0),
        case('dice_binary_4d_smooth_half', 'dice', zb, tb, smooth=0.5),
        case('dice_binary_2d_no_smooth', 'dice', z2, t2, smooth=0.0),
        case('dice_multiclass_ignore255', 'multiclass_dice', zm, tm_255, ignore_index=255, smooth=1.0),
        case('dice_multiclass_default_ignore', 'multiclass_dice', zm, tm_default, ignore_index=-100, smooth=1.0),
        case('dice_multiclass_no_smooth', 'multiclass_dice', zm, tm_255, ignore_index=255, smooth=0.0),
        case('dice_multiclass_absent_class', 'multiclass_dice', zm, tm_absent, ignore_index=255, smooth=1.0),
        case('dice_multiclass_2d', 'multiclass_dice', z2c, t2c, ignore_index=255, smooth=0.5),
    ]


def focal_cases():
    zs, ts = randn(3, 5, scale=2), randint(2, 3, 5).float()
    soft = torch.rand(3, 5, generator=GEN, dtype=torch.float64).float()
    z2, t2 = randn(7, 5, scale=2), randint(5, 7)
    z4 = randn(2, 3, 4, 4, scale=2)
    t4 = with_ignored(randint(3, 2, 4, 4), 255, 3)
    cases = []
    for r in ('mean', 'sum', 'none'):
        cases += [
            case(f'sigmoid_focal_{r}', 'sigmoid_focal', zs, ts, alpha=0.25, gamma=2.0, reduction=r),
            case(f'focal_4d_ignore255_{r}', 'focal', z4, t4, gamma=2.0, ignore_index=255, reduction=r),
        ]
    cases += [
        case('sigmoid_focal_alpha_half_gamma1_sum', 'sigmoid_focal', zs, ts, alpha=0.5, gamma=1.0, reduction='sum'),
        case('sigmoid_focal_no_alpha_gamma0_mean', 'sigmoid_focal', zs, ts, alpha=-1.0, gamma=0.0, reduction='mean'),
        case('sigmoid_focal_soft_gamma1_5_mean', 'sigmoid_focal', zs, soft, alpha=0.75, gamma=1.5, reduction='mean'),
        case('focal_2d_mean', 'focal', z2, t2, gamma=2.0, ignore_index=-100, reduction='mean'),
        case('focal_2d_gamma0_mean', 'focal', z2, t2, gamma=0.0, ignore_index=-100, reduction='mean'),
        case('focal_2d_default_ignore_gamma1_5_mean', 'focal', z2, with_ignored(t2, -100, 3), gamma=1.5, ignore_index=-100, reduction='mean'),
    ]
    return cases


def segmentation_cases():
    """Weighted sums as SegmentationLoss defines them: class weights and smoothing go to the CE term only."""
    z, t = randn(2, 4, 6, 5, scale=2), with_ignored(randint(4, 2, 6, 5), 255, 7)
    def run(name, ce_w, dice_w, focal_w, gamma=2.0, smoothing=0.0, class_weights=None, dice_smooth=1.0):
        x = z.double().requires_grad_()
        terms = {}
        if ce_w:
            weight = None if class_weights is None else torch.tensor(class_weights, dtype=torch.float64)
            terms['ce'] = (ce_w, F.cross_entropy(x, t, weight=weight, ignore_index=255, label_smoothing=smoothing))
        if dice_w:
            terms['dice'] = (dice_w, dice_multiclass(x, t, 255, dice_smooth))
        if focal_w:
            terms['focal'] = (focal_w, focal_multiclass(x, t, gamma, 255, 'mean'))
        total = sum(w * v for w, v in terms.values())
        total.backward()
        return dict(name=name, options=dict(cross_entropy_weight=ce_w, dice_weight=dice_w, focal_weight=focal_w, focal_gamma=gamma,
                                            ignore_index=255, label_smoothing=smoothing, class_weights=class_weights, dice_smooth=dice_smooth),
                    terms={k: float(v) for k, (_, v) in terms.items()}, total=float(total), grad=doubles(x.grad))
    cases = [
        run('ce_only', 1.0, 0.0, 0.0),
        run('ce_plus_half_dice', 1.0, 0.5, 0.0),
        run('weighted_smoothed_ce_dice_focal', 0.7, 0.5, 2.0, gamma=1.5, smoothing=0.1, class_weights=[1.0, 2.0, 0.5, 1.5], dice_smooth=0.5),
        run('dice_only', 0.0, 1.0, 0.0),
        run('focal_only', 0.0, 0.0, 1.0),
    ]
    return dict(logits=floats(z), logits_shape=list(z.shape), target=t.reshape(-1).tolist(), target_shape=list(t.shape), cases=cases)


def main():
    reference = dict(torch_version=torch.__version__,
                     cases=cross_entropy_cases() + bce_cases() + dice_cases() + focal_cases(),
                     segmentation=segmentation_cases())
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'loss_reference.json')
    with open(out, 'w') as f:
        json.dump(reference, f, separators=(',', ':'))
        f.write('\n')
    print(out, os.path.getsize(out), 'bytes,', len(reference['cases']), 'cases')


if __name__ == '__main__':
    main()
