#!/usr/bin/python3
"""What a decoder working on stride-S cells could score at best on DAVIS-2016: each true mask is resized as the
bundle resizes images (longest side 512, padded to 512x512), averaged over S x S cells, upsampled bilinearly back to
the frame and thresholded at 0.5; J (region IoU) is averaged over all frames but the first and the last of each
sequence, then over sequences. No guided filter. Needs Debian's python3-torch and python3-pil.

    /usr/bin/python3 scripts/davis-grid-bound.py ../shared/data/davis2016 16 8
"""
import glob
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

SIZE = 512


def bound(mask: np.ndarray, stride: int) -> float:
    h, w = mask.shape
    scale = SIZE / max(h, w)
    rh, rw = round(h * scale), round(w * scale)
    t = F.interpolate(torch.from_numpy(mask).float()[None, None], size=(rh, rw), mode="bilinear", align_corners=False)
    padded = torch.zeros(1, 1, SIZE, SIZE)
    padded[..., :rh, :rw] = t
    cells = F.avg_pool2d(padded, stride)
    up = F.interpolate(cells, size=(SIZE, SIZE), mode="bilinear", align_corners=False)[..., :rh, :rw]
    predicted = F.interpolate(up, size=(h, w), mode="bilinear", align_corners=False)[0, 0].numpy() > 0.5
    union = (predicted | mask).sum()
    return 1.0 if union == 0 else (predicted & mask).sum() / union


def main() -> None:
    root = os.path.join(sys.argv[1], "Annotations", "480p")
    for stride in [int(s) for s in sys.argv[2:]] or [16]:
        means = []
        for sequence in sorted(os.listdir(root)):
            files = sorted(glob.glob(os.path.join(root, sequence, "*.png")))[1:-1]
            js = [bound(np.array(Image.open(f).convert("L")) > 127, stride) for f in files]
            means.append(100 * float(np.mean(js)))
            print(f"stride {stride} {sequence}: J {means[-1]:.1f}")
        print(f"stride {stride} mean J {np.mean(means):.1f}")


if __name__ == "__main__":
    main()
