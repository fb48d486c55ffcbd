namespace Kmesh.Sdk.Waypoint;

/// <summary>
/// A plugin's handling of requests under one configuration. Immutable from the waypoint's point
/// of view: a new configuration brings a new filter. Called concurrently for many requests, on
/// the socket engine's thread that read the request (the waypoint runs completions inline): a
/// filter must never block (await; no <c>.Result</c>, <c>Wait()</c> or <c>Thread.Sleep</c>), or every
/// connection served by that thread waits with it.
/// </summary>
public interface IWaypointFilter
{
    /// <summary>
    /// Runs for each request once its route is chosen, before it is proxied (in chain order with
    /// the other plugins' filters). Return true to let it go on; false when the filter answered
    /// the request itself (an injected abort, a rate-limit refusal). A filter that throws is
    /// skipped for that request, and the failure is counted and logged.
    /// </summary>
    ValueTask<bool> OnRequestAsync(WaypointRequest request);
}
