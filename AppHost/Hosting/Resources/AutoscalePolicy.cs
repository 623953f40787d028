namespace BenchPlatform.AppHost.Hosting.Resources;

/// <summary>
/// How an autoscaled project's replica count follows demand:
/// desired = clamp(ceil((in-flight + waiting) / <see cref="TargetInflightPerReplica"/>), <see cref="Min"/>, <see cref="Max"/>),
/// up at once, down one replica at a time after demand stayed lower for <see cref="ScaleDownWindow"/>.
/// <see cref="Buffer"/> warm spares are added while there is any demand (Modal's <c>buffer_containers</c>).
/// </summary>
public sealed record AutoscalePolicy(int Min, int Max, int TargetInflightPerReplica, TimeSpan ScaleDownWindow, int Buffer = 0);
