using Kmesh.Sdk.Translation;

namespace Kmesh.Daemon;

/// <summary>Collects <c>--plugin-arg PLUGIN.KEY=VALUE</c> flags into each plugin's arguments.</summary>
internal sealed class PluginArgumentsBuilder
{
    private readonly Dictionary<string, Dictionary<string, List<string>>> _byPlugin = new(StringComparer.Ordinal);

    public void Add(string text)
    {
        var equals = text.IndexOf('=');
        var dot = equals < 0 ? -1 : text.LastIndexOf('.', equals);
        if (dot <= 0 || dot + 1 >= equals)
            throw new UsageException($"--plugin-arg {text}: expected PLUGIN.KEY=VALUE");
        var plugin = text[..dot];
        var key = text[(dot + 1)..equals];
        if (!_byPlugin.TryGetValue(plugin, out var keys))
            _byPlugin[plugin] = keys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (!keys.TryGetValue(key, out var values))
            keys[key] = values = [];
        values.Add(text[(equals + 1)..]);
    }

    public IReadOnlyDictionary<string, PluginArguments> Build() => _byPlugin.ToDictionary(
        p => p.Key,
        p => new PluginArguments(p.Value.ToDictionary(k => k.Key, k => (IReadOnlyList<string>)k.Value, StringComparer.Ordinal)),
        StringComparer.Ordinal);
}
