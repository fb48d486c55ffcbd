using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Core.Hosting;

/// <summary>The configuration in force, as the admin API shows it.</summary>
/// <param name="Version">Its version (the source's).</param>
/// <param name="AppliedAt">When it went into the kernel.</param>
/// <param name="Resources">The resources in force.</param>
/// <param name="Facts">What each plugin made of them.</param>
/// <param name="Diagnostics">Every finding of the snapshot builder and the translators.</param>
/// <param name="PluginErrors">Plugins that kept their previous state, with the reason.</param>
public sealed record AppliedConfig(
    string Version,
    DateTimeOffset AppliedAt,
    EnvoyResources Resources,
    IReadOnlyList<PluginFact> Facts,
    IReadOnlyList<TranslationDiagnostic> Diagnostics,
    IReadOnlyDictionary<string, string> PluginErrors);
