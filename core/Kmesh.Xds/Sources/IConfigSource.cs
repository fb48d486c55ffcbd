namespace Kmesh.Xds.Sources;

/// <summary>
/// Where the daemon's configuration comes from: a watched file or an ADS stream. A source hands
/// the daemon complete, warmed <see cref="EnvoyResources"/> through an <see cref="IConfigSink"/>
/// and learns whether they were applied, so that a control plane can be answered (ACK/NACK).
/// </summary>
public interface IConfigSource : IAsyncDisposable
{
    /// <summary>What this source reads, for logs (a path, or an xDS server address).</summary>
    string Description { get; }

    /// <summary>
    /// The first configuration when the source has it before the daemon starts (a file: read
    /// and checked at construction, so a broken file stops the start); null when it arrives later
    /// through <see cref="RunAsync"/> (ADS).
    /// </summary>
    ConfigUpdate? Initial { get; }

    /// <summary>Offers every later configuration to <paramref name="sink"/> until cancelled.</summary>
    Task RunAsync(IConfigSink sink, CancellationToken cancellationToken);
}
