using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.TestPlugins.Olderminor;

/// <summary>Writes nothing: the object's behaviour is fixed, so the test sees it act.</summary>
public sealed class OlderminorTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
    }
}
