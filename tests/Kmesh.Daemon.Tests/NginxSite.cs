using System.Security.Cryptography;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// A throw-away static site for a real nginx: seeded random files under <c>www/</c> and a config
/// that keeps everything (pid, temp paths, logs to stderr) in one temporary folder, with
/// <c>sendfile on</c> and long keep-alive. Run it with <see cref="Arguments"/>; deleted on dispose.
/// </summary>
internal sealed class NginxSite : IDisposable
{
    private NginxSite(string root, IReadOnlyList<string> paths)
    {
        Root = root;
        Paths = paths;
    }

    /// <summary>The temporary folder holding the config, the site and anything else a test writes.</summary>
    public string Root { get; }

    /// <summary>The site's files as URL paths (<c>/small/3.bin</c>, <c>/large.bin</c>).</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>nginx's command line: foreground, one process, this folder as prefix.</summary>
    public IReadOnlyList<string> Arguments => ["-p", Root, "-c", Path.Combine(Root, "nginx.conf"), "-e", "stderr"];

    /// <summary>The served file behind a URL path.</summary>
    public string FileOf(string urlPath) => Path.Combine(Root, "www", urlPath.TrimStart('/'));

    /// <summary>
    /// Writes <paramref name="smallFiles"/> files of 1 to 64 KiB and one of <paramref name="largeBytes"/>
    /// (served with sendfile: nginx's choice for static files), and a config listening on <paramref name="listen"/>.
    /// </summary>
    public static NginxSite Create(string listen, int smallFiles, int largeBytes, int seed)
    {
        var root = Directory.CreateTempSubdirectory("kmt-nginx-").FullName;
        try
        {
            var random = new Random(seed);
            Directory.CreateDirectory(Path.Combine(root, "www", "small"));
            var paths = new List<string>();
            for (var i = 0; i < smallFiles; i++)
                paths.Add(Write(root, $"/small/{i}.bin", random, random.Next(1, 64 * 1024)));
            paths.Add(Write(root, "/large.bin", random, largeBytes));
            File.WriteAllText(Path.Combine(root, "nginx.conf"), Config(root, listen));
            return new NginxSite(root, paths);
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    public static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static string Write(string root, string urlPath, Random random, int bytes)
    {
        var content = new byte[bytes];
        random.NextBytes(content);
        File.WriteAllBytes(Path.Combine(root, "www", urlPath.TrimStart('/')), content);
        return urlPath;
    }

    private static string Config(string root, string listen) => Foreground(root, $$"""
          default_type application/octet-stream;
          sendfile on;
          keepalive_requests 100000;
          keepalive_timeout 60s;
          server {
            listen {{listen}};
            root {{root}}/www;
          }
        """);

    /// <summary>
    /// An nginx config around <paramref name="http"/> (the inside of its <c>http</c> block) that runs
    /// in the foreground as one process with every temporary path under <paramref name="root"/>.
    /// master_process off: one process, so the pid the sandbox started is the server. user root: as
    /// root nginx would otherwise switch to nobody, who cannot read the 0700 temporary folder.
    /// </summary>
    public static string Foreground(string root, string http) => $$"""
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
        {{http}}
        }
        """;
}
