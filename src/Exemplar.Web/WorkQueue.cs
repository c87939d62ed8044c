namespace Exemplar.Web;

/// <summary>
/// A bounded queue in front of the model: at most <see cref="ExemplarWebOptions.Concurrency"/> runs at once and
/// <see cref="ExemplarWebOptions.QueueLength"/> waiting; a request beyond that is refused at once (429) rather than
/// piling up memory, and one that waits past its deadline gives up (503).
/// </summary>
public sealed class WorkQueue : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _concurrency;
    private readonly int _capacity;
    private int _admitted;

    /// <summary>
    /// A queue with the options' limits. It takes the model and the prompt store only so that the container creates them
    /// first and disposes them after the queue, whose disposal waits for the runs still using them.
    /// </summary>
    public WorkQueue(ExemplarWebOptions options, ModelService model, PromptStore prompts)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        _concurrency = options.Concurrency;
        _slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        _capacity = options.Concurrency + options.QueueLength;
    }

    /// <summary>Requests running or waiting now.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool when a slot is free. The work itself is not interrupted (ONNX
    /// Runtime runs to the end) but the caller stops waiting for it when <paramref name="cancellationToken"/> fires;
    /// its slot stays taken until it ends, so the bound holds. <paramref name="cleanup"/> runs once, after the work (so
    /// what the work uses, a prompt say, is not freed under it when the caller gives up) or at once if it never starts.
    /// </summary>
    internal async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken, Action? cleanup = null)
    {
        if (Interlocked.Increment(ref _admitted) > _capacity)
        {
            Interlocked.Decrement(ref _admitted);
            cleanup?.Invoke();
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
            if (!entered)
            {
                Interlocked.Decrement(ref _admitted);
                cleanup?.Invoke();
            }
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
                cleanup?.Invoke();
                _slots.Release();
                Interlocked.Decrement(ref _admitted);
            }
        }, CancellationToken.None);
        try
        {
            return await task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The caller stopped waiting but the run goes on: what it returns (a prompt holds native values) belongs to
            // no one, so free it when it ends.
            _ = task.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully && t.Result is IDisposable orphan) orphan.Dispose();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>
    /// Waits (up to a minute) for the runs in progress, whose callers may have stopped waiting: freeing the model under a
    /// run would crash the process rather than fail a request.
    /// </summary>
    public void Dispose()
    {
        for (int i = 0; i < _concurrency; i++) _slots.Wait(TimeSpan.FromMinutes(1));
    }
}
