namespace Kmesh.Bench;

public sealed record RequestSample(string Mode, int Conns, string Variant, int Round, WrkResult Result);

public sealed record ConnectSample(int Services, string Variant, ConnectResult Result, double? BpfNsPerConnect);

public sealed record PushSample(int Services, int Endpoints, double AppliedMs, double SeenMs, double CpuSeconds, double RssMiB, int ConfigBytes);

public sealed record ChangeSample(int Services, double SeenMs, double AppliedMs);

public sealed record IdleSample(string What, double RssMiB, double CpuPercent);

/// <summary>Everything one run measured, for the report.</summary>
public sealed class Results
{
    public string Machine { get; set; } = "";
    public bool Quick { get; set; }
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
    public Dictionary<int, double> IptablesLoadSeconds { get; } = [];
    public Dictionary<int, double> CpuPerChange { get; } = [];
    public string? Micro { get; set; }

    public void Add(RequestSample s)
    {
        lock (Requests)
            Requests.Add(s);
    }
}
