using System.Collections;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>
/// The connection is the request's feature collection, as Kestrel's is: the features ASP.NET Core
/// and YARP read are this object; any other a middleware sets lives until the request ends.
/// </summary>
internal sealed partial class Http1Connection<TContext> : IFeatureCollection, IHostContextContainer<TContext>,
    IHttpRequestFeature, IHttpConnectionFeature, IHttpRequestLifetimeFeature, IHttpRequestBodyDetectionFeature
{
    private Dictionary<Type, object>? _extraFeatures;
    private int _featureRevision;
    private CancellationTokenSource? _aborted;
    private Stream _requestBodyStream;

    public TContext? HostContext { get; set; }

    // IFeatureCollection
    public bool IsReadOnly => false;

    public int Revision => _featureRevision;

    public object? this[Type key]
    {
        get
        {
            if (_extraFeatures is { Count: > 0 } && _extraFeatures.TryGetValue(key, out var set))
                return set;
            return key == typeof(IHttpRequestFeature) || key == typeof(IHttpResponseFeature) || key == typeof(IHttpResponseBodyFeature)
                || key == typeof(IHttpConnectionFeature) || key == typeof(IHttpRequestLifetimeFeature) || key == typeof(IHttpRequestBodyDetectionFeature)
                ? this : null;
        }
        set
        {
            _extraFeatures ??= [];
            if (value is null)
                _extraFeatures.Remove(key);
            else
                _extraFeatures[key] = value;
            _featureRevision++;
        }
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        yield return new(typeof(IHttpRequestFeature), this);
        yield return new(typeof(IHttpResponseFeature), this);
        yield return new(typeof(IHttpResponseBodyFeature), this);
        yield return new(typeof(IHttpConnectionFeature), this);
        yield return new(typeof(IHttpRequestLifetimeFeature), this);
        yield return new(typeof(IHttpRequestBodyDetectionFeature), this);
        if (_extraFeatures is not null)
            foreach (var pair in _extraFeatures)
                yield return pair;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // IHttpRequestFeature
    public string Protocol
    {
        get => _version11 ? HttpProtocol.Http11 : HttpProtocol.Http10;
        set { }
    }

    public string Scheme { get; set; } = "http";

    public string Method
    {
        get => _method;
        set => _method = value;
    }

    public string PathBase { get; set; } = "";

    public string Path
    {
        get => _path;
        set => _path = value;
    }

    public string QueryString
    {
        get => _query;
        set => _query = value;
    }

    public string RawTarget
    {
        get => _rawTarget;
        set => _rawTarget = value;
    }

    IHeaderDictionary IHttpRequestFeature.Headers
    {
        get => _requestHeaders;
        set => throw new NotSupportedException("the request headers are the connection's");
    }

    Stream IHttpRequestFeature.Body
    {
        get => _requestBodyStream;
        set => _requestBodyStream = value;
    }

    // IHttpRequestBodyDetectionFeature
    public bool CanHaveBody => _requestBody.CanHaveBody;

    // IHttpConnectionFeature
    public string ConnectionId { get; set; } = "";

    public IPAddress? RemoteIpAddress { get; set; }

    public IPAddress? LocalIpAddress { get; set; }

    public int RemotePort { get; set; }

    public int LocalPort { get; set; }

    // IHttpRequestLifetimeFeature
    public CancellationToken RequestAborted
    {
        get => AbortedSource().Token;
        set { }
    }

    public void Abort()
    {
        _keepAlive = false;
        AbortedSource().Cancel();
        Cut();
    }

    /// <summary>Made on first use: by the application's thread, or by the read that sees the client go.</summary>
    private CancellationTokenSource AbortedSource()
    {
        if (Volatile.Read(ref _aborted) is { } made)
            return made;
        var source = new CancellationTokenSource();
        return Interlocked.CompareExchange(ref _aborted, source, null) ?? source;
    }
}
