using System.Security.Cryptography;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Envoy.Api;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Server;

/// <summary>
/// Reads every resource file of a directory (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>, in any shape
/// <c>--config</c> reads) into one snapshot. A file that does not parse keeps its last good
/// content and is reported with file, line and field; a name defined in two files is served from
/// the first (by file name) and reported.
/// </summary>
public sealed partial class ResourceDirectory(string directory, ILogger log)
{
    private readonly Dictionary<string, EnvoyResources> _lastGood = new(StringComparer.Ordinal);

    /// <summary>The directory read.</summary>
    public string Directory => directory;

    /// <summary>Reads the directory now.</summary>
    public Dictionary<string, SortedDictionary<string, ServedResource>> Read()
    {
        var files = System.IO.Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var gone in _lastGood.Keys.Except(files).ToList())
            _lastGood.Remove(gone);
        var result = ServedSnapshot.PushOrder.ToDictionary(t => t, _ => new SortedDictionary<string, ServedResource>(StringComparer.Ordinal));
        foreach (var file in files)
        {
            try
            {
                _lastGood[file] = EnvoyConfigFile.Load(file);
                foreach (var warning in _lastGood[file].Warnings)
                    LogFileWarning(log, warning.ToString());
            }
            catch (Exception e) when (e is ConfigParseException or IOException or UnauthorizedAccessException)
            {
                LogFileRejected(log, e.Message, _lastGood.ContainsKey(file) ? "its last good content" : "nothing from it");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A reader bug on one file must not take the server, or the other files, down.
                LogFileRejected(log, $"{file}: kmesh failed reading it ({e.GetType().Name}: {e.Message}); this is a bug, please report it",
                    _lastGood.ContainsKey(file) ? "its last good content" : "nothing from it");
            }
            if (!_lastGood.TryGetValue(file, out var resources))
                continue;
            Add(result, EnvoyTypes.Cluster, resources.Clusters.Select(c => (c.Name, (IMessage)c)), resources, file);
            Add(result, EnvoyTypes.ClusterLoadAssignment, resources.Endpoints.Select(e => (e.ClusterName, (IMessage)e)), resources, file);
            Add(result, EnvoyTypes.Listener, resources.Listeners.Select(l => (l.Name, (IMessage)l)), resources, file);
            Add(result, EnvoyTypes.RouteConfiguration, resources.Routes.Select(r => (r.Name, (IMessage)r)), resources, file);
        }
        return result;
    }

    private void Add(Dictionary<string, SortedDictionary<string, ServedResource>> result, string typeUrl, IEnumerable<(string Name, IMessage Message)> items,
        EnvoyResources resources, string file)
    {
        foreach (var (name, message) in items)
        {
            if (name.Length == 0)
            {
                LogUnnamed(log, file, typeUrl);
                continue;
            }
            if (!result[typeUrl].TryAdd(name, Pack(name, message, resources.ResourceVersions.GetValueOrDefault((typeUrl, name)))))
                LogDuplicate(log, file, typeUrl, name);
        }
    }

    /// <summary>
    /// The served version is a hash of the resource's bytes, so that a re-read file pushes nothing
    /// and an edit always does; a Resource wrapper's own version (a delta golden file's) leads it,
    /// so a client and its logs show the version the file gave.
    /// </summary>
    private static ServedResource Pack(string name, IMessage message, string? fileVersion)
    {
        var body = Any.Pack(message);
        var hash = Convert.ToHexString(SHA256.HashData(body.Value.Span))[..12].ToLowerInvariant();
        return new ServedResource(name, body, fileVersion is null ? hash : $"{fileVersion}/{hash}");
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Error, Message = "{Reason}; serving {Kept}")]
    private static partial void LogFileRejected(ILogger logger, string reason, string kept);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "{File}: a {Type} has no name; not served")]
    private static partial void LogUnnamed(ILogger logger, string file, string type);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "{File}: {Type} '{Name}' is already defined in an earlier file; this one is not served")]
    private static partial void LogDuplicate(ILogger logger, string file, string type, string name);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogFileWarning(ILogger logger, string warning);
}
