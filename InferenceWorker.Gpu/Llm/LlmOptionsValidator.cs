using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>Reports every <see cref="LlmOptions"/> error at once, each naming its configuration key.</summary>
internal sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
