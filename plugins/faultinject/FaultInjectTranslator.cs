using System.Globalization;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.FaultInject;

/// <summary>
/// An HTTP connection manager's fault filter becomes, for its listener's service, the share
/// of new connects the kernel refuses with ECONNREFUSED. Envoy has no network-level fault
/// filter, so tcp_proxy listeners never carry one.
/// </summary>
public sealed class FaultInjectTranslator : IIncrementalTranslator
{
    /// <summary>
    /// Reads only listeners and route configurations, never endpoints: an endpoint change leaves its maps as they are. Any
    /// other change is translated in full.
    /// </summary>
    public bool TranslateChanges(MeshSnapshot snapshot, MeshChanges changes, TranslationDelta delta) => changes.OnlyEndpoints;

    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        // Declared even when empty, so that faults removed from the config are removed from the kernel.
        var faults = output.Map<uint, FaultEntry>(FaultInjectMaps.Faults);
        // The connect programs act only on services with a fault: the chain skips them elsewhere.
        var work = output.ConnectWork();
        foreach (var listener in snapshot.Listeners)
        {
            var resource = ResourceRef.Listener(listener.Name);
            if (ServiceFilterChains.ConnectTimeChain(listener) is not { } picked)
            {
                TranslateVirtualHosts(listener, snapshot, faults, work, resource, output);
                continue;
            }
            for (var i = 0; i < picked.Chain.Filters.Count; i++)
            {
                var config = picked.Chain.Filters[i].TypedConfig;
                if (config?.Is(HttpConnectionManager.Descriptor) != true)
                    continue;
                var field = $"{picked.Field}.filters[{i}].typed_config";
                var source = HttpFaultResolver.Resolve(config.Unpack<HttpConnectionManager>(), snapshot, resource, field, output);
                var share = source is null ? null : FaultConverter.AbortPerMillion(source, resource, output);
                if (share > 0)
                {
                    faults.Set(snapshot.Ids.ServiceId(listener.Name), new FaultEntry { AbortPerMillion = share.Value });
                    work.Add(snapshot.Ids.ServiceId(listener.Name));
                }
                if (share is not null)
                    output.Applied(resource, source!.Field + ".abort", AppliedKind.Policy, Describe(share.Value));
                break;
            }
        }
    }

    /// <summary>
    /// A wildcard listener (Istio's <c>0.0.0.0_PORT</c>): each virtual host that names a VIP is a
    /// service of its own (<see cref="HttpVirtualHosts.ServiceName"/>), with its own fault, as
    /// Istio writes a VirtualService's fault on that host's routes.
    /// </summary>
    private static void TranslateVirtualHosts(global::Envoy.Config.Listener.V3.Listener listener, MeshSnapshot snapshot, DesiredMap<uint, FaultEntry> faults, ServiceWork work, ResourceRef resource, TranslationOutput output)
    {
        if (ServiceFilterChains.IsServiceAddress(listener.Address))
            return; // a VIP listener whose chains need the connection's bytes: not ours to guess
        foreach (var (hcm, field) in HttpVirtualHosts.ReachableManagers(listener))
        {
            foreach (var (host, hostField, source) in HttpFaultResolver.ResolvePerHost(hcm, snapshot, resource, field + ".typed_config", output))
            {
                var share = source is null ? null : FaultConverter.AbortPerMillion(source, resource, output);
                var id = snapshot.Ids.ServiceId(HttpVirtualHosts.ServiceName(listener.Name, host.Name));
                if (share > 0)
                {
                    faults.Set(id, new FaultEntry { AbortPerMillion = share.Value });
                    work.Add(id);
                }
                if (share is not null)
                    output.Applied(resource, source!.Field + ".abort", AppliedKind.Policy, $"virtual host '{host.Name}': {Describe(share.Value)}");
            }
        }
    }

    private static string Describe(uint perMillion) => perMillion == 0
        ? "fault abort: 0% of new connects refused (none is)"
        : string.Create(CultureInfo.InvariantCulture, $"fault abort: {perMillion / 10_000.0:0.####}% of new connects refused with ECONNREFUSED");
}
