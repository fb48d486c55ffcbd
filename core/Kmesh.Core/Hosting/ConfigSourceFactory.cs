using Kmesh.Xds.Ads;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>The source the options name: a watched file, or a control plane over ADS.</summary>
public sealed class ConfigSourceFactory(DaemonOptions options, ILoggerFactory loggers) : IConfigSourceFactory
{
    /// <inheritdoc />
    public IConfigSource Create()
    {
        var log = loggers.CreateLogger("kmesh");
        if (options.Xds is { } xds)
            return new AdsConfigSource(xds, log);
        return new FileConfigSource(options.ConfigPath ?? throw new InvalidOperationException("a config file or an xDS server is needed"), log);
    }
}
