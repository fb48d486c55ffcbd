using System.Collections.Immutable;

namespace Kmesh.Xds.Server;

/// <summary>The snapshot being served, and a way for streams to wait for the next one.</summary>
public sealed class ResourceStore
{
    /// <summary>How many earlier snapshots' change sets a session can catch up through before it compares everything.</summary>
    internal const int History = 64;

    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The snapshot served now.</summary>
    public ServedSnapshot Current { get; private set; } = ServedSnapshot.Empty;

    /// <summary>Completes at the next change.</summary>
    public Task Changed
    {
        get { lock (_lock) return _changed.Task; }
    }

    /// <summary>Publishes new content; a no-op (false) when nothing really changed. Computes what changed by comparing versions.</summary>
    public bool Publish(IReadOnlyDictionary<string, SortedDictionary<string, ServedResource>> resources)
    {
        var immutable = ServedSnapshot.PushOrder.ToDictionary(t => t,
            t => resources.TryGetValue(t, out var set) ? set.ToImmutableSortedDictionary(StringComparer.Ordinal) : ImmutableSortedDictionary.Create<string, ServedResource>(StringComparer.Ordinal));
        var current = Current;
        var changes = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var type in ServedSnapshot.PushOrder)
        {
            var before = current.Of(type);
            var after = immutable[type];
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, resource) in after)
            {
                if (!before.TryGetValue(name, out var old) || old.Version != resource.Version)
                    names.Add(name);
            }
            names.UnionWith(before.Keys.Where(n => !after.ContainsKey(n)));
            if (names.Count > 0)
                changes[type] = names;
        }
        return Publish(immutable, changes);
    }

    /// <summary>
    /// Publishes new content together with what changed from <see cref="Current"/> (type URL →
    /// names added, updated or removed); a no-op (false) when <paramref name="changes"/> is empty,
    /// except for the first publish.
    /// </summary>
    public bool Publish(IReadOnlyDictionary<string, ImmutableSortedDictionary<string, ServedResource>> resources, IReadOnlyDictionary<string, IReadOnlySet<string>> changes)
    {
        TaskCompletionSource fired;
        lock (_lock)
        {
            var current = Current;
            if (current.Serial > 0 && changes.Values.All(c => c.Count == 0))
                return false;
            var serial = current.Serial + 1;
            var next = new ServedSnapshot(serial.ToString(System.Globalization.CultureInfo.InvariantCulture), resources)
            {
                Serial = serial,
                Changes = current.Serial == 0 ? null : changes.Where(c => c.Value.Count > 0).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal),
                Previous = current.Serial == 0 ? null : current,
            };
            // Keep a bounded chain of change sets: a session further behind compares everything.
            var cut = next;
            for (var i = 0; i < History && cut.Previous is not null; i++)
                cut = cut.Previous;
            cut.Previous = null;
            Current = next;
            fired = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        fired.TrySetResult();
        return true;
    }
}
