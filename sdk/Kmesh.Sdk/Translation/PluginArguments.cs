namespace Kmesh.Sdk.Translation;

/// <summary>The operator's settings for one plugin: each key with its values in the order given.</summary>
public sealed class PluginArguments
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _values;

    /// <summary>No arguments.</summary>
    public static PluginArguments None { get; } = new(new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>Wraps the values by key.</summary>
    public PluginArguments(IReadOnlyDictionary<string, IReadOnlyList<string>> values) =>
        _values = values ?? throw new ArgumentNullException(nameof(values));

    /// <summary>The keys given.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>Every value given for <paramref name="key"/> (empty when none).</summary>
    public IReadOnlyList<string> All(string key) => _values.TryGetValue(key, out var values) ? values : [];

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first key not in <paramref name="known"/>:
    /// a typo in a setting must not pass silently.
    /// </summary>
    public void RejectUnknown(params string[] known)
    {
        foreach (var key in _values.Keys)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
                throw new ArgumentException($"unknown argument '{key}' (known: {string.Join(", ", known)})");
        }
    }
}
