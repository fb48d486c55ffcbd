namespace Kmesh.Ctl.Documents;

/// <summary><c>GET /status</c>.</summary>
internal sealed record StatusDocument(
    bool Ready,
    IReadOnlyList<string>? Reasons,
    double UptimeSeconds,
    string? Cgroup,
    string? PinFolder,
    SourceStatus? Source,
    ConfigStatus? Config,
    IReadOnlyList<ChainEntry>? Chain);

/// <summary>Where the config comes from: a watched file or a control plane.</summary>
internal sealed record SourceStatus(
    string? Kind,
    string? Description,
    bool? Connected,
    IReadOnlyDictionary<string, string>? Versions,
    NackStatus? LastNack);

/// <summary>The last response the daemon refused.</summary>
internal sealed record NackStatus(string? Type, DateTimeOffset? At, string? Detail);

/// <summary>The config in force.</summary>
internal sealed record ConfigStatus(
    string? Version, DateTimeOffset? AppliedAt, int Listeners, int Clusters, int Endpoints, int Routes);

/// <summary>One plugin of the chain as /status shows it.</summary>
internal sealed record ChainEntry(string Name, string? Version, string? Abi, bool Active, string? Detail);
