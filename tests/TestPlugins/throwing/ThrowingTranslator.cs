using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.TestPlugins.Throwing;

/// <summary>Always throws, like a plugin with a bug.</summary>
public sealed class ThrowingTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output) =>
        throw new InvalidOperationException("fixture translator failure");
}
