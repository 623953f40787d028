namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>The isolation features a jail can have; <c>/health</c> lists the active ones.</summary>
public static class JailFeatures
{
    /// <summary>Every feature the runner asks of the host; missing any stops the runner unless degraded mode is allowed.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        "user_ns", "pid_ns", "mount_ns", "net_ns", "ipc_ns", "uts_ns", "cgroup_ns", "run_pid_ns", "run_ipc_ns", "pivot_root",
        "readonly_root", "tmpfs", "rlimits", "capabilities_dropped", "no_new_privs", "seccomp", "separate_uid", "cgroup_memory",
        "cgroup_pids",
    ];

    /// <summary>What a host without the feature gives up, as <c>/health</c> and the start-up log say it.</summary>
    public static string Lost(string feature) => feature switch
    {
        "separate_uid" => "jails run as the runner's own host uid instead of one unprivileged uid per jail: code that escaped "
            + "its namespaces would act as the runner's user (run the runner as root for a uid per jail)",
        "cgroup_memory" => "no memory limit on a jail as a whole: each process is held by RLIMIT_AS (memory_mb), but not the sum "
            + "of a run's processes nor its tmpfs, and a kernel OOM kill is not reported as memory_limit",
        "cgroup_pids" => "processes are held by RLIMIT_NPROC in the jail's own user namespace (MaxProcesses per jail) instead of "
            + "a pids cgroup, and the runner kills a stuck jail by its process tree instead of by cgroup",
        "seccomp" => "no system call filter (only on x86_64): the kernel's whole system call surface is reachable",
        _ => $"{feature} is not set up",
    };

    /// <summary>The mode a runner with <paramref name="active"/> features is in, in a few words.</summary>
    public static string Mode(IReadOnlyCollection<string> active) =>
        (active.Contains("separate_uid") ? "root" : "rootless") + ", "
        + (active.Contains("cgroup_memory") ? "cgroup v1 limits" : "rlimits only");
}
