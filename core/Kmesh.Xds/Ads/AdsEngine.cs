using Kmesh.Sdk.Snapshot;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Ads;

/// <summary>
/// Turns one response into ACK or NACK, the same for SotW and delta: decode, propose the new
/// state (warming applied), let the daemon validate and apply it whole, and commit only then.
/// A refused response leaves both the state and the kernel as they were.
/// </summary>
/// <remarks>
/// The first fetch (from nothing until the first warm state) is offered once, whole: each
/// response is decoded, checked (<see cref="AdsValidation"/>) and held, unanswered, while the
/// state it leads to still warms; the first response that completes it offers the daemon the
/// union of what they brought, judged for all of them. Accepted, every held response is ACKed in
/// order. Refused, they are handled again one at a time as any later response is (each offered
/// and judged on its own), so that a NACK lands on the response that brought the fault. Offering
/// every response of the first fetch instead would translate the mesh once per response (three
/// full translations of 10 000 services before the first write).
/// </remarks>
internal sealed partial class AdsEngine(XdsState state, IConfigSink sink, ILogger log, XdsStatus? status = null)
{
    /// <summary>How a response is answered (an ACK or a NACK written on the stream it came on); maybe later than it was handled.</summary>
    public delegate Task Answer(AdsOutcome outcome);

    /// <summary>A response of the first fetch, checked, whose answer waits for the fetch to complete.</summary>
    private sealed record HeldResponse(string TypeUrl, List<XdsResource> Decoded, IReadOnlyCollection<string> Removals, bool ReplaceAll,
        string Version, IReadOnlySet<ResourceRef>? Scrutinized, SotwBodies? Bodies, Answer Answer);

    private readonly List<HeldResponse> _held = [];
    // Until a first fetch was offered whole (accepted, or replayed response by response), responses are held.
    private bool _firstFetch = true;

    public XdsState State => state;

    /// <summary>False: every response is offered on its own, the first fetch too (protocol tests that script each answer).</summary>
    public bool HoldFirstFetch { get; init; } = true;

    /// <summary>Responses held, unanswered, because the first fetch is still under way (for tests and logs).</summary>
    public int Held => _held.Count;

    // bodies (SotW): what the last accepted responses carried, so that unchanged bodies are neither parsed nor validated again.
    public async Task HandleAsync(string typeUrl, IEnumerable<XdsDecoder.Wire> items, IReadOnlyCollection<string> removals,
        bool replaceAll, string version, Answer answer, CancellationToken cancellationToken, SotwBodies? bodies = null)
    {
        status?.StreamAnswered();
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var errors = new List<ResourceRejection>();
            List<XdsResource> decoded;
            try
            {
                decoded = XdsDecoder.Decode(typeUrl, items, errors, bodies);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                await answer(Failed(e, typeUrl, version)).ConfigureAwait(false);
                return;
            }
            if (errors.Count > 0)
            {
                await answer(Nack(typeUrl, version, errors)).ConfigureAwait(false);
                return;
            }
            if (HoldFirstFetch && _firstFetch)
            {
                await HoldAsync(new HeldResponse(typeUrl, decoded, removals, replaceAll, version, null, bodies, answer), cancellationToken).ConfigureAwait(false);
                return;
            }
            await answer(await OfferAsync(typeUrl, decoded, removals, replaceAll, version, bodies, validate: true, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>The normal path: propose, check, offer, commit; the outcome to answer.</summary>
    private async Task<AdsOutcome> OfferAsync(string typeUrl, List<XdsResource> decoded, IReadOnlyCollection<string> removals,
        bool replaceAll, string version, SotwBodies? bodies, bool validate, CancellationToken cancellationToken)
    {
        XdsProposal proposal;
        ConfigVerdict verdict;
        try
        {
            proposal = state.Propose(typeUrl, decoded, removals, replaceAll, version);
            // What Envoy would refuse (its proto rules, its checks in code) is NACKed before the daemon sees it.
            // A body accepted before was validated then (a cluster's change is checked against the assignment it keeps).
            if (validate && AdsValidation.Check(typeUrl, decoded.Where(r => !r.Unchanged).ToList(), proposal, state.EdsIndex) is { Count: > 0 } invalid)
                return Nack(typeUrl, version, invalid);
            verdict = await sink.OfferAsync(ToUpdate(proposal) with { InForce = () => status?.InForce(typeUrl, version) }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return Failed(e, typeUrl, version);
        }
        if (!verdict.Accepted)
            return Nack(typeUrl, version, verdict.Rejections);
        state.Commit(proposal);
        Accepted(typeUrl, version, decoded, removals.Count, bodies);
        return AdsOutcome.Ack;
    }

    /// <summary>
    /// A response of the first fetch: checked, then its state is taken provisionally (so that the
    /// stream subscribes what it names) and its answer waits; once the state is warm, it is all
    /// offered at once.
    /// </summary>
    private async Task HoldAsync(HeldResponse response, CancellationToken cancellationToken)
    {
        XdsProposal proposal;
        try
        {
            proposal = state.Propose(response.TypeUrl, response.Decoded, response.Removals, response.ReplaceAll, response.Version);
            var invalid = AdsValidation.Check(response.TypeUrl, response.Decoded, proposal, state.EdsIndex);
            if (invalid.Count > 0)
            {
                await response.Answer(Nack(response.TypeUrl, response.Version, invalid)).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            await response.Answer(Failed(e, response.TypeUrl, response.Version)).ConfigureAwait(false);
            return;
        }
        state.Commit(proposal);
        _held.Add(response with { Scrutinized = proposal.Scrutinized });
        LogHeld(log, XdsTypes.Short(response.TypeUrl), response.Version, response.Decoded.Count);
        if (proposal.Warm)
            await OfferHeldAsync(proposal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first fetch is complete: offers what the held responses brought, whole; answers each of them.</summary>
    private async Task OfferHeldAsync(XdsProposal warm, CancellationToken cancellationToken)
    {
        var held = _held.ToList();
        _held.Clear();
        _firstFetch = false;
        var scrutinized = new HashSet<ResourceRef>();
        foreach (var response in held)
            scrutinized.UnionWith(response.Scrutinized ?? new HashSet<ResourceRef>());
        ConfigVerdict verdict;
        try
        {
            var update = ToUpdate(warm with { Scrutinized = scrutinized }) with
            {
                InForce = () =>
                {
                    foreach (var response in held)
                        status?.InForce(response.TypeUrl, response.Version);
                },
            };
            verdict = await sink.OfferAsync(update, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            LogHandlingFailed(log, e, "first fetch", warm.Resources.VersionInfo ?? "");
            verdict = ConfigVerdict.Reject([]);
        }
        if (verdict.Accepted)
        {
            foreach (var response in held)
            {
                Accepted(response.TypeUrl, response.Version, response.Decoded, response.Removals.Count, response.Bodies);
                await response.Answer(AdsOutcome.Ack).ConfigureAwait(false);
            }
            return;
        }
        // Refused: from nothing again, each response as if it came alone, so that each is answered for what it brought.
        LogReplaying(log, held.Count);
        state.Clear();
        foreach (var response in held)
        {
            var outcome = await OfferAsync(response.TypeUrl, response.Decoded, response.Removals, response.ReplaceAll, response.Version,
                response.Bodies, validate: false, cancellationToken).ConfigureAwait(false);
            await response.Answer(outcome).ConfigureAwait(false);
        }
    }

    /// <summary>The stream that brought held responses ended: they are forgotten unanswered, and so is the state they led to (the next stream fetches it again).</summary>
    public async Task StreamEndedAsync()
    {
        await state.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_held.Count == 0)
                return;
            _held.Clear();
            state.Clear();
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
            if (_held.Count > 0)
            {
                // The first fetch waited on them: without them it may be complete now.
                if (proposal.Warm)
                {
                    state.Commit(proposal);
                    try
                    {
                        await OfferHeldAsync(proposal, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
                    {
                        // The answers go on the stream that brought the responses: if it just broke, the
                        // next one fetches again. The timer itself must go on.
                        LogAnswersLost(log, e.Message);
                    }
                }
                return;
            }
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

    private void Accepted(string typeUrl, string version, List<XdsResource> decoded, int removed, SotwBodies? bodies)
    {
        bodies?.Accepted(typeUrl, decoded);
        status?.Responded(typeUrl, version, accepted: true, null);
        LogAccepted(log, XdsTypes.Short(typeUrl), version, decoded.Count, removed);
    }

    /// <summary>Whatever this response does to the client, it is the response that is refused: the stream and the last good config go on, and the server is told why.</summary>
    private AdsOutcome Failed(Exception e, string typeUrl, string version)
    {
        LogHandlingFailed(log, e, XdsTypes.Short(typeUrl), version);
        return Nack(typeUrl, version, [new ResourceRejection(typeUrl, "", $"kmesh failed handling it ({e.GetType().Name}: {e.Message})")]);
    }

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

    [LoggerMessage(EventId = 314, Level = LogLevel.Information, Message = "xDS {Type} version {Version} checked ({Count} resources), answered once the first fetch is complete")]
    private static partial void LogHeld(ILogger logger, string type, string version, int count);

    [LoggerMessage(EventId = 316, Level = LogLevel.Warning, Message = "The first fetch's answers could not be written ({Reason}); the stream reconnects and fetches again")]
    private static partial void LogAnswersLost(ILogger logger, string reason);

    [LoggerMessage(EventId = 315, Level = LogLevel.Warning, Message = "The first fetch was refused whole: its {Count} responses are judged again one at a time, each answered for what it brought")]
    private static partial void LogReplaying(ILogger logger, int count);
}
