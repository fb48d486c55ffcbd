using Kmesh.Sdk.Snapshot;

namespace Kmesh.Sdk.Translation;

/// <summary>
/// The C# half of a plugin: turns the mesh configuration into the contents this plugin's
/// eBPF maps should have. The core diffs that against what the maps hold and applies the
/// difference; a translator never touches the kernel.
/// </summary>
/// <remarks>
/// Implementations must be pure and deterministic: the same snapshot gives the same output,
/// with no I/O and no clock. A plugin assembly holds exactly one public implementation with
/// a public parameterless constructor. An exception thrown here isolates this plugin's
/// update (its maps keep their last good contents); the other plugins still apply.
/// </remarks>
public interface ITranslator
{
    /// <summary>Writes the desired contents of this plugin's maps into <paramref name="output"/>.</summary>
    void Translate(MeshSnapshot snapshot, TranslationOutput output);
}
