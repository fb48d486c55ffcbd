using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.TestPlugins.Marker;

/// <summary>Writes no map: the fixture's kernel side needs no config.</summary>
public sealed class MarkerTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
    }
}
