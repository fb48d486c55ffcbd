using Envoy.Extensions.Filters.Http.Fault.V3;

namespace Kmesh.Plugins.FaultInject;

/// <summary>A fault configuration and the field it came from; <see cref="Fault"/> null means "no fault here".</summary>
/// <param name="Fault">The fault, or null when this level switches the filter off.</param>
/// <param name="Field">Where it is written, for diagnostics.</param>
/// <param name="RouteLevel">Whether it is a route's own override (it then holds only for what the route matches).</param>
internal sealed record FaultSource(HTTPFault? Fault, string Field, bool RouteLevel = false)
{
    public bool SameFault(FaultSource other) => Equals(Fault, other.Fault);
}
