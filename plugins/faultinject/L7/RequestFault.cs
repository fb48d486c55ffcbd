using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Common.Fault.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Type.V3;
using Kmesh.Sdk.Waypoint;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Plugins.FaultInject.L7;

/// <summary>One HTTP fault as a request meets it: conditions, delay and abort with their shares in parts per million.</summary>
internal sealed class RequestFault
{
    private readonly HeaderMatcher[] _headers;
    private readonly TimeSpan? _delay;
    private readonly uint _delayShare;
    private readonly int? _httpStatus;
    private readonly int? _grpcStatus;
    private readonly uint _abortShare;

    public RequestFault(HTTPFault fault)
    {
        _headers = [.. fault.Headers];
        if (fault.Delay is { FaultDelaySecifierCase: FaultDelay.FaultDelaySecifierOneofCase.FixedDelay } delay)
        {
            _delay = delay.FixedDelay.ToTimeSpan();
            _delayShare = PerMillion(delay.Percentage);
        }
        if (fault.Abort is { } abort)
        {
            _httpStatus = abort.ErrorTypeCase == FaultAbort.ErrorTypeOneofCase.HttpStatus ? (int)abort.HttpStatus : null;
            _grpcStatus = abort.ErrorTypeCase == FaultAbort.ErrorTypeOneofCase.GrpcStatus ? (int)abort.GrpcStatus : null;
            _abortShare = PerMillion(abort.Percentage);
        }
    }

    public bool AppliesTo(HttpRequest request) => _headers.All(h => HeaderMatchers.Matches(h, request.Headers));

    /// <summary>The delay for this request, if it draws one.</summary>
    public TimeSpan? DrawDelay() => _delay is { } d && Draw(_delayShare) ? d : null;

    /// <summary>Whether this request draws the abort (there is one to draw).</summary>
    public bool DrawAbort() => (_httpStatus is not null || _grpcStatus is not null) && Draw(_abortShare);

    /// <summary>Answers as Envoy's fault filter does: the status with <c>fault filter abort</c>, or for gRPC a trailers-only 200 with <c>grpc-status</c>.</summary>
    public async Task AbortAsync(HttpContext context)
    {
        if (_grpcStatus is { } grpc)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = grpc.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = "fault filter abort";
            return;
        }
        context.Response.StatusCode = _httpStatus!.Value;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("fault filter abort", context.RequestAborted);
    }

    /// <summary>
    /// Envoy's FractionalPercent in parts per million. Unset is 0 in the API; Envoy's fault filter
    /// reads an absent percentage as 100%, which is what configs without one mean.
    /// </summary>
    private static uint PerMillion(FractionalPercent? percent)
    {
        if (percent is null)
            return 1_000_000;
        var scale = percent.Denominator switch
        {
            FractionalPercent.Types.DenominatorType.Hundred => 10_000u,
            FractionalPercent.Types.DenominatorType.TenThousand => 100u,
            _ => 1u,
        };
        return Math.Min(1_000_000u, percent.Numerator * scale);
    }

    private static bool Draw(uint perMillion) => perMillion >= 1_000_000 || (uint)Random.Shared.Next(1_000_000) < perMillion;
}
