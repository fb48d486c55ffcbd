using Kmesh.Xds.Sources;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Ads;

/// <summary>
/// Turns one response into ACK or NACK, the same for SotW and delta: decode, propose the new
/// state (warming applied), let the daemon validate and apply it whole, and commit only then.
/// A refused response leaves both the state and the kernel as they were.
/// </summary>
internal sealed partial class AdsEngine(XdsState state, IConfigSink sink, ILogger log, XdsStatus? status = null)
{
    public XdsState State => state;

    // bodies (SotW): what the last accepted responses carried, so that unchanged bodies are neither parsed nor validated again.
    public async Task<AdsOutcome> HandleAsync(string typeUrl, IEnumerable<XdsDecoder.Wire> items, IReadOnlyCollection<string> removals,
        bool replaceAll, string version, CancellationToken cancellationToken, SotwBodies? bodies = null)
    {
        status?.StreamAnswered();
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var errors = new List<ResourceRejection>();
            List<XdsResource> decoded;
            XdsProposal proposal;
            ConfigVerdict verdict;
            try
            {
                decoded = XdsDecoder.Decode(typeUrl, items, errors, bodies);
                if (errors.Count > 0)
                    return Nack(typeUrl, version, errors);
                proposal = state.Propose(typeUrl, decoded, removals, replaceAll, version);
                // What Envoy would refuse (its proto rules, its checks in code) is NACKed before the daemon sees it.
                // A body accepted before was validated then (a cluster's change is checked against the assignment it keeps).
                var invalid = AdsValidation.Check(typeUrl, decoded.Where(r => !r.Unchanged).ToList(), proposal, state.EdsIndex);
                if (invalid.Count > 0)
                    return Nack(typeUrl, version, invalid);
                verdict = await sink.OfferAsync(ToUpdate(proposal), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // Whatever this response does to the client, it is the response that is refused: the
                // stream and the last good config go on, and the server is told why.
                LogHandlingFailed(log, e, XdsTypes.Short(typeUrl), version);
                return Nack(typeUrl, version, [new ResourceRejection(typeUrl, "", $"kmesh failed handling it ({e.GetType().Name}: {e.Message})")]);
            }
            if (!verdict.Accepted)
                return Nack(typeUrl, version, verdict.Rejections);
            state.Commit(proposal);
            bodies?.Accepted(typeUrl, decoded);
            status?.Responded(typeUrl, version, accepted: true, null);
            LogAccepted(log, XdsTypes.Short(typeUrl), version, decoded.Count, removals.Count);
            return AdsOutcome.Ack;
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>Requested resources past the timeout count as absent: what waited on them is applied without them.</summary>
    public async Task ExpireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!state.ExpireAbsent(DateTime.UtcNow, timeout))
                return;
            LogAbsent(log, timeout.TotalSeconds, string.Join(", ", state.Absent));
            var proposal = state.Recompute();
            var verdict = await sink.OfferAsync(ToUpdate(proposal), cancellationToken).ConfigureAwait(false);
            if (verdict.Accepted)
                state.Commit(proposal);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>Records what a stream just subscribed to (under the gate: the absence timer reads it).</summary>
    public async Task MarkRequestedAsync(string typeUrl, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            state.MarkRequested(typeUrl, names, DateTime.UtcNow);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private static ConfigUpdate ToUpdate(XdsProposal proposal) =>
        new(proposal.Resources, proposal.Resources.VersionInfo ?? "", proposal.Scrutinized, proposal.Warm);

    private AdsOutcome Nack(string typeUrl, string version, IReadOnlyList<ResourceRejection> errors)
    {
        var serving = state.AcceptedVersion(typeUrl);
        var detail = $"{XdsTypes.Short(typeUrl)} version {version} rejected (still serving version {(serving.Length == 0 ? "none" : serving)}): {string.Join("; ", errors)}";
        LogRejected(log, detail);
        status?.Responded(typeUrl, version, accepted: false, detail);
        return new AdsOutcome(false, detail);
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "xDS {Type} version {Version} accepted: {Count} resources, {Removed} removed")]
    private static partial void LogAccepted(ILogger logger, string type, string version, int count, int removed);

    [LoggerMessage(EventId = 311, Level = LogLevel.Error, Message = "xDS NACK: {Detail}")]
    private static partial void LogRejected(ILogger logger, string detail);

    [LoggerMessage(EventId = 313, Level = LogLevel.Error, Message = "xDS {Type} version {Version} could not be handled (a bug, please report it); NACKed")]
    private static partial void LogHandlingFailed(ILogger logger, Exception exception, string type, string version);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "xDS resources did not arrive within {Seconds} s and are treated as absent: {Names}")]
    private static partial void LogAbsent(ILogger logger, double seconds, string names);
}
