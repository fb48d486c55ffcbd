using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Reconcile;

/// <summary>
/// Brings the plugins' kernel maps to their desired contents with the fewest writes, in
/// the safe order <see cref="ReconcilePlanner"/> lays out. A plugin whose desired state
/// cannot be applied (unknown map, layout drift, not enough room) keeps its last good
/// contents and is reported; the other plugins still apply.
/// </summary>
public sealed class MapReconciler
{
    private readonly AppliedMaps _applied = new();

    /// <summary>What the kernel maps hold, as far as this reconciler wrote them.</summary>
    public AppliedMaps Applied => _applied;

    /// <summary>Applies desired states (in chain order) through the plugins' kernel maps.</summary>
    public ReconcileResult Apply(IReadOnlyList<PluginDesiredMaps> desired, Func<string, string, IKernelMap?> kernelMap)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var accepted = new List<PluginDesiredMaps>();
        var deletesFirst = new HashSet<(string, string)>();
        foreach (var plugin in desired)
        {
            var problem = Validate(plugin, kernelMap, deletesFirst);
            if (problem is null)
                accepted.Add(plugin);
            else
                errors[plugin.Plugin] = problem;
        }

        var steps = ReconcilePlanner.Plan(accepted, _applied);
        if (deletesFirst.Count > 0)
        {
            // A map that would overflow while old and new entries coexist sheds its stale
            // entries first; that map alone gives up make-before-break.
            steps = steps.OrderBy(s => s.Kind == MapOpKind.Delete && deletesFirst.Contains((s.Plugin, s.Map)) ? 0 : 1).ToList();
        }

        int upserts = 0, deletes = 0;
        foreach (var step in steps)
        {
            var map = kernelMap(step.Plugin, step.Map)!;
            int done;
            try
            {
                done = map.Apply(step);
            }
            catch (MapApplyException e)
            {
                done = e.Done;
                errors[step.Plugin] = $"map {step.Map}: {e.Message}";
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors[step.Plugin] = $"map {step.Map}: {e.Message}";
                continue;
            }
            _applied.Record(step.Plugin, step.Map, step.Ops, done);
            if (step.Kind == MapOpKind.Upsert) upserts += done; else deletes += done;
            if (done < step.Ops.Count && !errors.ContainsKey(step.Plugin))
                errors[step.Plugin] = $"map {step.Map}: only {done} of {step.Ops.Count} changes took effect";
        }
        return new ReconcileResult(upserts, deletes, errors);
    }

    /// <summary>
    /// What <see cref="Apply"/> would refuse, plugin by plugin (unknown map, layout drift, not
    /// enough room), without writing anything: a source that must answer for an update whole
    /// (ADS) refuses it instead of applying it in part.
    /// </summary>
    public IReadOnlyDictionary<string, string> Check(IReadOnlyList<PluginDesiredMaps> desired, Func<string, string, IKernelMap?> kernelMap)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var plugin in desired)
        {
            if (Validate(plugin, kernelMap, new HashSet<(string, string)>()) is { } problem)
                problems[plugin.Plugin] = problem;
        }
        return problems;
    }

    private string? Validate(PluginDesiredMaps plugin, Func<string, string, IKernelMap?> kernelMap, HashSet<(string, string)> deletesFirst)
    {
        foreach (var changes in plugin.Changes ?? [])
        {
            var map = kernelMap(plugin.Plugin, changes.Name);
            if (map is null)
                return $"the translator wrote map '{changes.Name}', which the plugin's eBPF object does not have";
            if (map.KeySize != changes.KeySize || map.ValueSize != changes.ValueSize)
                return $"map {changes.Name}: the translator's key/value sizes ({changes.KeySize}/{changes.ValueSize} bytes) " +
                       $"differ from the object's ({map.KeySize}/{map.ValueSize}): the C# mirror of the C struct drifted";
            // Only the touched keys are looked at: what the map holds after, and at most while old and new coexist.
            var current = _applied.Entries(plugin.Plugin, changes.Name);
            int added = 0, removed = 0;
            foreach (var (key, value) in changes.Entries)
            {
                var present = current.ContainsKey(key);
                if (value is not null && !present)
                    added++;
                else if (value is null && present)
                    removed++;
            }
            var after = current.Count + added - removed;
            if (after > map.Capacity)
                return new MapCapacityException(plugin.Plugin, changes.Name, map.Capacity, after).Message;
            if (current.Count + added > map.Capacity)
                deletesFirst.Add((plugin.Plugin, changes.Name));
        }
        foreach (var desired in plugin.Maps)
        {
            var map = kernelMap(plugin.Plugin, desired.Name);
            if (map is null)
                return $"the translator wrote map '{desired.Name}', which the plugin's eBPF object does not have";
            if (map.KeySize != desired.KeySize || map.ValueSize != desired.ValueSize)
                return $"map {desired.Name}: the translator's key/value sizes ({desired.KeySize}/{desired.ValueSize} bytes) " +
                       $"differ from the object's ({map.KeySize}/{map.ValueSize}): the C# mirror of the C struct drifted";
            if (desired.Count > map.Capacity)
                return new MapCapacityException(plugin.Plugin, desired.Name, map.Capacity, desired.Count).Message;
            var current = _applied.Entries(plugin.Plugin, desired.Name);
            var union = desired.Count + current.Keys.Count(k => !desired.Entries.ContainsKey(k));
            if (union > map.Capacity)
                deletesFirst.Add((plugin.Plugin, desired.Name));
        }
        return null;
    }
}
