using System.Security.Cryptography;
using Exemplar.Runtime;

namespace Exemplar.Web;

/// <summary>
/// Prompts kept in memory under random ids: at most <see cref="ExemplarWebOptions.MaxPrompts"/>, each dropped
/// <see cref="ExemplarWebOptions.PromptLifetime"/> after its last use or when room is needed (least recently used
/// first). A prompt in use is freed only when its last lease ends.
/// </summary>
public sealed class PromptStore : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ExemplarWebOptions _options;
    private readonly TimeProvider _time;

    /// <summary>A store with the options' limits.</summary>
    public PromptStore(ExemplarWebOptions options, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Prompts held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Expire();
                return _entries.Count;
            }
        }
    }

    /// <summary>Stores a prompt (the store owns it from now on) and returns its id.</summary>
    public string Add(Prompt prompt)
    {
        // 128 random bits: ids cannot be guessed, so one client cannot use another's prompt.
        string id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        lock (_lock)
        {
            Expire();
            while (_entries.Count >= _options.MaxPrompts)
            {
                var oldest = _entries.MinBy(e => e.Value.LastUsed);
                Remove(oldest.Key);
            }
            _entries[id] = new Entry(prompt) { LastUsed = _time.GetUtcNow() };
        }
        return id;
    }

    /// <summary>The prompt with <paramref name="id"/>, held until the lease is disposed; null when unknown or expired.</summary>
    public PromptLease? Acquire(string id)
    {
        lock (_lock)
        {
            Expire();
            if (!_entries.TryGetValue(id, out var entry)) return null;
            entry.LastUsed = _time.GetUtcNow();
            entry.Leases++;
            return new PromptLease(this, entry);
        }
    }

    /// <summary>When a prompt not used from now on expires.</summary>
    public DateTimeOffset ExpiresFromNow => _time.GetUtcNow() + _options.PromptLifetime;

    private void Expire()
    {
        var cutoff = _time.GetUtcNow() - _options.PromptLifetime;
        foreach (var id in _entries.Where(e => e.Value.LastUsed < cutoff).Select(e => e.Key).ToList()) Remove(id);
    }

    private void Remove(string id)
    {
        var entry = _entries[id];
        _entries.Remove(id);
        entry.Removed = true;
        if (entry.Leases == 0) entry.Prompt.Dispose();
    }

    internal void Release(Entry entry)
    {
        lock (_lock)
        {
            entry.Leases--;
            if (entry.Removed && entry.Leases == 0) entry.Prompt.Dispose();
        }
    }

    /// <summary>Frees every prompt.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var entry in _entries.Values) entry.Prompt.Dispose();
            _entries.Clear();
        }
    }

    internal sealed class Entry(Prompt prompt)
    {
        public Prompt Prompt { get; } = prompt;
        public DateTimeOffset LastUsed { get; set; }
        public int Leases { get; set; }
        public bool Removed { get; set; }
    }
}

/// <summary>A prompt borrowed from the <see cref="PromptStore"/>; dispose it to give it back.</summary>
public sealed class PromptLease : IDisposable
{
    private readonly PromptStore _store;
    private readonly PromptStore.Entry _entry;
    private bool _disposed;

    internal PromptLease(PromptStore store, PromptStore.Entry entry)
    {
        _store = store;
        _entry = entry;
    }

    /// <summary>The prompt.</summary>
    public Prompt Prompt => _entry.Prompt;

    /// <summary>Gives the prompt back.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _store.Release(_entry);
    }
}
