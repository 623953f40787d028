using System.IO.Compression;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Management;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// <c>POST /v1/llm/models?name=</c>: an LLM uploaded as a GGUF file or a zip of an ONNX model folder, loaded here, then
/// recorded in the registry so every replica serves it.
/// </summary>
internal static class LlmUpload
{
    public static async Task<Results<Created<LlmUploadResponse>, ProblemHttpResult>> UploadAsync(
        HttpContext context, LlmCatalog catalog, LlmRegistry registry, IOptions<StorageOptions> storage, string? name)
    {
        if (ModelNames.Check(name) is { } problem)
        {
            return WorkerProblem.Create(StatusCodes.Status400BadRequest, ProblemTitles.InvalidModelName, problem);
        }

        if (catalog.Contains(name!))
        {
            return WorkerProblem.Create(StatusCodes.Status409Conflict, ProblemTitles.ModelExists, $"An LLM named '{name}' is already served; pick another name.");
        }

        var root = Path.GetFullPath(Path.Combine(storage.Value.Root, "llm"));
        var staging = Path.Combine(root, $".upload-{Guid.NewGuid():N}");
        try
        {
            // The body goes to disk (a GGUF is gigabytes), then is told apart by its first bytes: GGUF magic or a zip.
            Directory.CreateDirectory(staging);
            var body = Path.Combine(staging, "upload.bin");
            await using (var file = File.Create(body))
            {
                await context.Request.Body.CopyToAsync(file, context.RequestAborted);
            }

            var gguf = StartsWithGgufMagic(body);
            var folder = await UnpackAsync(body, gguf, Path.Combine(staging, "model"), root, context.RequestAborted);
            var model = Load(catalog, name!, folder, Path.Combine(root, name!), root);

            // Recorded once it loaded here, so other replicas (now and after restarts) serve it too. With the registry
            // unreachable it is still served here; the answer says it was not registered.
            LlmRegistration? registration;
            try
            {
                registration = await registry.RecordAsync(name!, body, gguf ? LlmRegistration.Gguf : LlmRegistration.Zip, context.RequestAborted);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or IOException)
            {
                registration = null;
            }

            var decoder = model.Engine.Decoder;
            return TypedResults.Created((string?)null, new LlmUploadResponse(
                model.Name, "model", "llm", decoder.EngineName, model.Config.ContextLength, decoder.VocabSize, decoder.Layers, registration is not null));
        }
        catch (LlmRequestException e)
        {
            return WorkerProblem.Create(e.Status, e.Title, e.Message);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    // The model folder: the GGUF as model.gguf, or the zip extracted (a zip of the folder itself, one top-level
    // directory, is accepted as well as a zip of its contents).
    private static async Task<string> UnpackAsync(string body, bool gguf, string folder, string root, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        if (gguf)
        {
            File.Copy(body, Path.Combine(folder, "model.gguf"));
            return folder;
        }

        try
        {
            await ZipFile.ExtractToDirectoryAsync(body, folder, overwriteFiles: false, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw Bad(ProblemTitles.InvalidModelUpload, "The body must be a .gguf file or a zip of an ONNX model folder (model.onnx, tokenizer.json, config.json); it is neither: " + Redact(e.Message, root));
        }

        return Directory.GetFiles(folder).Length == 0 && Directory.GetDirectories(folder) is [var only] ? only : folder;
    }

    // Moves the folder to the model's place and loads it; a folder that does not load is removed.
    private static LocalLlm Load(LlmCatalog catalog, string name, string folder, string target, string root)
    {
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        Directory.Move(folder, target);
        try
        {
            return catalog.LoadLocal(name, target);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or JsonException)
        {
            Directory.Delete(target, recursive: true);
            throw Bad(ProblemTitles.InvalidModel, Redact(e.Message, root));
        }
    }

    private static bool StartsWithGgufMagic(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("GGUF"u8);
    }

    // Error details never name a server folder: paths under the LLM state folder become paths inside the upload.
    private static string Redact(string message, string root)
    {
        var text = message;
        var at = text.IndexOf(root, StringComparison.Ordinal);
        while (at >= 0)
        {
            // Drop the root, the upload's folder name and the separator after it.
            var end = at + root.Length;
            if (end < text.Length && text[end] == Path.DirectorySeparatorChar)
            {
                var next = text.IndexOf(Path.DirectorySeparatorChar, end + 1);
                var space = text.IndexOfAny([' ', ':', '\'', ','], end + 1);
                end = next >= 0 && (space < 0 || next < space) ? next + 1 : (space >= 0 ? space : text.Length);
            }

            text = string.Concat(text.AsSpan(0, at), text.AsSpan(end));
            at = text.IndexOf(root, StringComparison.Ordinal);
        }

        return text.Length == 0 ? "the upload is not a model" : text;
    }

    private static LlmRequestException Bad(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);
}
