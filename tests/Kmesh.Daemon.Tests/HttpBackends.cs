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
        // master_process off: one process, so the pid the sandbox started is the server.
        File.WriteAllText(Path.Combine(root, "nginx.conf"), $$"""
            daemon off;
            master_process off;
            user root;
            worker_processes 1;
            pid {{root}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{root}}/tmp-body;
              proxy_temp_path {{root}}/tmp-proxy;
              fastcgi_temp_path {{root}}/tmp-fastcgi;
              uwsgi_temp_path {{root}}/tmp-uwsgi;
              scgi_temp_path {{root}}/tmp-scgi;
            {{servers}}
            }
            """);
        return new HttpBackends(root);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
