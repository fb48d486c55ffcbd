using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.TestPlugins.Futureabi;

/// <summary>Writes nothing: the core refuses the object for its ABI.</summary>
public sealed class FutureabiTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
    }
}
