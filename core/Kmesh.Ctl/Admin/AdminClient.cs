using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Kmesh.Ctl.Admin;

/// <summary>
/// HTTP to one daemon's admin API. Every failure leaves as one of three exceptions whose
/// message is the whole story for the operator: unreachable, an HTTP error, an unreadable answer.
/// </summary>
internal sealed class AdminClient : IDisposable
{
    // A request/response call gets this long; the access-log stream has no limit.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;

    public AdminClient(Uri baseAddress)
    {
        BaseAddress = baseAddress;
        _http = new HttpClient(new SocketsHttpHandler
        {
            // The admin API is on this node; an http_proxy meant for the internet must not catch it.
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public Uri BaseAddress { get; }

    public Task<string> GetAsync(string pathAndQuery, CancellationToken ct) =>
        SendForTextAsync(HttpMethod.Get, pathAndQuery, ct);

    public Task<string> PostAsync(string pathAndQuery, CancellationToken ct) =>
        SendForTextAsync(HttpMethod.Post, pathAndQuery, ct);

    /// <summary>The lines of a streamed answer as they arrive, until the server ends it or <paramref name="ct"/> fires.</summary>
    public async IAsyncEnumerable<string> StreamLinesAsync(string pathAndQuery, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, pathAndQuery, HttpCompletionOption.ResponseHeadersRead, ct, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(ct);
            }
            catch (IOException e) when (!ct.IsCancellationRequested)
            {
                throw new AdminUnreachableException(BaseAddress, "the stream broke off", e);
            }
            if (line is null)
                yield break;
            if (line.Length > 0)
                yield return line;
        }
    }

    private async Task<string> SendForTextAsync(HttpMethod method, string pathAndQuery, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var response = await SendAsync(method, pathAndQuery, HttpCompletionOption.ResponseContentRead, timeout.Token, ct);
        return await response.Content.ReadAsStringAsync(timeout.Token);
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string pathAndQuery, HttpCompletionOption completion, CancellationToken requestToken, CancellationToken callerToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(new HttpRequestMessage(method, pathAndQuery), completion, requestToken);
        }
        catch (HttpRequestException e)
        {
            throw new AdminUnreachableException(BaseAddress, Describe(e), e);
        }
        catch (OperationCanceledException e) when (!callerToken.IsCancellationRequested)
        {
            throw new AdminUnreachableException(BaseAddress, $"no answer within {RequestTimeout.TotalSeconds:0} s", e);
        }
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
        {
            var message = (await response.Content.ReadAsStringAsync(requestToken)).Trim();
            if (message.Length == 0)
                message = response.ReasonPhrase ?? response.StatusCode.ToString();
            throw new AdminHttpException(response.StatusCode, "/" + pathAndQuery.TrimStart('/'), message);
        }
    }

    // The words an operator expects ("connection refused"), not .NET's sentence about them.
    private static string Describe(HttpRequestException e)
    {
        var socket = e.InnerException as SocketException ?? e.InnerException?.InnerException as SocketException;
        return socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connect timed out",
            SocketError.NetworkUnreachable => "network unreachable",
            SocketError.HostUnreachable => "host unreachable",
            SocketError.ConnectionReset => "connection reset",
            _ when e.HttpRequestError == HttpRequestError.NameResolutionError => "host not found",
            _ when e.HttpRequestError == HttpRequestError.ResponseEnded => "the connection closed without an answer",
            _ when e.HttpRequestError == HttpRequestError.InvalidResponse => "the answer is not HTTP",
            _ when e.InnerException is TimeoutException => "connect timed out",
            _ => e.Message.TrimEnd('.'),
        };
    }

    public void Dispose() => _http.Dispose();
}
