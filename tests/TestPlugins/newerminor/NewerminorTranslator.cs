using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.TestPlugins.Newerminor;

/// <summary>Writes nothing: the core refuses the object for its ABI minor.</summary>
public sealed class NewerminorTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
    }
}
