using Kmesh.Xds.Ads;

namespace Kmesh.Core.Hosting;

/// <summary>
/// What the update loop publishes for everyone else (the admin API, metrics, the access log):
/// readiness, the configuration in force and the source's state. Written only by the loop;
/// each property is an immutable value swapped whole, so readers never see half an update.
/// </summary>
public sealed class DaemonStatus(TimeProvider time)
{
    private volatile Readiness _readiness = Readiness.Starting;
    private volatile AppliedConfig? _current;

    /// <summary>When the daemon started.</summary>
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>Whether the node serves its configuration, and why not.</summary>
    public Readiness Readiness => _readiness;

    /// <summary>The configuration in force; null before the first one.</summary>
    public AppliedConfig? Current => _current;

    /// <summary>The config source, for logs and status (a path or an xDS address).</summary>
    public string SourceDescription { get; internal set; } = "";

    /// <summary>The xDS connection's state; null when the source is a file.</summary>
    public XdsStatus? Xds { get; internal set; }

    /// <summary>Raised on the loop after each update went into the kernel: how long translating and writing took, and whether every plugin took it.</summary>
    public event Action<TimeSpan, bool>? Applied;

    internal void Publish(AppliedConfig applied, TimeSpan duration)
    {
        _current = applied;
        Applied?.Invoke(duration, applied.PluginErrors.Count == 0);
    }

    internal void Publish(Readiness readiness) => _readiness = readiness;
}
