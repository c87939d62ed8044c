"""PyTorch reference for `exemplar bench models`: DINOv2 ViT-S/14 and ViT-B/14 and MobileNetV2, written here in
plain PyTorch (the same layers, in the same order, as Exemplar's C# models), random weights, forward only.

    /usr/bin/python3 models_bench.py --threads 2 [--quick] [--cases dinov2_vits14_224_b1_float32,...]

Prints one JSON line: {"torch": version, "threads": n, "cases": {name: median ms per forward}}.
"""
import argparse
import json
import torch
import torch.nn as nn
import torch.nn.functional as F

from benchtime import median_ms


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.ls1 = nn.Parameter(torch.ones(dim))
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, dim * 4)
        self.fc2 = nn.Linear(dim * 4, dim)
        self.ls2 = nn.Parameter(torch.ones(dim))

    def attention(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * (c // self.heads) ** -0.5, qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))

    def forward(self, x):
        x = x + self.attention(self.norm1(x)) * self.ls1
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x)))) * self.ls2


class DinoV2(nn.Module):
    def __init__(self, dim, depth, heads):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, 14, 14)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 37 * 37 + 1, dim))
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def pos(self, h, w):
        if h == 37 and w == 37:
            return self.pos_embed
        grid = self.pos_embed[:, 1:].reshape(1, 37, 37, -1).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, scale_factor=((h + 0.1) / 37, (w + 0.1) / 37), mode="bicubic", antialias=False)
        return torch.cat((self.pos_embed[:, :1], grid.permute(0, 2, 3, 1).flatten(1, 2)), dim=1)

    def forward(self, image):
        b, _, h, w = image.shape
        x = self.patch(image).flatten(2).transpose(1, 2)
        x = torch.cat((self.cls_token.expand(b, -1, -1), x), dim=1)
        x = x + self.pos(h // 14, w // 14).to(x.dtype)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)


def conv_bn(cin, cout, k, stride, groups=1, relu6=True):
    # BatchNorm folded into the convolution bias, as in the dequantised ONNX network.
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=True)]
    if relu6:
        layers.append(nn.ReLU6())
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = [] if expand == 1 else [conv_bn(cin, hidden, 1, 1)]
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden), conv_bn(hidden, cout, 1, 1, relu6=False)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self):
        super().__init__()
        settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
        layers, cin = [conv_bn(3, 32, 3, 2)], 32
        for t, c, n, s in settings:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(conv_bn(cin, 1280, 1, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(1280, 1000)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * 4
        self.conv1, self.bn1 = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.conv3, self.bn3 = nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.down is None else self.down(x)
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        return F.relu(self.bn3(self.conv3(y)) + identity)


class ResNet50(nn.Module):
    """torchvision's resnet50, the same layers as Exemplar's ResNetEncoder (eval-mode batch norm)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        layers, cin = [], 64
        for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(blocks):
                layers.append(Bottleneck(cin, width, stride if i == 0 else 1))
                cin = width * 4
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(2048, 1000)

    def forward(self, x):
        return self.fc(self.layers(self.stem(x)).mean((2, 3)))


def models():
    return {"dinov2_vits14": lambda: DinoV2(384, 12, 6), "dinov2_vitb14": lambda: DinoV2(768, 12, 12), "mobilenetv2": MobileNetV2,
            "resnet50": ResNet50}


def case_names(quick):
    names = []
    for model in ("dinov2_vits14", "dinov2_vitb14"):
        for size in (224, 518):
            for batch in (1, 8):
                names += [f"{model}_{size}_b{batch}_{d}" for d in ("float32", "bfloat16")]
    for size in (224, 448):
        for batch in (1, 8):
            names += [f"mobilenetv2_{size}_b{batch}_{d}" for d in ("float32", "bfloat16")]
    return names


def parse(name):
    model, size, batch, dtype = name.rsplit("_", 3)
    return model, int(size), int(batch[1:]), getattr(torch, dtype)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cases", default="")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    names = args.cases.split(",") if args.cases else case_names(args.quick)
    builders, built, results = models(), {}, {}
    with torch.no_grad():
        for name in names:
            model_name, size, batch, dtype = parse(name)
            if (model_name, dtype) not in built:
                built[(model_name, dtype)] = builders[model_name]().eval().to(dtype)
            model = built[(model_name, dtype)]
            x = torch.randn(batch, 3, size, size).to(dtype)
            repeats = 1 if args.quick else 3
            results[name] = median_ms(lambda: model(x), warmup=1, repeats=repeats)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "cases": results}))


if __name__ == "__main__":
    main()
