using System.Runtime.InteropServices;

namespace Exemplar.Torch.Native;

/// <summary>P/Invoke declarations for the distributed part of the shim (c10d store and Gloo process group).</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int ex_distributed_available();

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ex_tcp_store_new(string host, int port, int worldSize, int isMaster, long timeoutMs);
    [LibraryImport(Lib)] internal static partial void ex_store_free(nint store);

    // The collectives take the SafeHandle itself, not its raw value: the marshaller holds a reference for the whole
    // call, so a Dispose on another thread while a collective blocks waits for it instead of freeing the group under it.
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ex_gloo_new(StoreHandle store, int rank, int worldSize, long timeoutMs, string hostname);
    [LibraryImport(Lib)] internal static partial void ex_process_group_free(nint group);
    [LibraryImport(Lib)] internal static partial int ex_pg_rank(ProcessGroupHandle group);
    [LibraryImport(Lib)] internal static partial int ex_pg_size(ProcessGroupHandle group);
    [LibraryImport(Lib)] internal static unsafe partial int ex_pg_allreduce_sum(ProcessGroupHandle group, nint* tensors, long n);
    [LibraryImport(Lib)] internal static partial int ex_pg_broadcast(ProcessGroupHandle group, nint tensor, int root);
    [LibraryImport(Lib)] internal static partial int ex_pg_barrier(ProcessGroupHandle group);
}
