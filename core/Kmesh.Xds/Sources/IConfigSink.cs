namespace Kmesh.Xds.Sources;

/// <summary>The daemon side of a config source: applies an update whole, or not at all.</summary>
public interface IConfigSink
{
    /// <summary>
    /// Validates and (when valid) applies <paramref name="update"/>; completes once the kernel
    /// holds it or it was refused. Never throws for bad content: a refusal is a verdict.
    /// </summary>
    Task<ConfigVerdict> OfferAsync(ConfigUpdate update, CancellationToken cancellationToken);
}
