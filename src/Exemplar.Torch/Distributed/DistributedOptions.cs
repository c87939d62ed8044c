using System.Globalization;

namespace Exemplar.Torch.Distributed;

/// <summary>
/// Where and as whom a process joins a distributed job: its <paramref name="Rank"/> among <paramref name="WorldSize"/>
/// processes, which meet at the key-value store that rank 0 serves on <see cref="MasterAddress"/>:<see cref="MasterPort"/>.
/// </summary>
/// <param name="Rank">This process's rank, 0 to <paramref name="WorldSize"/> - 1; rank 0 is the master.</param>
/// <param name="WorldSize">The number of processes in the job (at least 1).</param>
public sealed record DistributedOptions(int Rank, int WorldSize)
{
    /// <summary>The default <see cref="MasterPort"/>, as in PyTorch.</summary>
    public const int DefaultMasterPort = 29500;

    /// <summary>The default <see cref="Timeout"/>, as PyTorch's for Gloo process groups.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The address (or host name) of rank 0, which serves the store every rank meets at.</summary>
    public string MasterAddress { get; init; } = "127.0.0.1";

    /// <summary>The TCP port of the store on <see cref="MasterAddress"/>.</summary>
    public int MasterPort { get; init; } = DefaultMasterPort;

    /// <summary>
    /// How long joining, and each collective, may wait for the other ranks before failing with a
    /// <see cref="TorchException"/> (for example when a rank never joins or has gone).
    /// </summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// The address (or host name) of this machine that the other ranks reach it at. Null: the loopback when
    /// <see cref="MasterAddress"/> is a loopback address (a single-machine job), otherwise this machine's host name.
    /// </summary>
    public string? LocalAddress { get; init; }

    /// <summary>
    /// The options that a launcher such as <c>torchrun</c> gives through the environment: <c>RANK</c>, <c>WORLD_SIZE</c>,
    /// <c>MASTER_ADDR</c> (default 127.0.0.1) and <c>MASTER_PORT</c> (default 29500); null when <c>WORLD_SIZE</c> is not set
    /// (the process is not part of a distributed job).
    /// </summary>
    /// <exception cref="FormatException">A variable is malformed or out of range, or <c>RANK</c> is missing; the message names it.</exception>
    public static DistributedOptions? FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary><see cref="FromEnvironment()"/> reading the variables through <paramref name="lookup"/> (for tests).</summary>
    internal static DistributedOptions? FromEnvironment(Func<string, string?> lookup)
    {
        string? worldText = lookup("WORLD_SIZE");
        if (string.IsNullOrWhiteSpace(worldText)) return null;
        int worldSize = ParseInt("WORLD_SIZE", worldText, 1, int.MaxValue);

        string? rankText = lookup("RANK");
        if (string.IsNullOrWhiteSpace(rankText)) throw new FormatException($"WORLD_SIZE is set ({worldSize}) but RANK is not");
        int rank = ParseInt("RANK", rankText, 0, worldSize - 1);

        string? address = lookup("MASTER_ADDR");
        string? portText = lookup("MASTER_PORT");
        return new DistributedOptions(rank, worldSize)
        {
            MasterAddress = string.IsNullOrWhiteSpace(address) ? "127.0.0.1" : address.Trim(),
            MasterPort = string.IsNullOrWhiteSpace(portText) ? DefaultMasterPort : ParseInt("MASTER_PORT", portText, 1, 65535),
        };
    }

    /// <summary>Checks the options before any connection is attempted.</summary>
    internal void Validate()
    {
        if (WorldSize < 1) throw new ArgumentOutOfRangeException(nameof(WorldSize), WorldSize, "at least one process");
        if (Rank < 0 || Rank >= WorldSize) throw new ArgumentOutOfRangeException(nameof(Rank), Rank, $"rank must be in [0, {WorldSize})");
        if (string.IsNullOrWhiteSpace(MasterAddress)) throw new ArgumentException("the master address is empty", nameof(MasterAddress));
        if (MasterPort is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(MasterPort), MasterPort, "a TCP port, 1 to 65535");
        if (Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "a positive duration");
    }

    /// <summary>The address Gloo binds this rank's connections to (empty: libtorch picks the host name, or the loopback).</summary>
    internal string DeviceAddress => LocalAddress ?? (IsLoopback(MasterAddress) ? "127.0.0.1" : "");

    /// <summary>The timeout in whole milliseconds, at least 1.</summary>
    internal long TimeoutMilliseconds => Math.Max(1, (long)Math.Ceiling(Timeout.TotalMilliseconds));

    private static bool IsLoopback(string address) =>
        address.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (System.Net.IPAddress.TryParse(address, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    private static int ParseInt(string variable, string text, int min, int max)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
        {
            throw new FormatException($"{variable}='{text}' is not a non-negative integer");
        }
        if (value < min || value > max) throw new FormatException($"{variable}={value} is out of range [{min}, {max}]");
        return value;
    }
}
