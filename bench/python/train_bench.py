"""PyTorch reference for `exemplar bench train`: training steps of LR-ASPP MobileNetV2, written here in plain PyTorch
(the same layers, in the same order, as Exemplar's Exemplar.Models.Segmentation.LrAsppMobileNetV2), random weights.

    /usr/bin/python3 train_bench.py --threads 2 [--classes 11] [--warmup 2] [--steps 5] [--cases lraspp_mobilenetv2_512_b8,...]

One step: zero grad (set to none, as Exemplar's Optimizer.ZeroGrad), forward, cross-entropy with ignore index 255
against fixed random labels, backward, AdamW step (lr 1e-3, weight decay 0.01).
Prints one JSON line: {"torch": version, "threads": n, "parameters": count, "cases": {name: median ms per step}}.
"""
import argparse
import json
import torch
import torch.nn as nn
import torch.nn.functional as F

from benchtime import median_ms
from models_bench import MobileNetV2

IGNORE_INDEX = 255
LOW_LEVEL = 6  # features.6: 32 channels, stride 8
HIGH_LEVEL = 17  # features.17: 320 channels, stride 32


class LRASPPHead(nn.Module):
    """torchvision's LRASPPHead: cbr, scale, low_classifier, high_classifier."""

    def __init__(self, low_channels, high_channels, classes, inner=128):
        super().__init__()
        self.cbr = nn.Sequential(nn.Conv2d(high_channels, inner, 1, bias=False), nn.BatchNorm2d(inner), nn.ReLU())
        self.scale = nn.Conv2d(high_channels, inner, 1, bias=False)
        self.low_classifier = nn.Conv2d(low_channels, classes, 1)
        self.high_classifier = nn.Conv2d(inner, classes, 1)

    def forward(self, low, high):
        x = self.cbr(high)
        x = x * torch.sigmoid(self.scale(F.adaptive_avg_pool2d(high, 1)))
        x = F.interpolate(x, size=low.shape[-2:], mode="bilinear", align_corners=False)
        return self.low_classifier(low) + self.high_classifier(x)


class LRASPPMobileNetV2(nn.Module):
    """The whole MobileNetV2 is kept (features.18 and the classifier unused, without gradients) so that the parameter
    count is Exemplar's, which registers the full backbone too."""

    def __init__(self, classes):
        super().__init__()
        self.backbone = MobileNetV2()
        self.head = LRASPPHead(32, 320, classes)

    def forward(self, image):
        x = image
        for i in range(HIGH_LEVEL + 1):
            x = self.backbone.features[i](x)
            if i == LOW_LEVEL:
                low = x
        logits = self.head(low, x)
        return F.interpolate(logits, size=image.shape[-2:], mode="bilinear", align_corners=False)


def default_cases():
    return ["lraspp_mobilenetv2_256_b8", "lraspp_mobilenetv2_512_b8"]


def parse(name):
    model, size, batch = name.rsplit("_", 2)
    if model != "lraspp_mobilenetv2" or not batch.startswith("b"):
        raise ValueError(f"'{name}' is not a training case (lraspp_mobilenetv2_SIZE_bBATCH)")
    return int(size), int(batch[1:])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--classes", type=int, default=11)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--cases", default="")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    names = args.cases.split(",") if args.cases else default_cases()
    model = LRASPPMobileNetV2(args.classes).train()
    parameters = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    results = {}
    for name in names:
        size, batch = parse(name)
        x = torch.randn(batch, 3, size, size)
        # Labels 0..classes, the extra value standing for ignored pixels, so the ignore path is exercised.
        labels = torch.randint(0, args.classes + 1, (batch, size, size))
        labels[labels == args.classes] = IGNORE_INDEX

        def step():
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), labels, ignore_index=IGNORE_INDEX)
            loss.backward()
            optimizer.step()

        results[name] = median_ms(step, warmup=args.warmup, repeats=args.steps)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "parameters": parameters, "cases": results}))


if __name__ == "__main__":
    main()
