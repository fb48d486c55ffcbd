using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Server;

/// <summary>What the server saw its clients do: logged, and kept for tests (NACKs above all).</summary>
public sealed partial class AdsServerEvents(ILogger log)
{
    private readonly ConcurrentQueue<string> _nacks = new();
    private readonly ConcurrentQueue<string> _nodes = new();
    private int _acks;

    /// <summary>Every NACK's error_detail message, in arrival order.</summary>
    public IReadOnlyList<string> Nacks => _nacks.ToArray();

    /// <summary>Node ids that opened streams, in order.</summary>
    public IReadOnlyList<string> Nodes => _nodes.ToArray();

    /// <summary>How many ACKs arrived.</summary>
    public int Acks => Volatile.Read(ref _acks);

    internal void NodeSeen(string peer, string nodeId)
    {
        _nodes.Enqueue(nodeId);
        LogNode(log, peer, nodeId);
    }

    internal void Nacked(string peer, string type, string nonce, string detail)
    {
        _nacks.Enqueue(detail);
        LogNack(log, peer, type, nonce, detail);
    }

    internal void Acked(string peer, string type, string version)
    {
        Interlocked.Increment(ref _acks);
        LogAck(log, peer, type, version);
    }

    internal void Sent(string peer, string type, string version, int count, int removed) => LogSent(log, peer, type, version, count, removed);

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "{Peer}: stream from node {NodeId}")]
    private static partial void LogNode(ILogger logger, string peer, string nodeId);

    [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "{Peer}: NACK of {Type} (nonce {Nonce}): {Detail}")]
    private static partial void LogNack(ILogger logger, string peer, string type, string nonce, string detail);

    [LoggerMessage(EventId = 412, Level = LogLevel.Debug, Message = "{Peer}: ACK of {Type} {Version}")]
    private static partial void LogAck(ILogger logger, string peer, string type, string version);

    [LoggerMessage(EventId = 413, Level = LogLevel.Information, Message = "{Peer}: sent {Type} version {Version}: {Count} resources, {Removed} removed")]
    private static partial void LogSent(ILogger logger, string peer, string type, string version, int count, int removed);
}
