using System.Runtime.InteropServices;
using Kmesh.Bpf;
using Kmesh.Core.Reconcile;

namespace Kmesh.Core.Datapath;

/// <summary>
/// A plugin's kernel map behind the reconciler's <see cref="IKernelMap"/>. Larger steps go
/// to the kernel in one batch syscall (keys and values packed into one native buffer); when a
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

    private unsafe bool TryBatch(MapStep step)
    {
        var keyBytes = step.Ops.Count * KeySize;
        var valueBytes = step.Kind == MapOpKind.Upsert ? step.Ops.Count * ValueSize : 0;
        // Native memory, freed right after the syscall: a pooled array of a first write at 10 000
        // services (100 000 endpoints: megabytes per map) would stay cached in the large object
        // heap for the daemon's life, for a write of that size that comes once.
        var block = (byte*)NativeMemory.Alloc((nuint)(keyBytes + valueBytes));
        try
        {
            var keys = new Span<byte>(block, keyBytes);
            var values = new Span<byte>(block + keyBytes, valueBytes);
            for (var i = 0; i < step.Ops.Count; i++)
            {
                step.Ops[i].Key.Span.CopyTo(keys.Slice(i * KeySize, KeySize));
                if (valueBytes > 0)
                    step.Ops[i].Value.AsSpan().CopyTo(values.Slice(i * ValueSize, ValueSize));
            }
            if (valueBytes > 0)
                return map.UpdateBatch(keys, values, BpfUpdateFlags.Any) == step.Ops.Count;
            map.DeleteBatch(keys); // keys already gone are skipped, which is what we want
            return true;
        }
        catch (BpfException)
        {
            return false;
        }
        finally
        {
            NativeMemory.Free(block);
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
