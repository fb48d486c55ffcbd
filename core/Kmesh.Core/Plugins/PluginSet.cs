using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Core.Plugins;

/// <summary>
/// The plugin set a node runs (what a DaemonSet ships): which plugins, in chain order, which
/// versions, the SHA-256 of each assembly and object, and the only directories plugins may
/// be loaded from. The daemon refuses to start when the set cannot be honoured exactly: a
/// node with a silently different chain is worse than a node that says why it stopped.
/// </summary>
/// <example>
/// <code>
/// allowedDirectories: [/opt/kmesh/plugins]
/// plugins:
///   - name: routing
///     version: ^1.0
///     sha256: { assembly: 3f9a…, object: 81c2… }
///   - name: loadbalance
///     version: 1.0.0
/// </code>
/// </example>
public sealed record PluginSet(string Path, IReadOnlyList<PluginSetEntry> Plugins, IReadOnlyList<string> AllowedDirectories)
{
    /// <summary>Reads a plugin set file; errors name the file and line.</summary>
    public static PluginSet Load(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new FormatException($"{path}:{e.Start.Line}: {e.Message}", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new FormatException($"{path}: expected a mapping with 'plugins:'");

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var allowed = new List<string>();
        var entries = new List<PluginSetEntry>();
        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "allowedDirectories":
                    foreach (var item in Sequence(path, value, key))
                        allowed.Add(System.IO.Path.GetFullPath(Scalar(path, item, key), directory));
                    break;
                case "plugins":
                    foreach (var item in Sequence(path, value, key))
                        entries.Add(Entry(path, item));
                    break;
                default:
                    throw new FormatException($"{path}:{keyNode.Start.Line}: unknown key '{key}' (expected plugins, allowedDirectories)");
            }
        }
        if (entries.Count == 0)
            throw new FormatException($"{path}: 'plugins' lists no plugin");
        var twice = entries.GroupBy(e => e.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new FormatException($"{path}:{twice.Last().Line}: plugin '{twice.Key}' is listed twice");
        return new PluginSet(path, entries, allowed);
    }

    private static PluginSetEntry Entry(string path, YamlNode node)
    {
        if (node is not YamlMappingNode map)
            throw new FormatException($"{path}:{node.Start.Line}: a plugin is a mapping with name, version and sha256");
        string? name = null, assembly = null, bpfObject = null;
        VersionRange versions = VersionRange.Parse("*");
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "name": name = Scalar(path, value, key); break;
                case "version":
                    try { versions = VersionRange.Parse(Scalar(path, value, key)); }
                    catch (FormatException e) { throw new FormatException($"{path}:{value.Start.Line}: version: {e.Message}", e); }
                    break;
                case "sha256":
                    if (value is not YamlMappingNode hashes)
                        throw new FormatException($"{path}:{value.Start.Line}: sha256 is a mapping with assembly and object");
                    foreach (var (hashKey, hashValue) in hashes.Children)
                    {
                        var which = ((YamlScalarNode)hashKey).Value;
                        var hex = Hex(path, hashValue, which!);
                        if (which == "assembly") assembly = hex;
                        else if (which == "object") bpfObject = hex;
                        else throw new FormatException($"{path}:{hashKey.Start.Line}: sha256.{which} is unknown (expected assembly, object)");
                    }
                    break;
                default:
                    throw new FormatException($"{path}:{keyNode.Start.Line}: unknown key '{key}' in a plugin (expected name, version, sha256)");
            }
        }
        if (string.IsNullOrEmpty(name))
            throw new FormatException($"{path}:{map.Start.Line}: a plugin needs a name");
        return new PluginSetEntry(name, versions, assembly, bpfObject, (int)map.Start.Line);
    }

    private static IEnumerable<YamlNode> Sequence(string path, YamlNode node, string key) => node is YamlSequenceNode sequence
        ? sequence.Children
        : throw new FormatException($"{path}:{node.Start.Line}: {key} is a list");

    private static string Scalar(string path, YamlNode node, string key) => node is YamlScalarNode { Value: { Length: > 0 } value }
        ? value
        : throw new FormatException($"{path}:{node.Start.Line}: {key} needs a value");

    private static string Hex(string path, YamlNode node, string key)
    {
        var text = Scalar(path, node, "sha256." + key).ToLowerInvariant();
        if (text.Length != 64 || !text.All(char.IsAsciiHexDigit))
            throw new FormatException($"{path}:{node.Start.Line}: sha256.{key} must be 64 hex digits");
        return text;
    }
}
