using Kmesh.Core.Reconcile;

namespace Kmesh.Core.Tests.Reconcile;

/// <summary>
/// An in-memory map with a capacity that records the order of steps across all maps, so
/// tests can check what a connect racing the update could observe.
/// </summary>
internal sealed class RecordingKernelMap(string plugin, string name, int keySize, int valueSize, int capacity, List<string> journal) : IKernelMap
{
    public Dictionary<string, byte[]> Contents { get; } = new();

    public string Name => name;
    public int KeySize => keySize;
    public int ValueSize => valueSize;
    public int Capacity => capacity;

    public int Apply(MapStep step)
    {
        var done = 0;
        foreach (var op in step.Ops)
        {
            var key = op.Key.ToString();
            if (op.Kind == MapOpKind.Upsert)
            {
                if (!Contents.ContainsKey(key) && Contents.Count >= capacity)
                    throw new InvalidOperationException($"{name} is full");
                Contents[key] = op.Value!;
            }
            else
            {
                Contents.Remove(key);
            }
            done++;
        }
        journal.Add($"{step.Kind} {plugin}.{name} x{done}");
        return done;
    }
}
