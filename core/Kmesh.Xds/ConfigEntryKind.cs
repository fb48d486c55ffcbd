namespace Kmesh.Xds;

/// <summary>What an item of a config file is (see <see cref="ConfigEntry"/>).</summary>
public enum ConfigEntryKind
{
    /// <summary>An LDS <c>Listener</c>.</summary>
    Listener,
    /// <summary>A CDS <c>Cluster</c>.</summary>
    Cluster,
    /// <summary>An EDS <c>ClusterLoadAssignment</c>.</summary>
    ClusterLoadAssignment,
    /// <summary>An RDS <c>RouteConfiguration</c>.</summary>
    RouteConfiguration,
    /// <summary>A TLS secret (SDS): a bootstrap's static secret or a listed <c>Secret</c>.</summary>
    Secret,
    /// <summary>A resource of another xDS type Kmesh does not read (scoped routes, VHDS, RTDS, ECDS, LEDS).</summary>
    OtherXdsResource,
    /// <summary>A listed resource whose <c>@type</c> Kmesh does not know at all.</summary>
    UnknownResource,
    /// <summary>A bootstrap field other than <c>static_resources</c> (admin, node, layered_runtime, ...).</summary>
    BootstrapField,
    /// <summary>A field of a Kubernetes custom resource carrying Envoy resources that is Kubernetes' or Cilium's business (a CiliumEnvoyConfig's <c>services</c>...).</summary>
    KubernetesField,
    /// <summary>A section of a <c>/config_dump</c> that holds no resource Kmesh reads (bootstrap, secrets, ...).</summary>
    ConfigDumpSection,
}
