using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// Issue 16's one-endpoint change, end to end in process (server, ADS client, daemon update): not BenchmarkDotNet.
if (args.Contains("--one-endpoint"))
    return await Kmesh.Bench.Micro.OneEndpointChange.RunAsync(args);

// In-process (no generated project to build) with few iterations: each operation takes
// milliseconds to seconds, so a handful of iterations gives a stable mean on this machine.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
// Without a filter BenchmarkSwitcher would ask on the console which one to run: run them all.
string[] arguments = args.Contains("--filter") ? args : [.. args, "--filter", "*"];
BenchmarkSwitcher.FromAssembly(typeof(Kmesh.Bench.Micro.PushPipeline).Assembly).Run(arguments, config);
return 0;
