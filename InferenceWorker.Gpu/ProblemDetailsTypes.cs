namespace BenchPlatform.InferenceWorker;

/// <summary>Gives every problem the worker answers with the <c>type</c> of its title (<see cref="ProblemTypes"/>).</summary>
internal static class ProblemDetailsTypes
{
    /// <summary>Adds problem details whose <c>type</c> links the title's section of docs/api.md.</summary>
    public static IServiceCollection AddTypedProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = static context =>
        {
            if (ProblemTypes.TryGet(context.ProblemDetails.Title, out var type))
            {
                context.ProblemDetails.Type = type;
            }
        });
}
