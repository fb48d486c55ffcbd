namespace Kmesh.Daemon.Tests;

/// <summary>
/// nginx serving one tiny HTTP backend per listen address, each answering its own name: enough
/// to see which backend a request reached.
/// </summary>
internal sealed class HttpBackends : IDisposable
{
    private HttpBackends(string root) => Root = root;

    public string Root { get; }

    /// <summary>nginx's command line: foreground, one process, this folder as prefix.</summary>
    public IReadOnlyList<string> Arguments => ["-p", Root, "-c", Path.Combine(Root, "nginx.conf"), "-e", "stderr"];

    public static HttpBackends Create(params (string Listen, string Name)[] backends)
    {
        var root = Directory.CreateTempSubdirectory("kmt-http-").FullName;
        var servers = string.Join("\n", backends.Select(b => $$"""
              server {
                listen {{b.Listen}};
                location / { default_type text/plain; return 200 "{{b.Name}}"; }
              }
            """));
        File.WriteAllText(Path.Combine(root, "nginx.conf"), NginxSite.Foreground(root, servers));
        return new HttpBackends(root);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
