using Envoy.Extensions.Filters.Http.Fault.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.FaultInject;

/// <summary>
/// What of an HTTPFault a connect can carry: an unconditional abort, as a refused connect.
/// Everything that needs the request (delays, header conditions, status codes, response
/// rate limits) is reported as needing L7 and never pretended.
/// </summary>
internal static class FaultConverter
{
    private const string NeedsL7 = "needs L7";

    /// <summary>The share of connects to refuse in parts per million, or null for none.</summary>
    public static uint? AbortPerMillion(FaultSource source, ResourceRef resource, TranslationOutput output)
    {
        var fault = source.Fault!;
        var field = source.Field;
        if (!Unconditional(fault, resource, field, output))
            return null;
        if (fault.Delay is not null)
            output.Warn(resource, field + ".delay", $"a delay {NeedsL7} (the request): connects are never delayed");
        if (fault.ResponseRateLimit is not null)
            output.Warn(resource, field + ".response_rate_limit", $"a response rate limit {NeedsL7}: not applied");
        var abort = fault.Abort;
        if (abort is null)
            return null;
        switch (abort.ErrorTypeCase)
        {
            case FaultAbort.ErrorTypeOneofCase.HeaderAbort:
                output.Warn(resource, field + ".abort.header_abort", $"an abort chosen by a request header {NeedsL7}: not injected at connect time");
                return null;
            case FaultAbort.ErrorTypeOneofCase.HttpStatus:
                output.Warn(resource, field + ".abort.http_status", $"answering HTTP {abort.HttpStatus} {NeedsL7}; at connect time the abort refuses the connection (ECONNREFUSED)");
                break;
            case FaultAbort.ErrorTypeOneofCase.GrpcStatus:
                output.Warn(resource, field + ".abort.grpc_status", $"answering gRPC status {abort.GrpcStatus} {NeedsL7}; at connect time the abort refuses the connection (ECONNREFUSED)");
                break;
        }
        if (abort.Percentage is null)
        {
            output.Info(resource, field + ".abort.percentage", "no percentage: Envoy aborts no request, so no connect is refused");
            return null;
        }
        return FractionalPercents.ToPerMillion(abort.Percentage, resource, field + ".abort.percentage", output);
    }

    // A fault limited to some requests cannot be told apart at connect time: none is injected.
    private static bool Unconditional(HTTPFault fault, ResourceRef resource, string field, TranslationOutput output)
    {
        if (fault.Headers.Count > 0)
        {
            output.Warn(resource, field + ".headers", $"a fault conditioned on request headers {NeedsL7}: not injected at connect time");
            return false;
        }
        if (fault.DownstreamNodes.Count > 0)
        {
            output.Warn(resource, field + ".downstream_nodes", $"a fault conditioned on the downstream node (a request header) {NeedsL7}: not injected at connect time");
            return false;
        }
        if (fault.UpstreamCluster.Length > 0)
        {
            output.Warn(resource, field + ".upstream_cluster", $"a fault conditioned on the request's upstream cluster {NeedsL7}: not injected at connect time");
            return false;
        }
        return true;
    }
}
