namespace Kmesh.Xds.Sources;

/// <summary>What the daemon did with a <see cref="ConfigUpdate"/>.</summary>
/// <param name="Accepted">True when the update is now in force.</param>
/// <param name="Rejections">Why not, one entry per offending resource; empty when accepted.</param>
public sealed record ConfigVerdict(bool Accepted, IReadOnlyList<ResourceRejection> Rejections)
{
    /// <summary>The update is in force.</summary>
    public static ConfigVerdict Accept { get; } = new(true, []);

    /// <summary>The update was refused for these reasons; the previous configuration keeps serving.</summary>
    public static ConfigVerdict Reject(IReadOnlyList<ResourceRejection> rejections) => new(false, rejections);
}
