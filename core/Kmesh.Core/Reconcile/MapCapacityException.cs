namespace Kmesh.Core.Reconcile;

/// <summary>The configuration needs more entries than a map can hold; nothing was truncated.</summary>
public sealed class MapCapacityException(string plugin, string map, int capacity, int needed)
    : Exception($"map {map} of plugin {plugin} holds at most {capacity} entries but the configuration needs {needed}; " +
                $"raise it with --map-capacity {plugin}.{map}={NextPowerOfTwo(needed)}")
{
    /// <summary>The plugin owning the map.</summary>
    public string Plugin { get; } = plugin;

    /// <summary>The map's name.</summary>
    public string Map { get; } = map;

    private static int NextPowerOfTwo(int n) => (int)Math.Min(int.MaxValue, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)n));
}
