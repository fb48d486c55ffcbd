using Kmesh.Core.Hosting;
using Kmesh.Xds;
using Kmesh.Xds.Sources;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>A config source the test drives: its first config, then offers the test makes through <see cref="OfferAsync"/>.</summary>
internal sealed class ScriptedSource(ConfigUpdate? initial) : IConfigSource, IConfigSourceFactory
{
    private readonly TaskCompletionSource<IConfigSink> _sink = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Description => "scripted";
    public ConfigUpdate? Initial => initial;
    public IConfigSource Create() => this;

    public async Task RunAsync(IConfigSink sink, CancellationToken cancellationToken)
    {
        _sink.TrySetResult(sink);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>Offers an update as a source would, and returns the daemon's verdict.</summary>
    public async Task<ConfigVerdict> OfferAsync(ConfigUpdate update) =>
        await (await _sink.Task.WaitAsync(TimeSpan.FromSeconds(10))).OfferAsync(update, CancellationToken.None);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Resources with clusters of these names (and nothing else).</summary>
    public static EnvoyResources Clusters(params string[] names) =>
        new([], names.Select(n => new global::Envoy.Config.Cluster.V3.Cluster { Name = n }).ToList(), [], [], null);
}
