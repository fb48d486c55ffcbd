namespace Kmesh.Sdk.Translation;

/// <summary>
/// A translator whose map entries carry <see cref="ChainWork"/>: the routing plugin, whose
/// route entry tells each connect which later chain slots to pass over (chain ABI 1.4). The
/// core translates it after every other plugin, with <see cref="TranslationOutput.ChainWork"/>
/// folded from what they declared, and in full whenever that changed since the last update.
/// </summary>
public interface IChainWorkReader : ITranslator
{
}
