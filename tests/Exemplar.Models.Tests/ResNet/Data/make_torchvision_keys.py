"""Writes torchvision_resnet_keys.json: every state-dict key and shape of torchvision's resnet50 and resnet101.

Run with Debian's torchvision (python3-torchvision 0.14): /usr/bin/python3 make_torchvision_keys.py
ResNetTests checks that Exemplar's ResNet has exactly these keys, so that torchvision checkpoints load strictly.
"""
import json
import torchvision

keys = {}
for name in ("resnet50", "resnet101"):
    model = getattr(torchvision.models, name)()
    keys[name] = {k: list(v.shape) for k, v in model.state_dict().items()}
    keys[name + "_parameters"] = sum(p.numel() for p in model.parameters())
with open("torchvision_resnet_keys.json", "w") as f:
    json.dump(keys, f, indent=0)
