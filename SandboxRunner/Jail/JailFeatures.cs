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
}
