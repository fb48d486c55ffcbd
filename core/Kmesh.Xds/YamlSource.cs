using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>The file being read, so that any error can name it and a node's position.</summary>
internal sealed class YamlSource(string path)
{
    public string Path { get; } = path;

    public ConfigParseException Error(YamlNode node, string fieldPath, string reason, Exception? inner = null) =>
        Error(node.Start, fieldPath, reason, inner);

    public ConfigParseException Error(Mark mark, string fieldPath, string reason, Exception? inner = null) =>
        new(Path, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column), fieldPath, reason, inner);

    /// <summary>1-based line of a node.</summary>
    public static int LineOf(YamlNode node) => (int)Math.Max(1, node.Start.Line);
}
