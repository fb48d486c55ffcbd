using Envoy.Config.Route.V3;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;

namespace Kmesh.Sdk.Waypoint;

/// <summary>
/// Reading an HTTP filter's per-route override (<c>typed_per_filter_config</c> of a route, virtual
/// host or route configuration) the way Envoy does, for plugins' L7 parts: the filter's own config
/// type, or a <c>FilterConfig</c> wrapping it (or disabling the filter).
/// </summary>
public static class PerFilterConfigs
{
    /// <summary>
    /// This level's override of <paramref name="filterName"/>: its config, or a null config when the
    /// level disables the filter; the field it was read from. Null when the level says nothing of the
    /// filter, or names a config of another type (which Envoy would refuse).
    /// </summary>
    public static (T? Config, string Field)? Override<T>(MapField<string, Any> perFilter, string filterName) where T : class, IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(perFilter);
        if (!perFilter.TryGetValue(filterName, out var any))
            return null;
        var descriptor = new T().Descriptor;
        if (any.Is(descriptor))
            return (any.Unpack<T>(), $"typed_per_filter_config[{filterName}]");
        if (!any.Is(FilterConfig.Descriptor))
            return null;
        var wrapped = any.Unpack<FilterConfig>();
        return wrapped.Disabled || wrapped.Config?.Is(descriptor) != true
            ? (null, $"typed_per_filter_config[{filterName}]")
            : (wrapped.Config.Unpack<T>(), $"typed_per_filter_config[{filterName}].config");
    }
}
