namespace Kmesh.Bench;

/// <summary>One wrk run of the request path; <see cref="CpuUsPerRequest"/>: the proxy process's utime+stime per request served (null where there is no proxy process: direct, kmesh, iptables).</summary>
public sealed record RequestSample(string Mode, int Conns, string Variant, int Round, WrkResult Result, double? CpuUsPerRequest = null);

public sealed record ConnectSample(int Services, string Variant, ConnectResult Result, double? BpfNsPerConnect);

/// <summary>One config push; <see cref="Source"/> is "file", "ads-delta" or "ads-sotw"; <see cref="ServerCpuSeconds"/> is the ADS server's, null for the file.</summary>
public sealed record PushSample(string Source, int Services, int Endpoints, double AppliedMs, double SeenMs, double CpuSeconds, double RssMiB, int ConfigBytes, double? ServerCpuSeconds);

/// <summary>One one-endpoint change; <see cref="ServedMs"/>: when the ADS server published it (null for the file).</summary>
public sealed record ChangeSample(string Source, int Services, double SeenMs, double AppliedMs, double? ServedMs);

public sealed record IdleSample(string What, double RssMiB, double CpuPercent);

/// <summary>How much acc_counters grew during one run: connections put socket to socket, redirected sends, their bytes.</summary>
public sealed record AccDelta(ulong Connections, ulong Messages, ulong Bytes);

/// <summary>One same-node wrk run; <see cref="Acc"/> is null for direct, which the mesh never sees.</summary>
public sealed record SameNodeSample(int Conns, string Variant, int Round, WrkResult Result, AccDelta? Acc);

/// <summary>
/// One telemetry variant's block (Round = the cycle; all variants ran one block per cycle): bpf_stats of the connect hook per connect (entry + chain + commit)
/// and of the cgroup's sockops programs per connection made, their runs per connection, connect() p50 (ns).
/// </summary>
public sealed record TelemetrySample(string Variant, int Round, int Connections, int Errors, double ConnectNs, double SockOpsNs, double SockOpsRuns, double ConnectP50);

/// <summary>What a telemetry variant's daemon showed afterwards: connections counted in /metrics, access-log lines and drops.</summary>
public sealed record TelemetryCheck(string Variant, long Connections, double CountedOpened, long LogLines, long LogDropped);

/// <summary>Everything one run measured, for the report.</summary>
public sealed class Results
{
    public string Machine { get; set; } = "";
    public bool Quick { get; set; }

    /// <summary>Cycles section 2b ran (each measures every variant once).</summary>
    public int TelemetryCycles { get; set; }
    /// <summary>"telemetry" when only section 2b ran (<c>--only telemetry</c>); null for a whole run.</summary>
    public string? Only { get; set; }
    public double TotalSeconds { get; set; }
    public string EntryProgram { get; set; } = "";
    public IReadOnlyList<string> Variants { get; set; } = [];
    public IReadOnlyList<string> Chain { get; set; } = [];
    public string Build { get; set; } = "";
    public List<RequestSample> Requests { get; } = [];
    public List<ConnectSample> Connects { get; } = [];
    public List<PushSample> Pushes { get; } = [];
    public List<ChangeSample> Changes { get; } = [];
    public List<IdleSample> Idle { get; } = [];
    public List<SameNodeSample> SameNode { get; } = [];
    /// <summary>wrk's -d of the same-node runs, to turn req/s back into requests.</summary>
    public int SameNodeSeconds { get; set; }
    /// <summary>Why the same-node runs may not show acceleration (e.g. no accelerate plugin in the chain); null when they do.</summary>
    public string? SameNodeProblem { get; set; }
    public Dictionary<int, double> IptablesLoadSeconds { get; } = [];
    /// <summary>Daemon CPU seconds per one-endpoint change, by source and services.</summary>
    public Dictionary<(string Source, int Services), double> CpuPerChange { get; } = [];
    /// <summary>ADS server CPU seconds per one-endpoint change, by source and services.</summary>
    public Dictionary<(string Source, int Services), double> ServerCpuPerChange { get; } = [];
    /// <summary>The control-plane sources measured, in order.</summary>
    public List<string> Sources { get; } = [];
    /// <summary>Why an ADS variant has no figures (it failed; the file figures stand); null when it ran.</summary>
    public Dictionary<string, string> SourceProblems { get; } = [];
    public string? Micro { get; set; }
    public List<TelemetrySample> Telemetry { get; } = [];
    public List<TelemetryCheck> TelemetryChecks { get; } = [];
    /// <summary>The sockops program(s) attached to a telemetry variant's cgroup, for the report.</summary>
    public string SockOpsProgram { get; set; } = "";

    public void Add(RequestSample s)
    {
        lock (Requests)
            Requests.Add(s);
    }
}
