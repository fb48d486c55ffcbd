using System.Text.Json;

namespace Kmesh.Sdk.Testing;

/// <summary>The outcome of <see cref="SandboxClient.DialAsync"/>: who answered how often, and which errors occurred.</summary>
public sealed class DialResult
{
    internal DialResult(IReadOnlyDictionary<string, int> histogram, IReadOnlyDictionary<string, int> errors)
    {
        Histogram = histogram;
        Errors = errors;
    }

    /// <summary>Backend name → number of connections it answered.</summary>
    public IReadOnlyDictionary<string, int> Histogram { get; }

    /// <summary>
    /// Errno name → number of connections that failed with it: connect errors exactly as the
    /// kernel gave them (ECONNREFUSED, ENETUNREACH, EPERM, ...); ETIMEDOUT when the connect or the
    /// backend's name did not come within the timeout; EOF when the peer closed without a name.
    /// </summary>
    public IReadOnlyDictionary<string, int> Errors { get; }

    /// <summary>Connections answered by the backend named <paramref name="name"/>.</summary>
    public int Count(string name) => Histogram.GetValueOrDefault(name);

    /// <summary>Connections that failed with <paramref name="errno"/>, e.g. "ECONNREFUSED".</summary>
    public int ErrorCount(string errno) => Errors.GetValueOrDefault(errno);

    /// <summary>Connections that reached a backend.</summary>
    public int Succeeded => Histogram.Values.Sum();

    /// <summary>Connections that failed.</summary>
    public int Failed => Errors.Values.Sum();

    /// <summary>All connections tried.</summary>
    public int Total => Succeeded + Failed;

    /// <summary>E.g. "b1=3 b2=2 ECONNREFUSED=1", handy in assertion messages.</summary>
    public override string ToString() =>
        string.Join(' ', Histogram.Concat(Errors).Select(kv => $"{kv.Key}={kv.Value}")) is { Length: > 0 } s ? s : "(nothing)";

    internal static DialResult Parse(JsonElement reply) =>
        new(Counts(reply.GetProperty("histogram")), Counts(reply.GetProperty("errors")));

    internal static IReadOnlyDictionary<string, int> Counts(JsonElement element) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
}
