using Exemplar.Torch.Native;

namespace Exemplar.Torch.Distributed;

/// <summary>
/// A group of processes (ranks) that run collectives together over libtorch's Gloo backend, on CPU tensors: the
/// building block of data-parallel training. Every rank must issue the same collectives, on tensors of the same
/// shapes and dtypes, in the same order; a collective returns when it has completed on this rank, or throws a
/// <see cref="TorchException"/> once <see cref="DistributedOptions.Timeout"/> has passed without the peers.
/// Use one group from one thread at a time.
/// </summary>
/// <example><code>
/// var options = DistributedOptions.FromEnvironment() ?? new DistributedOptions(0, 1);
/// using var group = ProcessGroup.Gloo(options);
/// group.BroadcastParameters(model.Parameters());        // every rank starts from rank 0's weights
/// // per step: loss.Backward(); group.AverageGradients(model.Parameters()); optimizer.Step();
/// </code></example>
public sealed partial class ProcessGroup : IDisposable
{
    private readonly ProcessGroupHandle _handle;

    private ProcessGroup(ProcessGroupHandle handle, int rank, int worldSize)
    {
        _handle = handle;
        Rank = rank;
        WorldSize = worldSize;
    }

    /// <summary>
    /// Joins the group described by <paramref name="options"/>: rank 0 serves the store at the master address and waits
    /// for the others, every rank then connects to every other. Blocks until all ranks have joined.
    /// </summary>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    /// <exception cref="TorchException">The group could not be formed within the timeout (a rank never joined, the
    /// port is taken, the master cannot be reached) or this shim was built without Gloo.</exception>
    public static ProcessGroup Gloo(DistributedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (NativeMethods.ex_distributed_available() == 0)
        {
            throw new TorchException("this Exemplar native shim was built without Gloo (install libgloo-dev, delete native/build and rebuild)");
        }
        long timeout = options.TimeoutMilliseconds;
        // The group holds its own reference to the store, so this one is released as soon as the group exists.
        using var store = new StoreHandle(NativeMethods.CheckHandle(NativeMethods.ex_tcp_store_new(
            options.MasterAddress, options.MasterPort, options.WorldSize, options.Rank == 0 ? 1 : 0, timeout)));
        var handle = new ProcessGroupHandle(NativeMethods.CheckHandle(NativeMethods.ex_gloo_new(
            store, options.Rank, options.WorldSize, timeout, options.DeviceAddress)));
        return new ProcessGroup(handle, options.Rank, options.WorldSize);
    }

    /// <summary>This process's rank, 0 to <see cref="WorldSize"/> - 1.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks in the group.</summary>
    public int WorldSize { get; }

    /// <summary>Whether the group was disposed.</summary>
    public bool IsDisposed => _handle.IsClosed;

    /// <summary>
    /// Replaces each tensor, in place, by its sum over all ranks. The tensors (CPU, any shape and dtype Gloo sums,
    /// each its own collective) must match rank for rank.
    /// </summary>
    public unsafe void AllReduceSum(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var handles = new nint[tensors.Length];
        for (int k = 0; k < tensors.Length; k++)
        {
            handles[k] = (tensors[k] ?? throw new ArgumentNullException(nameof(tensors), $"tensor {k} is null")).NativeHandle;
        }
        fixed (nint* p = handles)
        {
            NativeMethods.Check(NativeMethods.ex_pg_allreduce_sum(Handle, p, handles.Length) != 0);
        }
        GC.KeepAlive(tensors);
    }

    /// <summary>Overwrites <paramref name="tensor"/>, in place, with rank <paramref name="root"/>'s (same shape and dtype on every rank).</summary>
    public void Broadcast(Tensor tensor, int root)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (root < 0 || root >= WorldSize) throw new ArgumentOutOfRangeException(nameof(root), root, $"a rank in [0, {WorldSize})");
        NativeMethods.Check(NativeMethods.ex_pg_broadcast(Handle, tensor.NativeHandle, root) != 0);
        GC.KeepAlive(tensor);
    }

    /// <summary>Returns once every rank has entered the barrier.</summary>
    public void Barrier() => NativeMethods.Check(NativeMethods.ex_pg_barrier(Handle) != 0);

    /// <summary>Leaves the group: frees its connections and threads once its pending collectives have ended.</summary>
    public void Dispose() => _handle.Dispose();

    private ProcessGroupHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }
}
