namespace Kmesh.Sdk.Translation;

/// <summary>What a translator produces: the desired contents of its maps and its findings.</summary>
public sealed class TranslationOutput
{
    private readonly List<DesiredMap> _maps = new();
    private readonly List<TranslationDiagnostic> _diagnostics = new();

    /// <summary>
    /// The desired map named <paramref name="name"/>; created empty on first use. Maps the
    /// translator never asks for are left as they are. Declare maps in dependency order: the
    /// core writes new entries map by map in this order and removes stale ones in reverse.
    /// </summary>
    public DesiredMap<TKey, TValue> Map<TKey, TValue>(string name)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var map in _maps)
        {
            if (map.Name != name)
                continue;
            return map as DesiredMap<TKey, TValue>
                ?? throw new InvalidOperationException($"Map '{name}' was already declared with other key or value types.");
        }
        var created = new DesiredMap<TKey, TValue>(name);
        _maps.Add(created);
        return created;
    }

    /// <summary>The maps in the order they were declared.</summary>
    public IReadOnlyList<DesiredMap> Maps => _maps;

    /// <summary>Findings, in the order they were reported.</summary>
    public IReadOnlyList<TranslationDiagnostic> Diagnostics => _diagnostics;

    /// <summary>Reports that part of a resource is not supported and was left out.</summary>
    public void Warn(string resource, string field, string message) =>
        _diagnostics.Add(new TranslationDiagnostic(DiagnosticSeverity.Warning, resource, field, message));

    /// <summary>Reports that a whole resource was left out.</summary>
    public void Error(string resource, string field, string message) =>
        _diagnostics.Add(new TranslationDiagnostic(DiagnosticSeverity.Error, resource, field, message));

    /// <summary>Reports something worth knowing.</summary>
    public void Info(string resource, string field, string message) =>
        _diagnostics.Add(new TranslationDiagnostic(DiagnosticSeverity.Info, resource, field, message));
}
