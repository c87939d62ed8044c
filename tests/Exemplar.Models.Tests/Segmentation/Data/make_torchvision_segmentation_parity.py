"""Writes torchvision segmentation parity files into OUT_DIR (argument 1): for fcn_resnet50 and deeplabv3_resnet50
with 3 classes and the auxiliary classifier, NAME.pth (the state dict, as torch.save writes torchvision's checkpoints)
and NAME_io.pth (input [1, 3, 64, 64], out and aux logits [1, 3, 64, 64] in evaluation mode).

Weights are torchvision's random initialisation (seeded); the batch-norm statistics are then estimated on a few random
batches so that activations keep a sane scale through the 50 layers (fresh running stats are the identity, under which
the residual sums grow by orders of magnitude and a 1e-4 comparison means nothing).

The files are ~170 MB each, too big to commit: ResNetSegmentationTests runs this with Debian's torchvision
(python3-torchvision 0.14, /usr/bin/python3) at test time and caches the result in the temp folder.
"""
import os
import sys

import torch
from torchvision.models import segmentation

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
torch.set_num_threads(2)
for index, name in enumerate(("fcn_resnet50", "deeplabv3_resnet50")):
    torch.manual_seed(1234 + index)
    model = getattr(segmentation, name)(weights=None, weights_backbone=None, num_classes=3, aux_loss=True)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(2, 3, 64, 64))
    model.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        y = model(x)
    torch.save(model.state_dict(), os.path.join(out_dir, name + ".pth"))
    torch.save({"input": x, "out": y["out"], "aux": y["aux"]}, os.path.join(out_dir, name + "_io.pth"))
    print(name, "out max", y["out"].abs().max().item(), "aux max", y["aux"].abs().max().item())
