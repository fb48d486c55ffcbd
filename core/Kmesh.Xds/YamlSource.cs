using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>The file being read, so that any error can name it and a node's position; and its warnings.</summary>
internal sealed class YamlSource(string path)
{
    private readonly List<ConfigWarning> _warnings = [];

    public string Path { get; } = path;

    /// <summary>The warnings so far, in the order they were found.</summary>
    public IReadOnlyList<ConfigWarning> Warnings => _warnings;

    public ConfigParseException Error(YamlNode node, string fieldPath, string reason, Exception? inner = null) =>
        Error(node.Start, fieldPath, reason, inner);

    public ConfigParseException Error(Mark mark, string fieldPath, string reason, Exception? inner = null) =>
        new(Path, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column), fieldPath, reason, inner);

    /// <summary>The error for a document that is not Envoy configuration in any shape Kmesh knows.</summary>
    public ConfigParseException NotEnvoyConfig(YamlNode node, string reason) =>
        new(Path, (int)Math.Max(1, node.Start.Line), (int)Math.Max(1, node.Start.Column), "", reason) { NotEnvoyConfig = true };

    /// <summary>A warning at a node, not yet recorded.</summary>
    public ConfigWarning Warning(YamlNode node, string fieldPath, string message) =>
        new(Path, (int)Math.Max(1, node.Start.Line), (int)Math.Max(1, node.Start.Column), fieldPath, message);

    /// <summary>Records a warning at a node.</summary>
    public void Warn(YamlNode node, string fieldPath, string message) => _warnings.Add(Warning(node, fieldPath, message));

    /// <summary>Records warnings made earlier with <see cref="Warning"/>.</summary>
    public void Warn(IEnumerable<ConfigWarning> warnings) => _warnings.AddRange(warnings);

    /// <summary>1-based line of a node.</summary>
    public static int LineOf(YamlNode node) => (int)Math.Max(1, node.Start.Line);
}
