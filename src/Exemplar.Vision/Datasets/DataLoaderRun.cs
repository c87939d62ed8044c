using System.Runtime.ExceptionServices;

namespace Exemplar.Vision.Datasets;

/// <summary>
/// One epoch being read with background workers. Workers take batch numbers in increasing order, each building a whole
/// batch, and may run at most <see cref="DataLoaderOptions.Prefetch"/> batches ahead of the reader; the reader takes
/// the batches in order. After a failure no new batch is started; the reader meets the error at the failed batch.
/// Disposing stops the workers, waits for them and frees every batch the reader did not take.
/// </summary>
internal sealed class DataLoaderRun : IDisposable
{
    private readonly DataLoader _loader;
    private readonly int _epoch;
    private readonly int[][] _batches;
    private readonly int _firstBatch; // the epoch position of _batches[0]
    private readonly TaskCompletionSource<SegmentationBatch>[] _results;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop;
    private readonly Thread[] _workers;
    private int _next = -1;
    private int _taken;
    private volatile bool _failed;

    internal DataLoaderRun(DataLoader loader, int epoch, int firstBatch, int[][] batches, CancellationToken cancellation)
    {
        _loader = loader;
        _epoch = epoch;
        _batches = batches;
        _firstBatch = firstBatch;
        _results = batches.Select(_ => new TaskCompletionSource<SegmentationBatch>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        _slots = new SemaphoreSlim(loader.Options.Prefetch);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        _workers = new Thread[Math.Min(loader.Options.Workers, Math.Max(batches.Length, 1))];
        for (int w = 0; w < _workers.Length; w++)
        {
            _workers[w] = new Thread(Work) { IsBackground = true, Name = $"DataLoader worker {w}" };
            _workers[w].Start();
        }
    }

    /// <summary>Waits for batch <paramref name="b"/> (which must be the next one) and hands it to the reader.</summary>
    internal SegmentationBatch Take(int b)
    {
        var task = _results[b].Task;
        _stop.Token.ThrowIfCancellationRequested();
        try
        {
            task.Wait(_stop.Token);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        _taken = b + 1;
        _slots.Release();
        return task.Result;
    }

    private void Work()
    {
        var token = _stop.Token;
        while (true)
        {
            try
            {
                _slots.Wait(token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_failed) return;
            int b = Interlocked.Increment(ref _next);
            if (b >= _batches.Length) return;
            try
            {
                var batch = _loader.BuildBatch(_epoch, _firstBatch + b, _batches[b], token);
                if (!_results[b].TrySetResult(batch)) batch.Dispose();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                _results[b].TrySetCanceled(token);
                return;
            }
            catch (Exception e)
            {
                _failed = true;
                _results[b].TrySetException(e);
                return;
            }
        }
    }

    /// <summary>Stops the workers, waits for them, and frees the batches built but not taken.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        foreach (var worker in _workers) worker.Join();
        for (int b = _taken; b < _results.Length; b++)
        {
            var task = _results[b].Task;
            if (task.Status == TaskStatus.RanToCompletion) task.Result.Dispose();
        }
        _stop.Dispose();
        _slots.Dispose();
    }
}
