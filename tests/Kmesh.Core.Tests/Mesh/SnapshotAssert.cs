using Kmesh.Sdk.Snapshot;

namespace Kmesh.Core.Tests.Mesh;

/// <summary>Two snapshots hold the same configuration: the same listeners in the same order, the same entries in every dictionary (in the same order).</summary>
public static class SnapshotAssert
{
    public static void Same(MeshSnapshot expected, MeshSnapshot actual)
    {
        Assert.Equal(expected.Listeners.Count, actual.Listeners.Count);
        for (var i = 0; i < expected.Listeners.Count; i++)
            Assert.Equal(expected.Listeners[i], actual.Listeners[i]);
        Assert.Equal(expected.ListenersByName.Keys, actual.ListenersByName.Keys);
        Entries(expected.Clusters, actual.Clusters);
        Entries(expected.Endpoints, actual.Endpoints);
        Entries(expected.Routes, actual.Routes);
        Assert.Same(expected.Ids, actual.Ids);
    }

    private static void Entries<T>(IReadOnlyDictionary<string, T> expected, IReadOnlyDictionary<string, T> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, value) in expected)
            Assert.True(Equals(value, actual[name]), $"entry {name} differs");
    }
}
