// Stack buffers for operator arguments and outputs are always written before they are read: skip zeroing them.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
