"""Writes torchvision_segmentation_keys.json: every state-dict key and shape of torchvision's fcn_resnet50 and
deeplabv3_resnet50 as its COCO checkpoints hold them (21 classes, with the auxiliary classifier), and parameter counts
with and without the auxiliary classifier.

Run with Debian's torchvision (python3-torchvision 0.14): /usr/bin/python3 make_torchvision_segmentation_keys.py
ResNetSegmentationTests checks that Exemplar's networks have exactly these keys, so that torchvision checkpoints load strictly.
"""
import json
from torchvision.models import segmentation

keys = {}
for name in ("fcn_resnet50", "deeplabv3_resnet50"):
    for aux in (True, False):
        model = getattr(segmentation, name)(weights=None, weights_backbone=None, num_classes=21, aux_loss=aux)
        suffix = "" if aux else "_noaux"
        if aux:
            keys[name] = {k: list(v.shape) for k, v in model.state_dict().items()}
        keys[name + suffix + "_parameters"] = sum(p.numel() for p in model.parameters())
with open("torchvision_segmentation_keys.json", "w") as f:
    json.dump(keys, f, indent=0)
