namespace Exemplar.Web;

/// <summary>A request's deadline: its timeout or the client going away, whichever comes first.</summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _clientGone;

    public RequestDeadline(HttpContext context, TimeSpan timeout)
    {
        _clientGone = context.RequestAborted;
        _source = CancellationTokenSource.CreateLinkedTokenSource(_clientGone);
        _source.CancelAfter(timeout);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>Whether it fired because time ran out (not because the client left).</summary>
    public bool TimedOut => _source.IsCancellationRequested && !_clientGone.IsCancellationRequested;

    public void Dispose() => _source.Dispose();
}
