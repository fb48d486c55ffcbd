namespace Kmesh.Core.Hosting;

/// <summary>
/// Whether the node serves its configuration: the chain is attached, the config in force is in
/// the maps, and every plugin of the chain holds it. When not, each reason is a sentence.
/// </summary>
/// <param name="Ready">True when the node serves what its source gave it.</param>
/// <param name="Reasons">Why not; empty when ready.</param>
public sealed record Readiness(bool Ready, IReadOnlyList<string> Reasons)
{
    /// <summary>Before the first configuration is in force.</summary>
    public static Readiness Starting { get; } = new(false, ["no configuration applied yet"]);

    /// <summary>Serving.</summary>
    public static Readiness Serving { get; } = new(true, []);
}
