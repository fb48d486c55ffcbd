using Kmesh.Bpf;
using Kmesh.Core.Reconcile;

namespace Kmesh.Core.Datapath;

/// <summary>A plugin's kernel map behind the reconciler's <see cref="IKernelMap"/>.</summary>
internal sealed class BpfKernelMap(BpfMap map) : IKernelMap
{
    public string Name => map.Name;

    public int KeySize => (int)map.KeySize;

    public int ValueSize => (int)map.ValueSize;

    public int Capacity => (int)map.MaxEntries;

    public int Apply(MapStep step)
    {
        var done = 0;
        foreach (var op in step.Ops)
        {
            if (op.Kind == MapOpKind.Upsert)
                map.Update(op.Key.Span, op.Value, BpfUpdateFlags.Any);
            else
                map.Delete(op.Key.Span);
            done++;
        }
        return done;
    }
}
