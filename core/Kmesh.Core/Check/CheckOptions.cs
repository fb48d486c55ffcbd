namespace Kmesh.Core.Check;

/// <summary>How <see cref="ConfigCheck"/> runs.</summary>
public sealed record CheckOptions
{
    /// <summary>
    /// Resolve the host names of DNS clusters now, as the daemon would; by default each stands
    /// for one address of its own, so the check is offline and its output the same everywhere.
    /// </summary>
    public bool ResolveDns { get; init; }
}
