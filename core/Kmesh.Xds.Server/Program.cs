using Kmesh.Xds.Server;
using Microsoft.Extensions.Logging;

const string usage = """
    usage: kmesh xds serve --dir DIR [--port N] [--log-level LEVEL]
      --dir DIR           serve the Envoy v3 resources of DIR's *.yaml, *.yml and *.json files (watched)
      --port N            port on 127.0.0.1 (default 18000; 0 picks a free one)
      --log-level LEVEL   trace, debug, information (default), warning, error
    """;

if (args.Length == 0 || args[0] != "serve")
{
    Console.Error.WriteLine(usage);
    return args.Length > 0 && args[0] is "-h" or "--help" ? 0 : 2;
}
string? dir = null;
var port = 18000;
var level = LogLevel.Information;
for (var i = 1; i < args.Length; i++)
{
    string? Value() => i + 1 < args.Length ? args[++i] : null;
    var ok = args[i] switch
    {
        "--dir" => (dir = Value()) is not null,
        "--port" => int.TryParse(Value(), out port) && port is >= 0 and <= 65535,
        "--log-level" => Enum.TryParse(Value(), ignoreCase: true, out level),
        _ => false,
    };
    if (!ok)
    {
        Console.Error.WriteLine($"kmesh xds serve: bad argument {args[i]}");
        Console.Error.WriteLine(usage);
        return 2;
    }
}
if (dir is null || !Directory.Exists(dir))
{
    Console.Error.WriteLine(dir is null ? "kmesh xds serve: --dir DIR is required" : $"kmesh xds serve: {dir}: no such directory");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(level).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning).AddSimpleConsole(c =>
{
    c.SingleLine = true;
    c.TimestampFormat = "HH:mm:ss.fff ";
}));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
try
{
    await using var server = await FileAdsServer.StartAsync(dir, port, loggerFactory, stop.Token);
    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
}
catch (IOException e)
{
    Console.Error.WriteLine($"kmesh xds serve: {e.Message}");
    return 1;
}
return 0;
