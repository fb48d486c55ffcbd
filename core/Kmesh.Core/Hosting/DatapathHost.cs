using Kmesh.Core.Datapath;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>
/// Owns the kernel datapath for the daemon's lifetime: loads and attaches the chain at start
/// (after the config source read its first configuration, so a broken file stops the start
/// before anything touches the kernel) and detaches it and removes the pins at stop, after
/// every service that writes to it has stopped.
/// </summary>
public sealed partial class DatapathHost(IDatapathFactory factory, ConfigSourceHost source, DaemonOptions options, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _log = loggers.CreateLogger("kmesh");
    private IDatapath? _datapath;

    /// <summary>The datapath; only once the host started.</summary>
    public IDatapath Datapath => _datapath ?? throw new InvalidOperationException("the datapath is not started");

    /// <summary>True once the chain is attached.</summary>
    public bool Started => _datapath is not null;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = source.Source; // a config file is read (and a broken one refused) before the kernel is touched
        _datapath = factory.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_datapath is null)
            return Task.CompletedTask;
        var kept = _datapath.KeepsRunning;
        _datapath.Dispose();
        _datapath = null;
        if (kept)
        {
            LogStoppedKept(_log, options.CgroupPath, options.PinFolder);
        }
        else
        {
            DeleteIds();
            LogStopped(_log, options.CgroupPath);
        }
        return Task.CompletedTask;
    }

    /// <summary>The mesh ids saved for a successor describe a data path that is gone now.</summary>
    private void DeleteIds()
    {
        try
        {
            MeshIdsFile.Delete(options.PinFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogIdsNotDeleted(_log, MeshIdsFile.PathFor(options.PinFolder), e.Message);
        }
    }

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Could not remove {Path}: {Reason}")]
    private static partial void LogIdsNotDeleted(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Stopped: detached from {Cgroup}, pins removed")]
    private static partial void LogStopped(ILogger logger, string cgroup);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Stopped: the data path keeps serving {Cgroup} (pins in {PinFolder}; the next kmesh run adopts it, kmesh uninstall removes it)")]
    private static partial void LogStoppedKept(ILogger logger, string cgroup, string pinFolder);
}
