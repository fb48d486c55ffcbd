namespace Kmesh.Plugins.Accelerate;

/// <summary>Names of the acceleration object's maps (accelerate.bpf.c).</summary>
internal static class AccelerateMaps
{
    /// <summary>Service ids (listeners) whose connections are never accelerated.</summary>
    public const string OptOutServices = "acc_optout_services";

    /// <summary>Cluster ids whose connections are never accelerated.</summary>
    public const string OptOutClusters = "acc_optout_clusters";

    /// <summary>Workload cgroup ids whose processes are never accelerated.</summary>
    public const string OptOutCgroups = "acc_optout_cgroups";

    /// <summary>One <see cref="AccelerateSettings"/>, key 0.</summary>
    public const string Settings = "acc_settings";
}
