using Microsoft.AspNetCore.Http.HttpResults;

namespace BenchPlatform.InferenceWorker;

/// <summary>
/// The worker's <c>application/problem+json</c> answers, each with the <c>type</c> of its title (<see cref="ProblemTypes"/>).
/// The type is set here, not by a problem-details customizer, which a client's <c>Accept</c> header can bypass.
/// </summary>
internal static class WorkerProblem
{
    public static ProblemHttpResult Create(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: ProblemTypes.Of(title));
}
