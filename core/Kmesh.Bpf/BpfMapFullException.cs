namespace Kmesh.Bpf;

/// <summary>
/// An update needed a new element but the map is at capacity (E2BIG from hash maps,
/// ENOSPC from LPM tries). Distinct so callers can resize or shed instead of failing hard.
/// </summary>
public sealed class BpfMapFullException : BpfException
{
    /// <summary>Creates the exception for map <paramref name="mapName"/> of <paramref name="capacity"/> entries.</summary>
    public BpfMapFullException(string mapName, uint capacity, int errno, string? detail = null)
        : base("map update", $"map '{mapName}'", errno,
            $"The map is full: it holds at most {capacity} entries (max_entries).{(detail is null ? "" : " " + detail)}")
    {
        MapName = mapName;
        Capacity = capacity;
    }

    /// <summary>The map that ran out of room.</summary>
    public string MapName { get; }

    /// <summary>Its max_entries.</summary>
    public uint Capacity { get; }
}
