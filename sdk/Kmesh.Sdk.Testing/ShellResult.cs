namespace Kmesh.Sdk.Testing;

/// <summary>The outcome of one <see cref="Shell"/> command.</summary>
internal readonly record struct ShellResult(int ExitCode, string Stdout, string Stderr);
