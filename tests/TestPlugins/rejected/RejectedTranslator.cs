using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.TestPlugins.Rejected;

/// <summary>Writes nothing: the object never gets past the verifier.</summary>
public sealed class RejectedTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
    }
}
