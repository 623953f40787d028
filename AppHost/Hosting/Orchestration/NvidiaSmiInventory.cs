using System.Diagnostics;
using System.Globalization;
using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>GPUs from <c>nvidia-smi</c>, or from <c>/proc/driver/nvidia/gpus</c> when the tool is missing.</summary>
internal sealed class NvidiaSmiInventory : IGpuInventory
{
    public IReadOnlyList<GpuDevice> Detect()
    {
        if (ExecutableLocator.Find("nvidia-smi") is { } smi)
        {
            var start = new ProcessStartInfo(smi, ["--query-gpu=index,name,memory.total,memory.free", "--format=csv,noheader,nounits"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start);
            if (process is not null)
            {
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit(5000);
                if (process.HasExited && process.ExitCode == 0)
                {
                    return Parse(output);
                }
            }
        }

        const string proc = "/proc/driver/nvidia/gpus";
        return Directory.Exists(proc)
            ? [.. Directory.GetDirectories(proc).Order(StringComparer.Ordinal).Select((d, i) => new GpuDevice(i, Path.GetFileName(d), 0, 0))]
            : [];
    }

    /// <summary>Parses <c>index, name, total, free</c> lines.</summary>
    internal static List<GpuDevice> Parse(string csv)
    {
        var devices = new List<GpuDevice>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length == 4
                && int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index)
                && long.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var total)
                && long.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var free))
            {
                devices.Add(new GpuDevice(index, fields[1], total, free));
            }
        }

        return devices;
    }
}
