using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Check;

/// <summary>A plugin of the chain a check runs: its translator only, never its eBPF object.</summary>
/// <param name="Name">The plugin's name, e.g. <c>routing</c>.</param>
/// <param name="Version">Its version, as its manifest says.</param>
/// <param name="Translator">Its translator.</param>
public sealed record CheckPlugin(string Name, string Version, ITranslator Translator);
