using System.ComponentModel.DataAnnotations;

namespace BenchPlatform.SandboxRunner;

/// <summary>
/// Settings of the runner (configuration section <c>Sandbox</c>, environment <c>Sandbox__…</c>):
/// where the interpreter is, the default and maximum limits of a run, the pool and the host features it insists on.
/// </summary>
public sealed class SandboxOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Sandbox";

    /// <summary>The Python interpreter the jails run (not the pyenv shim: a system interpreter whose files are world-readable).</summary>
    [Required]
    public string PythonPath { get; set; } = "/usr/bin/python3";

    /// <summary>Host paths bound read-only into every jail: the interpreter, its standard library and the shared libraries it loads.</summary>
    public List<string> ReadOnlyPaths { get; set; } = [];

    /// <summary>Extra module folders put on <c>sys.path</c> and bound read-only (Debian's numpy lives here); default <c>/usr/lib/python3/dist-packages</c>.</summary>
    public List<string>? PythonPaths { get; set; }

    /// <summary>Modules the zygote imports when they are installed, so blocks do not pay for them; default numpy.</summary>
    public List<string>? PreloadModules { get; set; }

    /// <summary><see cref="PythonPaths"/> or its default.</summary>
    public IReadOnlyList<string> EffectivePythonPaths => PythonPaths ?? ["/usr/lib/python3/dist-packages"];

    /// <summary><see cref="PreloadModules"/> or its default.</summary>
    public IReadOnlyList<string> EffectivePreloadModules => PreloadModules ?? ["numpy"];

    /// <summary>Warm jails kept started and idle.</summary>
    [Range(0, 256)]
    public int PoolSize { get; set; } = 2;

    /// <summary>
    /// Run children each jail keeps forked, jailed and warmed up ahead of its next requests. Each holds a process
    /// slot and about 2 MiB of its jail's memory; 2 lets a run start while the previous run's child is still being
    /// torn down.
    /// </summary>
    [Range(1, 8)]
    public int PreparedRuns { get; set; } = 2;

    /// <summary>Most jails alive at once (runs in parallel); requests beyond wait in a queue.</summary>
    [Range(1, 256)]
    public int MaxJails { get; set; } = 8;

    /// <summary>How long a jail above <see cref="PoolSize"/> stays idle before it is stopped.</summary>
    [Range(0, 3_600_000)]
    public int IdleTimeoutMs { get; set; } = 30_000;

    /// <summary>How long a request waits for a free jail before the runner answers 503.</summary>
    [Range(1, 600_000)]
    public int QueueTimeoutMs { get; set; } = 10_000;

    /// <summary>Timeout of a run that names none.</summary>
    [Range(1, 600_000)]
    public int DefaultTimeoutMs { get; set; } = 2_000;

    /// <summary>Largest timeout a run may ask for.</summary>
    [Range(1, 600_000)]
    public int MaxTimeoutMs { get; set; } = 30_000;

    /// <summary>Memory of a run that names none (address space beyond the interpreter's own).</summary>
    [Range(16, 65_536)]
    public int DefaultMemoryMb { get; set; } = 256;

    /// <summary>Smallest memory a run may ask for.</summary>
    [Range(16, 65_536)]
    public int MinMemoryMb { get; set; } = 16;

    /// <summary>Largest memory a run may ask for.</summary>
    [Range(16, 65_536)]
    public int MaxMemoryMb { get; set; } = 2_048;

    /// <summary>Cap on captured stdout and on captured stderr, each.</summary>
    [Range(1, 16 << 20)]
    public int OutputStreamCapBytes { get; set; } = 64 << 10;

    /// <summary>Cap on the JSON of a block's outputs.</summary>
    [Range(1, 256 << 20)]
    public int MaxOutputBytes { get; set; } = 8 << 20;

    /// <summary>Cap on a request body (code plus inputs).</summary>
    [Range(1, 1 << 30)]
    public int MaxRequestBytes { get; set; } = 8 << 20;

    /// <summary>Cap on the code of one block.</summary>
    [Range(1, 16 << 20)]
    public int MaxCodeBytes { get; set; } = 256 << 10;

    /// <summary>Size of the private tmpfs each run gets on <c>/tmp</c>.</summary>
    [Range(1, 16_384)]
    public int TmpfsMb { get; set; } = 64;

    /// <summary>Most files and folders a run may create on its tmpfs.</summary>
    [Range(16, 1 << 20)]
    public int MaxFiles { get; set; } = 4_096;

    /// <summary>Most processes (and threads) in one jail, through the pids cgroup and RLIMIT_NPROC.</summary>
    [Range(4, 4_096)]
    public int MaxProcesses { get; set; } = 64;

    /// <summary>Most open files of a run (RLIMIT_NOFILE).</summary>
    [Range(16, 65_536)]
    public int MaxOpenFiles { get; set; } = 256;

    /// <summary>First host uid a jail's root is mapped to (each jail gets its own, so jails cannot signal each other).</summary>
    [Range(1_000, int.MaxValue - 100_000)]
    public int JailUidBase { get; set; } = 200_000;

    /// <summary>Name of this runner's folder under each cgroup v1 controller (memory, pids).</summary>
    [Required]
    public string CgroupName { get; set; } = "benchplatform-sandbox";

    /// <summary>Where the cgroup v1 controllers are mounted.</summary>
    [Required]
    public string CgroupRoot { get; set; } = "/sys/fs/cgroup";

    /// <summary>Keep running (runs answer 503, <c>/health</c> says why) when no jail can start at all, instead of refusing to start.</summary>
    public bool AllowDegraded { get; set; }

    /// <summary>
    /// Refuse to start unless every feature of <c>JailFeatures.All</c> is active (root on a cgroup v1 host). By default
    /// the runner starts with what the host gives (rootless, no cgroups: rlimits only) and says what is lost.
    /// </summary>
    public bool RequireAllFeatures { get; set; }

    /// <summary>Extra time past a run's timeout before the runner kills the whole jail from outside.</summary>
    [Range(100, 60_000)]
    public int HardKillGraceMs { get; set; } = 2_000;
}
