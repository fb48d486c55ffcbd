using System.Text.Json;
using System.Text.Json.Serialization;
using Kmesh.Sdk.Abi;

namespace Kmesh.Sdk.Manifest;

/// <summary>
/// <c>kmesh-plugin.json</c>: what a plugin folder holds and where it goes in the chains.
/// </summary>
public sealed record PluginManifest
{
    /// <summary>The file name the core looks for in each plugin folder.</summary>
    public const string FileName = "kmesh-plugin.json";

    /// <summary>Unique plugin name, lower case, as used in <c>--plugins</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The plugin's own semantic version.</summary>
    public required string Version { get; init; }

    /// <summary>The chain ABI the object was built for, <c>major.minor</c>.</summary>
    public required string Abi { get; init; }

    /// <summary>The assembly holding the translator, relative to the folder.</summary>
    public required string Assembly { get; init; }

    /// <summary>The compiled eBPF object, relative to the folder.</summary>
    public required string Object { get; init; }

    /// <summary>Hooks the object has a chain program for (<c>connect4</c>, <c>connect6</c>, <c>sockops</c>).</summary>
    public required IReadOnlyList<string> Hooks { get; init; }

    /// <summary>Position in the default chain: lower runs first.</summary>
    public int Order { get; init; } = 500;

    /// <summary>
    /// Plugins that must be in the chain, before this one: it reads what they decide (load
    /// balancing needs the cluster routing chose). A chain without them is refused.
    /// </summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    /// <summary>Plugins that, when they are in the chain, must run before this one.</summary>
    public IReadOnlyList<string> After { get; init; } = [];

    /// <summary>One line for operators.</summary>
    public string Description { get; init; } = "";

    /// <summary>
    /// The Envoy HTTP filter config types the plugin's L7 part applies in the waypoint, by their
    /// full protobuf name (<c>envoy.extensions.filters.http.fault.v3.HTTPFault</c>). The waypoint
    /// reports an HTTP filter of a connection manager that neither it nor a loaded plugin applies.
    /// </summary>
    public IReadOnlyList<string> HttpFilters { get; init; } = [];

    /// <summary>
    /// Counters the daemon reports for the plugin (in its log now): a per-CPU array map of the
    /// object whose entry i (a <c>__u64</c>) counts <see cref="PluginCounters.Names"/>[i]. Null: none.
    /// </summary>
    public PluginCounters? Counters { get; init; }

    /// <summary>The ABI version as numbers.</summary>
    public (int Major, int Minor) AbiVersion
    {
        get
        {
            var parts = Abi.Split('.');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var major) || !int.TryParse(parts[1], out var minor))
                throw new FormatException($"abi '{Abi}' is not of the form major.minor");
            return (major, minor);
        }
    }

    /// <summary>The hooks as values; unknown names are an error.</summary>
    public IReadOnlyList<ChainHook> ChainHooks => Hooks.Select(h => Kmesh.Sdk.Abi.ChainHooks.TryParse(h, out var hook)
        ? hook
        : throw new FormatException($"hook '{h}' is unknown (known: {string.Join(", ", Kmesh.Sdk.Abi.ChainHooks.All.Select(k => k.ManifestName()))})")).ToArray();

    /// <summary>Reads and checks a manifest file.</summary>
    public static PluginManifest Load(string path)
    {
        PluginManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllText(path), ManifestJsonContext.Default.PluginManifest);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
        if (manifest is null)
            throw new FormatException($"{path}: empty manifest");
        // The JSON source generator assigns every init property, absent ones as null.
        manifest = manifest with { Requires = manifest.Requires ?? [], After = manifest.After ?? [], HttpFilters = manifest.HttpFilters ?? [] };
        manifest.Validate(path);
        return manifest;
    }

    private void Validate(string path)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            problems.Add($"name '{Name}' must be lower-case letters, digits and '-'");
        if (!System.Text.RegularExpressions.Regex.IsMatch(Version, @"^\d+\.\d+\.\d+([-+].*)?$"))
            problems.Add($"version '{Version}' is not a semantic version");
        try { _ = AbiVersion; } catch (FormatException e) { problems.Add(e.Message); }
        try { _ = ChainHooks; } catch (FormatException e) { problems.Add(e.Message); }
        if (Hooks.Count == 0)
            problems.Add("hooks is empty");
        try
        {
            foreach (var hook in ChainHooks.Where(h => h.SinceAbiMinor() > AbiVersion.Minor))
                problems.Add($"hook '{hook.ManifestName()}' needs chain ABI {ChainAbi.Major}.{hook.SinceAbiMinor()} or newer, but abi is '{Abi}'");
        }
        catch (FormatException)
        {
            // already reported above
        }
        if (Counters is not null && (string.IsNullOrWhiteSpace(Counters.Map) || Counters.Names is not { Count: > 0 }))
            problems.Add("counters needs a map and at least one name");
        foreach (var other in Requires.Concat(After))
        {
            if (other == Name)
                problems.Add($"'{Name}' cannot be ordered after itself");
        }
        if (problems.Count > 0)
            throw new FormatException($"{path}: {string.Join("; ", problems)}");
    }
}

/// <summary>A plugin's counters: the per-CPU array map that holds them and their names by index.</summary>
/// <param name="Map">The map's name in the object (<c>BPF_MAP_TYPE_PERCPU_ARRAY</c>, <c>__u32</c> key, <c>__u64</c> value).</param>
/// <param name="Names">What entry 0, 1, ... counts, e.g. <c>["connections", "messages", "bytes"]</c>.</param>
public sealed record PluginCounters(string Map, IReadOnlyList<string> Names);

[JsonSerializable(typeof(PluginManifest))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
