namespace Kmesh.Core.Hosting;

/// <summary>
/// Whether the node serves its configuration: the chain is attached, the config in force is in
/// the maps, and every plugin of the chain holds it. When not, each reason is a sentence.
/// </summary>
/// <param name="Ready">True when the node serves what its source gave it.</param>
/// <param name="Reasons">Why not; empty when ready.</param>
/// <param name="Notes">What a ready node still wants said (serving an adopted configuration before its source answered).</param>
public sealed record Readiness(bool Ready, IReadOnlyList<string> Reasons, IReadOnlyList<string>? Notes = null)
{
    /// <summary>Said with a ready node; empty when there is nothing to add.</summary>
    public IReadOnlyList<string> NotesOrEmpty => Notes ?? [];

    /// <summary>Before the first configuration is in force.</summary>
    public static Readiness Starting { get; } = new(false, ["no configuration applied yet"]);

    /// <summary>Serving.</summary>
    public static Readiness Serving { get; } = new(true, []);
}
