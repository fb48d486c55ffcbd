using System.Collections.Concurrent;

namespace Kmesh.Xds.Ads;

/// <summary>
/// What an operator asks of the xDS connection: is the stream up, which version of each type
/// is in force, how many responses were ACKed and NACKed, and why the last NACK. Written by the
/// ADS client, read by the admin API and metrics; thread-safe, never blocks the stream.
/// </summary>
public sealed class XdsStatus
{
    private readonly ConcurrentDictionary<string, string> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Type, bool Accepted), long> _responses = new();
    private volatile XdsNack? _lastNack;
    private volatile bool _connected;

    /// <summary>True while a stream is open and the server has answered on it.</summary>
    public bool Connected => _connected;

    /// <summary>The version in force per type (<c>clusters</c>, <c>endpoints</c>, <c>listeners</c>, <c>routes</c>).</summary>
    public IReadOnlyDictionary<string, string> AcceptedVersions => new SortedDictionary<string, string>(_accepted, StringComparer.Ordinal);

    /// <summary>Responses by type and verdict since start.</summary>
    public IReadOnlyDictionary<(string Type, bool Accepted), long> Responses => new Dictionary<(string, bool), long>(_responses);

    /// <summary>The last refused response, or null.</summary>
    public XdsNack? LastNack => _lastNack;

    internal void StreamAnswered() => _connected = true;

    internal void StreamEnded() => _connected = false;

    /// <summary>A type's version is in the kernel (the ACK, <see cref="Responded"/>, follows once the engine answers).</summary>
    internal void InForce(string typeUrl, string version) => _accepted[TypeName(typeUrl)] = version;

    internal void Responded(string typeUrl, string version, bool accepted, string? detail)
    {
        var type = TypeName(typeUrl);
        _responses.AddOrUpdate((type, accepted), 1, (_, n) => n + 1);
        if (accepted)
            _accepted[type] = version;
        else
            _lastNack = new XdsNack(type, DateTimeOffset.UtcNow, detail ?? "");
    }

    /// <summary>The plural name operators know a type by (as in Envoy's config dump).</summary>
    public static string TypeName(string typeUrl) => XdsTypes.Short(typeUrl) switch
    {
        "lds" => "listeners",
        "cds" => "clusters",
        "eds" => "endpoints",
        "rds" => "routes",
        var other => other,
    };
}

/// <summary>A refused xDS response.</summary>
/// <param name="Type">The resource type (<c>clusters</c>...).</param>
/// <param name="At">When.</param>
/// <param name="Detail">The error_detail sent to the server.</param>
public sealed record XdsNack(string Type, DateTimeOffset At, string Detail);
