namespace Kmesh.Xds.Server;

/// <summary>The snapshot being served, and a way for streams to wait for the next one.</summary>
public sealed class ResourceStore
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _counter;

    /// <summary>The snapshot served now.</summary>
    public ServedSnapshot Current { get; private set; } = ServedSnapshot.Empty;

    /// <summary>Completes at the next change.</summary>
    public Task Changed
    {
        get { lock (_lock) return _changed.Task; }
    }

    /// <summary>Publishes new content; a no-op (false) when nothing really changed.</summary>
    public bool Publish(IReadOnlyDictionary<string, SortedDictionary<string, ServedResource>> resources)
    {
        TaskCompletionSource fired;
        lock (_lock)
        {
            var candidate = new ServedSnapshot((_counter + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), resources);
            if (_counter > 0 && candidate.SameContent(Current))
                return false;
            _counter++;
            Current = candidate;
            fired = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        fired.TrySetResult();
        return true;
    }
}
