namespace Kmesh.Core.Datapath;

/// <summary>Where and how the datapath goes into the kernel.</summary>
public sealed record DatapathOptions
{
    /// <summary>The cgroup v2 directory whose processes' connects are governed.</summary>
    public required string CgroupPath { get; init; }

    /// <summary>This instance's bpffs folder; shared maps are pinned here and removed at stop.</summary>
    public required string PinFolder { get; init; }

    /// <summary>Folder holding the core's own objects (connect.bpf.o, getpeername.bpf.o).</summary>
    public string CoreObjectFolder { get; init; } = AppContext.BaseDirectory;

    /// <summary>Refuse (instead of pass) a connect to a service for which the chain chose no endpoint.</summary>
    public bool FailClosed { get; init; }

    /// <summary>Map capacities by <c>plugin.map</c>, overriding what the objects declare.</summary>
    public IReadOnlyDictionary<string, uint> MapCapacities { get; init; } = new Dictionary<string, uint>();

    /// <summary>The operator's arguments by plugin name (<c>--plugin-arg</c>).</summary>
    public IReadOnlyDictionary<string, Kmesh.Sdk.Translation.PluginArguments> PluginArguments { get; init; } = new Dictionary<string, Kmesh.Sdk.Translation.PluginArguments>();
}
