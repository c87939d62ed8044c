"""Writes views.pth, the small PyTorch-written checkpoint that TorchCheckpointTests reads.

Run with Debian's PyTorch (python3-torch 1.13): /usr/bin/python3 make_pth_fixtures.py
It covers what the DINOv2 fixtures do not: views sharing one storage, non-contiguous strides, a storage offset,
every dtype the reader supports, and nested Python containers and scalars.
"""
import collections
import torch

base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
state = collections.OrderedDict()
state["base"] = base
state["transposed"] = base.t()                # non-contiguous view of the same storage
state["row_slice"] = base[1:3, 2:5]           # offset 8, strides (6, 1)
state["every_other"] = base.view(-1)[1::2]    # stride 2
dtypes = {
    "f16": torch.float16, "bf16": torch.bfloat16, "f64": torch.float64, "i64": torch.int64,
    "i32": torch.int32, "i16": torch.int16, "i8": torch.int8, "u8": torch.uint8,
}
for name, dtype in dtypes.items():
    state[name] = (torch.arange(6) - 2).to(dtype).reshape(2, 3) * (1 if not dtype.is_floating_point else 1.5)
state["bool"] = torch.tensor([True, False, True])
state["scalar"] = torch.tensor(3.25)
state["empty"] = torch.zeros(0, 3)
checkpoint = {
    "state": state,
    "list": [1, 2.5, "three", None, True, (4, 5)],
    "big": 2**70,
    "negative": -123456789,
    "nested": {"inner": {"w": torch.ones(2, 2)}},
}
torch.save(checkpoint, "views.pth")
