namespace Kmesh.Waypoint.Routing;

/// <summary>
/// A 64-bit hash that is the same in every process and on every node (string.GetHashCode is
/// randomised per process), so a key keeps its endpoint across waypoint restarts: FNV-1a over
/// the UTF-16 code units, then a finaliser so that close keys land far apart on the ring.
/// </summary>
internal static class StableHash
{
    public static ulong Of(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return Mix(hash);
    }

    /// <summary>splitmix64's finaliser.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9UL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }
}
