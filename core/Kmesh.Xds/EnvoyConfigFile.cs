using System.Text.RegularExpressions;
using Kmesh.Envoy.Api;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// Reads a user's config file of Envoy v3 resources, YAML or JSON. Accepted shapes: an Envoy
/// bootstrap (the listeners and clusters of <c>static_resources</c>; its other keys are
/// Envoy's and ignored); a DiscoveryResponse-like <c>resources:</c> list whose items carry an
/// <c>"@type"</c> (Envoy's file-based xDS) or are Resource wrappers (delta xDS's form); an admin
/// <c>/config_dump</c>; a bare resource or bare list of one resource type; a Cilium custom
/// resource carrying Envoy resources (CiliumEnvoyConfig, CiliumClusterwideEnvoyConfig). A YAML
/// file may hold several documents (<c>---</c>), each in any of these shapes.
/// </summary>
/// <remarks>
/// What Kmesh cannot use does not fail the file: an extension of a type it does not know
/// (Istio's filters, Envoy extensions outside its API) is kept with its type URL and no
/// content, and a listed resource of a type it does not read is left out; each is reported in
/// <see cref="EnvoyResources.Warnings"/>. Mistakes still fail: bad YAML, unknown fields or
/// enum names of known types, values of the wrong kind.
/// </remarks>
public static partial class EnvoyConfigFile
{
    /// <summary>Reads and parses a file (<see cref="ConfigText.Read"/>: a directory, a binary or too large file is refused).</summary>
    /// <exception cref="ConfigParseException">The file is not a valid resource file, or over a <see cref="ParseLimits">limit</see>.</exception>
    /// <exception cref="IOException">The file cannot be read, or is a directory.</exception>
    public static EnvoyResources Load(string path) => Parse(path, ConfigText.Read(path));

    /// <summary>Parses the text of a file.</summary>
    /// <param name="path">Names the file in error messages; not read.</param>
    /// <param name="text">The file's content, YAML or JSON.</param>
    /// <exception cref="ConfigParseException">The text is not a valid resource file.</exception>
    public static EnvoyResources Parse(string path, string text) => Read(path, text, lenient: false).Resources;

    /// <summary>
    /// Reads a config file item by item, for a dry run that accounts for each: unlike
    /// <see cref="Parse"/>, a resource that cannot be read does not fail the file but is an
    /// entry with its <see cref="ConfigEntry.Error"/>, and what Kmesh does not read (a
    /// bootstrap's other fields, its secrets, the other sections of a config dump) is an entry
    /// with a <see cref="ConfigEntry.SkipReason"/>.
    /// </summary>
    /// <param name="path">Names the file in messages; not read.</param>
    /// <param name="text">The file's content, YAML or JSON.</param>
    /// <exception cref="ConfigParseException">The text is not YAML or JSON, or not of a shape Kmesh reads
    /// (<see cref="ConfigParseException.NotEnvoyConfig"/> then says whether it is Envoy configuration at all).</exception>
    public static ConfigInventory Inventory(string path, string text) => Read(path, text, lenient: true);

    private static ConfigInventory Read(string path, string text, bool lenient)
    {
        var source = new YamlSource(path);
        var documents = LoadYaml(source, text);
        var collector = new ResourceCollector(source);
        var ctx = new DocumentContext(source, new ResourceReader(source, EnvoyTypes.Registry), collector, lenient);

        // Every document of a multi-document file (as Kubernetes manifests are written) is read
        // into one configuration: a name used in two documents is a duplicate, as in one.
        string? version = null;
        var shapes = new List<string>();
        for (var i = 0; i < documents.Count; i++)
        {
            try
            {
                var (shape, documentVersion) = ReadDocument(ctx, documents[i]);
                shapes.Add(shape);
                version ??= documentVersion;
            }
            catch (ConfigParseException e) when (documents.Count > 1)
            {
                throw new ConfigParseException(e.FilePath, e.Line, e.Column, e.FieldPath, $"document {i + 1} of {documents.Count}: {e.Reason}", e.InnerException)
                    { NotEnvoyConfig = e.NotEnvoyConfig };
            }
        }
        return new ConfigInventory(documents.Count == 1 ? shapes[0] : "multi-document", collector.Build(version), collector.Entries);
    }

    /// <summary>Reads one YAML document in whichever shape it has; returns the shape and the document's version, if any.</summary>
    private static (string Shape, string? Version) ReadDocument(DocumentContext ctx, YamlNode root)
    {
        if (root is YamlScalarNode)
            throw ctx.Source.NotEnvoyConfig(root, "expected a mapping with static_resources or resources");
        if (KubernetesShape.Is(root))
            return (KubernetesShape.Read(ctx, (YamlMappingNode)root), null);
        if (YamlNav.Child(root, "resources") is not null)
            return ("resource list", ResourceListShape.Read(ctx, (YamlMappingNode)root));
        if (YamlNav.Child(root, "static_resources") is not null)
        {
            BootstrapShape.Read(ctx, (YamlMappingNode)root);
            return ("bootstrap", null);
        }
        if (YamlNav.Child(root, "configs") is not null)
        {
            ConfigDumpShape.Read(ctx, (YamlMappingNode)root);
            return ("config dump", null);
        }
        BareResourceShape.Read(ctx, root);
        return ("bare resources", null);
    }

    private static List<YamlNode> LoadYaml(YamlSource source, string text)
    {
        ConfigText.CheckSize(source.Path, text);
        var stream = new YamlStream();
        LimitedYamlParser? parser = null;
        try
        {
            // The limits are checked on the event stream, before the (recursive) tree building can go too deep.
            parser = new LimitedYamlParser(new Parser(new StringReader(text)), source);
            stream.Load(parser);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // Found by fuzzing: on some malformed input (a key with no scalar, a stray token) the
            // loader throws these rather than a YamlException. They are still just bad YAML.
            throw source.Error(parser?.Position ?? Mark.Empty, "", "invalid YAML: " + ex.Message, ex);
        }
        catch (YamlException ex)
        {
            var message = LocationPrefix().Replace(ex.InnerException?.Message ?? ex.Message, "");
            throw source.Error(ex.Start, "", "invalid YAML: " + message, ex);
        }
        // Among several documents, an empty one (a leading or trailing ---, comments only) holds nothing.
        var documents = stream.Documents.Select(d => d.RootNode)
            .Where(root => stream.Documents.Count == 1 || root is not YamlScalarNode { Value: null or "" })
            .ToList();
        if (documents.Count == 0)
            throw new ConfigParseException(source.Path, 1, 1, "", "the file is empty");
        foreach (var root in documents)
            YamlMerge.Apply(root);
        return documents;
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex LocationPrefix();
}
