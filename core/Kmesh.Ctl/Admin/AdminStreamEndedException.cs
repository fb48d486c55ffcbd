namespace Kmesh.Ctl.Admin;

/// <summary>The daemon closed a stream that only the client is meant to end (it stopped, or restarted).</summary>
internal sealed class AdminStreamEndedException(string path)
    : AdminException($"the daemon ended {path} (stopped or restarted?)");
