// kmesh-sandbox-agent: one JSON command per stdin line, one JSON reply per stdout line.
// See Agent.cs for the commands. The agent exits on `quit` or when stdin closes, so an agent
// whose test process crashed does not outlive it.
using Kmesh.Sdk.Testing.Agent;

string? cgroup = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--cgroup" && i + 1 < args.Length)
    {
        cgroup = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"usage: kmesh-sandbox-agent [--cgroup /sys/fs/cgroup/<cgroup2 dir>] (unknown argument '{args[i]}')");
        return 64;
    }
}

using var output = new ReplyWriter(Console.OpenStandardOutput());

// Join the cgroup before anything opens a socket: cgroup eBPF hooks see a socket's cgroup as of
// its creation, so a socket made before the move would bypass them.
if (cgroup is not null)
{
    try
    {
        CgroupJoin.Join(cgroup);
    }
    catch (Exception e)
    {
        output.Write(Reply.Fatal($"could not join cgroup {cgroup}: {e.Message}"));
        return 2;
    }
}

await using var agent = new Agent();
output.Write(Reply.Ready(Environment.ProcessId, ProcInfo.Cgroup()));

using var input = new StreamReader(Console.OpenStandardInput());
while (await input.ReadLineAsync() is { } line)
{
    if (string.IsNullOrWhiteSpace(line))
    {
        continue;
    }

    var (reply, quit) = await agent.HandleAsync(line);
    output.Write(reply);
    if (quit)
    {
        break;
    }
}

return 0;
