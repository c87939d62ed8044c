namespace Exemplar.Web;

/// <summary>
/// A bounded queue in front of the model: at most <see cref="ExemplarWebOptions.Concurrency"/> runs at once and
/// <see cref="ExemplarWebOptions.QueueLength"/> waiting; a request beyond that is refused at once (429) rather than
/// piling up memory, and one that waits past its deadline gives up (503).
/// </summary>
public sealed class WorkQueue : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _capacity;
    private int _admitted;

    /// <summary>A queue with the options' limits.</summary>
    public WorkQueue(ExemplarWebOptions options)
    {
        _slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        _capacity = options.Concurrency + options.QueueLength;
    }

    /// <summary>Requests running or waiting now.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool when a slot is free. The work itself is not interrupted (ONNX
    /// Runtime runs to the end) but the caller stops waiting for it when <paramref name="cancellationToken"/> fires;
    /// its slot stays taken until it ends, so the bound holds.
    /// </summary>
    internal async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _admitted) > _capacity)
        {
            Interlocked.Decrement(ref _admitted);
            throw new WebProblemException(StatusCodes.Status429TooManyRequests, "Too many requests", $"the server is busy ({_capacity} requests running or queued); retry later") { RetryAfterSeconds = 2 };
        }
        bool entered = false;
        try
        {
            await _slots.WaitAsync(cancellationToken);
            entered = true;
        }
        finally
        {
            if (!entered) Interlocked.Decrement(ref _admitted);
        }
        var task = Task.Run(() =>
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                return work();
            }
            finally
            {
                _slots.Release();
                Interlocked.Decrement(ref _admitted);
            }
        }, CancellationToken.None);
        return await task.WaitAsync(cancellationToken);
    }

    /// <summary>Frees the semaphore.</summary>
    public void Dispose() => _slots.Dispose();
}
