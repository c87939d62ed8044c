"""PyTorch reference for `exemplar bench torch`: the same cases, measured the same way, printed as JSON.

Run by the benchmark with Debian's PyTorch (/usr/bin/python3); usable alone:
    /usr/bin/python3 torch_bench.py --threads 2 --device cpu
Each case: warm-up, then `repeats` timed batches of `iterations` calls; the median per-call time in ms is reported.
"""
import argparse
import json
import torch
import torch.nn.functional as F

from benchtime import median_ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sync = (lambda: torch.cuda.synchronize()) if device.type == "cuda" else (lambda: None)
    scale = 0.2 if args.quick else 1.0
    results = {}

    # (a) per-call cost of a tiny operation
    a = torch.ones(1, device=device)
    b = torch.ones(1, device=device)
    results["add_1elem"] = median_ms(lambda: torch.add(a, b), sync, 2000, 7, max(1, int(20000 * scale)))

    # (b) ResNet basic block, forward + backward, batch 8, 64 channels, 112x112
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(8, 64, 112, 112, generator=gen).to(device)
    w1 = (torch.randn(64, 64, 3, 3, generator=gen) * 0.05).to(device).requires_grad_()
    w2 = (torch.randn(64, 64, 3, 3, generator=gen) * 0.05).to(device).requires_grad_()
    g1 = torch.ones(64, device=device, requires_grad=True)
    b1 = torch.zeros(64, device=device, requires_grad=True)
    g2 = torch.ones(64, device=device, requires_grad=True)
    b2 = torch.zeros(64, device=device, requires_grad=True)
    rm1, rv1 = torch.zeros(64, device=device), torch.ones(64, device=device)
    rm2, rv2 = torch.zeros(64, device=device), torch.ones(64, device=device)
    params = [w1, w2, g1, b1, g2, b2]

    def block():
        for p in params:
            p.grad = None
        out = F.relu(F.batch_norm(F.conv2d(x, w1, None, 1, 1), rm1, rv1, g1, b1, True, 0.1, 1e-5))
        out = F.batch_norm(F.conv2d(out, w2, None, 1, 1), rm2, rv2, g2, b2, True, 0.1, 1e-5)
        out = F.relu(out + x)
        out.sum().backward()

    results["resnet_block_fwd_bwd"] = median_ms(block, sync, 2, max(3, int(10 * scale)), 1)

    # (c) 1024x1024 float32 matmul
    m1 = torch.randn(1024, 1024, generator=gen).to(device)
    m2 = torch.randn(1024, 1024, generator=gen).to(device)
    results["matmul_1024"] = median_ms(lambda: torch.matmul(m1, m2), sync, 3, 7, max(1, int(5 * scale)))

    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "device": str(device), "cases": results}))


if __name__ == "__main__":
    main()
