using System.Collections;

namespace Kmesh.Core.Hosting;

/// <summary>
/// Every plugin's facts of an update, listed when first read (the config dump asks; the update
/// path does not): an update does not copy tens of thousands of facts it will not look at.
/// </summary>
internal sealed class PluginFactList(IReadOnlyDictionary<string, PluginFindings> findings) : IReadOnlyList<PluginFact>
{
    private readonly Lazy<List<PluginFact>> _all = new(() => findings.SelectMany(p => p.Value.Facts.Select(f => new PluginFact(p.Key, f))).ToList());

    public PluginFact this[int index] => _all.Value[index];

    public int Count => _all.Value.Count;

    public IEnumerator<PluginFact> GetEnumerator() => _all.Value.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
