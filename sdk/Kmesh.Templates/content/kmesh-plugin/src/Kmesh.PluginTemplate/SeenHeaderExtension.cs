using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Waypoint;

namespace Kmesh.PluginTemplate;

/// <summary>
/// The plugin's optional L7 part: when <c>kmesh waypoint --plugin-dir ...</c> serves a service,
/// it calls <see cref="Configure"/> with every configuration, and the filter returned runs for each
/// request once its route is chosen (in chain order with the other plugins' filters). As generated
/// it marks every response with <c>x-kmesh-plugin-template: seen</c>; the request's
/// <see cref="WaypointRequest"/> carries the listener, route configuration, virtual host and route,
/// whose <c>typed_per_filter_config</c> is where a real filter finds its settings.
/// </summary>
public sealed class SeenHeaderExtension : IWaypointExtension
{
    /// <summary>The response header the filter adds.</summary>
    public const string Header = "x-kmesh-plugin-template";

    /// <inheritdoc />
    // Nothing to read from the snapshot here; return null for a configuration the plugin has nothing to do in.
    public IWaypointFilter? Configure(MeshSnapshot snapshot, IWaypointReport report) => new SeenHeaderFilter();

    private sealed class SeenHeaderFilter : IWaypointFilter
    {
        public ValueTask<bool> OnRequestAsync(WaypointRequest request)
        {
            var response = request.Context.Response;
            // OnStarting: the header goes on whatever answers, the upstream's response or another filter's.
            response.OnStarting(() =>
            {
                response.Headers[Header] = "seen";
                return Task.CompletedTask;
            });
            // True: let the request go on (false would mean this filter answered it).
            return ValueTask.FromResult(true);
        }
    }
}
