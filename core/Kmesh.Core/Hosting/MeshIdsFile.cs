using System.Text.Json;
using Kmesh.Core.Datapath;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Core.Hosting;

/// <summary>
/// The mesh ids (service, cluster, endpoint) an instance handed out, saved beside its instance
/// lock (bpffs holds only BPF objects), so that a successor adopting the pin folder writes the
/// ids the maps - and the runtime state keyed by them: buckets, breaker and least-request counts,
/// ejections - already hold, whatever order its config source lists resources in.
/// </summary>
public static class MeshIdsFile
{
    /// <summary>Where the ids of the instance on <paramref name="pinFolder"/> are saved.</summary>
    public static string PathFor(string pinFolder) => InstanceLock.StatePath(pinFolder, "ids.json");

    /// <summary>Writes the ids (aside, then renamed over: a reader finds the old file or the new one).</summary>
    public static void Save(string path, StableMeshIds ids)
    {
        var document = new SavedIds(ids.ServiceNames(), ids.ClusterNames(), ids.EndpointNames());
        var aside = path + ".tmp";
        File.WriteAllBytes(aside, JsonSerializer.SerializeToUtf8Bytes(document));
        File.Move(aside, path, overwrite: true);
    }

    /// <summary>The saved ids; null when none were saved. Throws <see cref="IOException"/> naming the file when it cannot be read.</summary>
    public static StableMeshIds? Load(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            var saved = JsonSerializer.Deserialize<SavedIds>(File.ReadAllBytes(path))
                ?? throw new JsonException("empty document");
            return StableMeshIds.Restore(saved.Services ?? [], saved.Clusters ?? [], saved.Endpoints ?? []);
        }
        catch (JsonException e)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Removes the saved ids (the data path they describe is gone); no-op when there are none.</summary>
    public static void Delete(string pinFolder) => File.Delete(PathFor(pinFolder));

    private sealed record SavedIds(IReadOnlyList<string>? Services, IReadOnlyList<string>? Clusters, IReadOnlyList<string>? Endpoints);
}
