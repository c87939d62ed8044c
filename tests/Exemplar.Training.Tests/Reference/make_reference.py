#!/usr/bin/python3
"""Writes reference.json: torch.optim trajectories and lr_scheduler rates from PyTorch 1.13, for the parity tests.

Run with Debian's python3-torch:  /usr/bin/python3 tests/Exemplar.Training.Tests/Reference/make_reference.py
The problem is a least-squares fit of a linear layer (float32, CPU, one thread) with its data written out below;
every optimizer runs 50 steps over two parameter groups (the weight, the bias) with different rates and decays.
"""
import json
import math
import os

import torch
import torch.nn.functional as F
from torch.optim import SGD, Adam, AdamW
from torch.optim import lr_scheduler as L

torch.set_num_threads(1)
STEPS = 50


def data():
    # Smooth, sign-changing values: no random generator, so that the C# side could rebuild them if it wanted to.
    x = [[math.sin(0.7 * i + 1.3 * j) for j in range(4)] for i in range(8)]
    y = [[math.cos(0.5 * i - 0.9 * j) for j in range(3)] for i in range(8)]
    w = [[0.3 * math.sin(1.1 * i + 0.4 * j + 0.2) for j in range(4)] for i in range(3)]
    b = [0.1 * (i - 1) for i in range(3)]
    t = lambda v: torch.tensor(v, dtype=torch.float32)
    return t(x), t(y), t(w), t(b)


X, Y, W0, B0 = data()


def loss(w, b):
    return (F.linear(X, w, b) - Y).square().mean()


def flat(*ts):
    # float32 values, written with the 9 significant digits that identify a float32.
    return [float('%.9g' % v) for t in ts for v in t.detach().reshape(-1).tolist()]


def make_optimizer(kind, options, groups, w, b):
    param_groups = [dict(params=[w], **groups[0]), dict(params=[b], **groups[1])]
    return {'sgd': SGD, 'adam': Adam, 'adamw': AdamW}[kind](param_groups, **options)


def run_optimizer(name, kind, options, groups, schedule=None):
    w = W0.clone().requires_grad_()
    b = B0.clone().requires_grad_()
    opt = make_optimizer(kind, options, groups, w, b)
    sched = schedule(opt) if schedule else None
    trajectory, lrs = [], []
    for _ in range(STEPS):
        lrs.append([g['lr'] for g in opt.param_groups])
        opt.zero_grad()
        loss(w, b).backward()
        opt.step()
        if sched:
            sched.step()
        trajectory.append(flat(w, b))
    return dict(name=name, kind=kind, options=options, groups=groups, trajectory=trajectory, lrs=lrs)


def optimizers():
    two = lambda lr0, wd0, lr1, wd1: [dict(lr=lr0, weight_decay=wd0), dict(lr=lr1, weight_decay=wd1)]
    return [
        run_optimizer('sgd', 'sgd', dict(lr=0.1), [dict(), dict(lr=0.05)]),
        run_optimizer('sgd_momentum_dampening_decay', 'sgd', dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=5e-3),
                      two(0.05, 5e-3, 0.1, 0.0)),
        run_optimizer('sgd_nesterov_decay', 'sgd', dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2),
                      two(0.05, 1e-2, 0.1, 0.0)),
        run_optimizer('adam', 'adam', dict(lr=0.01), two(0.01, 1e-3, 0.02, 0.0)),
        run_optimizer('adam_amsgrad', 'adam', dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, amsgrad=True), two(0.05, 0.0, 0.03, 0.0)),
        run_optimizer('adamw', 'adamw', dict(lr=0.01, weight_decay=0.1), two(0.01, 0.1, 0.02, 0.0)),
        run_optimizer('adamw_amsgrad', 'adamw', dict(lr=0.02, amsgrad=True), two(0.02, 0.05, 0.02, 0.0)),
        # Schedules driving optimizers: the rates, and one-cycle's momentum, reach the update.
        run_optimizer('adamw_warmup_cosine', 'adamw', dict(lr=0.02, weight_decay=0.05), two(0.02, 0.05, 0.04, 0.0),
                      lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
                                                   L.CosineAnnealingLR(o, T_max=45, eta_min=1e-4)], milestones=[5])),
        run_optimizer('sgd_onecycle', 'sgd', dict(lr=0.1, momentum=0.9), two(0.1, 0.0, 0.1, 0.0),
                      lambda o: L.OneCycleLR(o, max_lr=[0.2, 0.1], total_steps=STEPS)),
    ]


def run_schedule(name, make, steps, metrics=None, kind='sgd'):
    p, q = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    groups = [dict(params=[p], lr=0.1), dict(params=[q], lr=0.02)]
    opt = SGD(groups, lr=0.1, momentum=0.9) if kind == 'sgd' else Adam(groups, lr=0.1)
    sched = make(opt)
    lrs, momentum = [], []
    for i in range(steps):
        lrs.append([g['lr'] for g in opt.param_groups])
        momentum.append([g['momentum'] if kind == 'sgd' else g['betas'][0] for g in opt.param_groups])
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
    return dict(name=name, lrs=lrs, momentum=momentum, metrics=metrics)


class WarmupThenPlateau:
    """LinearWarmup in front of ReduceLROnPlateau, written out (SequentialLR cannot hold a plateau): LinearLR for the
    warm-up steps, the base rates at the hand-over step, then the plateau, which is given the metric."""

    def __init__(self, opt, steps, start_factor, **plateau):
        self.plateau = L.ReduceLROnPlateau(opt, **plateau)
        self.warmup = L.LinearLR(opt, start_factor=start_factor, total_iters=steps)
        self.opt, self.steps, self.count = opt, steps, 0

    def step(self, metric):
        self.count += 1
        if self.count < self.steps:
            self.warmup.step()
        elif self.count == self.steps:
            for g in self.opt.param_groups:
                g['lr'] = g['initial_lr']
        else:
            self.plateau.step(metric)



def schedules():
    # A validation loss that falls, stalls, creeps and falls again; and an accuracy that rises and stalls.
    loss_curve = [1.0, 0.8, 0.7, 0.69, 0.695, 0.7, 0.65, 0.649, 0.6489, 0.66, 0.64, 0.6399, 0.64, 0.641, 0.5, 0.5, 0.5, 0.5,
                  0.5, 0.5, 0.49, 0.48, 0.48, 0.48, 0.48, 0.48, 0.48, 0.48, 0.48, 0.48]
    accuracy = [0.1, 0.3, 0.35, 0.355, 0.36, 0.5, 0.505, 0.51, 0.6, 0.6, 0.6, 0.6, 0.61, 0.61, 0.61, 0.61, 0.61, 0.61, 0.61,
                0.61, 0.61, 0.61, 0.61, 0.61, 0.61]
    result = [
        run_schedule('constant', lambda o: L.ConstantLR(o, factor=0.5, total_iters=7), 20),
        run_schedule('step', lambda o: L.StepLR(o, step_size=7, gamma=0.5), 50),
        run_schedule('multistep', lambda o: L.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3), 50),
        run_schedule('exponential', lambda o: L.ExponentialLR(o, gamma=0.93), 50),
        run_schedule('cosine', lambda o: L.CosineAnnealingLR(o, T_max=40, eta_min=1e-3), 60),
        run_schedule('cosine_no_floor', lambda o: L.CosineAnnealingLR(o, T_max=50), 50),
        run_schedule('polynomial', lambda o: L.PolynomialLR(o, total_iters=40, power=0.9), 50),
        run_schedule('onecycle', lambda o: L.OneCycleLR(o, max_lr=[0.5, 0.1], total_steps=STEPS), STEPS),
        run_schedule('onecycle_three_phase_linear_adam',
                     lambda o: L.OneCycleLR(o, max_lr=0.3, total_steps=40, pct_start=0.25, anneal_strategy='linear',
                                            three_phase=True, div_factor=10.0, final_div_factor=100.0), 40, kind='adam'),
        run_schedule('plateau_min_rel', lambda o: L.ReduceLROnPlateau(o, mode='min', factor=0.5, patience=2, threshold=1e-2,
                                                                      cooldown=1, min_lr=[0.01, 0.001]), len(loss_curve), loss_curve),
        run_schedule('plateau_max_abs', lambda o: L.ReduceLROnPlateau(o, mode='max', factor=0.3, patience=1, threshold=0.01,
                                                                      threshold_mode='abs', min_lr=0.0, eps=1e-4), len(accuracy), accuracy),
        run_schedule('warmup_cosine', lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
                                                                   L.CosineAnnealingLR(o, T_max=30, eta_min=1e-4)], milestones=[5]), 50),
        run_schedule('warmup_polynomial', lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.001, total_iters=10),
                                                                       L.PolynomialLR(o, total_iters=40, power=0.9)], milestones=[10]), 50),
        run_schedule('warmup_plateau', lambda o: WarmupThenPlateau(o, 4, 0.25, factor=0.5, patience=1),
                     len(loss_curve), loss_curve),
    ]
    # mmcv's poly with an end rate has no PyTorch class: its closed form, from the same base rates.
    base, steps, power, end = [0.1, 0.02], 40, 0.9, 1e-4
    result.append(dict(name='polynomial_end_lr_mmcv', metrics=None, momentum=None,
                       lrs=[[(b - end) * (1 - min(t, steps) / steps) ** power + end for b in base] for t in range(50)]))
    return result


def main():
    reference = dict(
        torch_version=torch.__version__,
        problem=dict(x=flat(X), x_shape=list(X.shape), y=flat(Y), y_shape=list(Y.shape), w=flat(W0), w_shape=list(W0.shape), b=flat(B0)),
        optimizers=optimizers(),
        schedules=schedules(),
    )
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'reference.json')
    with open(out, 'w') as f:
        json.dump(reference, f, separators=(',', ':'))
        f.write('\n')
    print(out, os.path.getsize(out), 'bytes')


if __name__ == '__main__':
    main()
