using System.Buffers;
using Kmesh.Bpf;
using Kmesh.Core.Reconcile;

namespace Kmesh.Core.Datapath;

/// <summary>
/// A plugin's kernel map behind the reconciler's <see cref="IKernelMap"/>. Larger steps go
/// to the kernel in one batch syscall (keys and values packed into pooled buffers); when a
/// batch fails, the step is replayed entry by entry so the reconciler learns exactly how
/// far it got (upserts and deletes are idempotent, so replaying is safe).
/// </summary>
internal sealed class BpfKernelMap(BpfMap map) : IKernelMap
{
    /// <summary>Below this, one syscall per entry is as cheap as packing a batch.</summary>
    private const int BatchThreshold = 8;

    public string Name => map.Name;

    public int KeySize => (int)map.KeySize;

    public int ValueSize => (int)map.ValueSize;

    public int Capacity => (int)map.MaxEntries;

    public IEnumerable<(byte[] Key, byte[] Value)> ReadEntries()
    {
        // Config maps are hashes; an array cannot lose entries, so there is nothing to diff there.
        if (map.Type is not (BpfMapType.Hash or BpfMapType.LruHash))
            yield break;
        var key = new byte[KeySize];
        var next = new byte[KeySize];
        var first = true;
        while (first ? map.TryGetNextKey(null, next) : map.TryGetNextKey(key, next))
        {
            first = false;
            next.CopyTo(key, 0);
            var value = new byte[ValueSize];
            if (map.TryLookup(key, value)) // gone in between: the kernel deleted it, so skip it
                yield return ((byte[])key.Clone(), value);
        }
    }

    public int Apply(MapStep step)
    {
        if (step.Ops.Count >= BatchThreshold && TryBatch(step))
            return step.Ops.Count;
        return ApplyOneByOne(step);
    }

    private bool TryBatch(MapStep step)
    {
        var keySize = KeySize;
        var valueSize = ValueSize;
        var keys = ArrayPool<byte>.Shared.Rent(step.Ops.Count * keySize);
        var values = step.Kind == MapOpKind.Upsert ? ArrayPool<byte>.Shared.Rent(step.Ops.Count * valueSize) : null;
        try
        {
            for (var i = 0; i < step.Ops.Count; i++)
            {
                step.Ops[i].Key.Span.CopyTo(keys.AsSpan(i * keySize, keySize));
                if (values is not null)
                    step.Ops[i].Value.AsSpan().CopyTo(values.AsSpan(i * valueSize, valueSize));
            }
            var packedKeys = keys.AsSpan(0, step.Ops.Count * keySize);
            if (values is not null)
                return map.UpdateBatch(packedKeys, values.AsSpan(0, step.Ops.Count * valueSize), BpfUpdateFlags.Any) == step.Ops.Count;
            map.DeleteBatch(packedKeys); // keys already gone are skipped, which is what we want
            return true;
        }
        catch (BpfException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(keys);
            if (values is not null)
                ArrayPool<byte>.Shared.Return(values);
        }
    }

    private int ApplyOneByOne(MapStep step)
    {
        var done = 0;
        try
        {
            foreach (var op in step.Ops)
            {
                if (op.Kind == MapOpKind.Upsert)
                    map.Update(op.Key.Span, op.Value, BpfUpdateFlags.Any);
                else
                    map.Delete(op.Key.Span);
                done++;
            }
        }
        catch (BpfException e)
        {
            throw new MapApplyException(done, e);
        }
        return done;
    }
}
