using System.Text;
using BenchPlatform.Protocol.OpenAi;
using BenchPlatform.Protocol.Problems;

namespace BenchPlatform.Protocol.Tests.OpenAi;

/// <summary>
/// The shared table of completion and chat bodies: each runs through the gateway's mode
/// (<see cref="CompletionRequestReader.Validate"/>) and the worker's mode (<see cref="CompletionRequestReader.Read"/>),
/// which must agree: both accept, or both refuse with the same problem (title, field, detail). The table also pins
/// what the contract says of each case: accepted, or refused naming the field.
/// </summary>
public sealed class CompletionBodyAgreementTests
{
    /// <summary>Accepted: field null.</summary>
    public static TheoryData<string, bool, string, string?> Cases => new()
    {
        // Completions.
        { "prompt string", false, """{"model":"m","prompt":"hi"}""", null },
        { "prompt of one string", false, """{"model":"m","prompt":["hi"]}""", null },
        { "prompt token ids", false, """{"model":"m","prompt":[101,7,42]}""", null },
        { "every field", false, """{"model":"m","prompt":"hi","max_tokens":4,"temperature":0.5,"top_p":0.9,"top_k":40,"repetition_penalty":1.1,"seed":-9223372036854775808,"stop":["\n","."],"n":16,"stream":true,"strategy":"reread"}""", null },
        { "nulls mean defaults", false, """{"model":"m","prompt":"hi","max_tokens":null,"temperature":null,"seed":null,"stop":null,"n":null,"stream":null,"strategy":null}""", null },
        { "max_completion_tokens", false, """{"model":"m","prompt":"hi","max_completion_tokens":3}""", null },
        { "empty prompt (refused once the model is known)", false, """{"model":"m","prompt":""}""", null },
        { "no model", false, """{"prompt":"hi"}""", "model" },
        { "model a number", false, """{"model":1,"prompt":"hi"}""", "model" },
        { "no prompt", false, """{"model":"m"}""", "prompt" },
        { "prompt null", false, """{"model":"m","prompt":null}""", "prompt" },
        { "batch of prompts", false, """{"model":"m","prompt":["a","b"]}""", "prompt" },
        { "empty prompt array", false, """{"model":"m","prompt":[]}""", "prompt" },
        { "negative token id", false, """{"model":"m","prompt":[1,-2]}""", "prompt" },
        { "token id and string", false, """{"model":"m","prompt":[1,"a"]}""", "prompt" },
        { "prompt an object", false, """{"model":"m","prompt":{}}""", "prompt" },

        // Sampling fields.
        { "max_tokens 0", false, """{"model":"m","prompt":"hi","max_tokens":0}""", "max_tokens" },
        { "max_tokens a string", false, """{"model":"m","prompt":"hi","max_tokens":"5"}""", "max_tokens" },
        { "max_tokens fractional", false, """{"model":"m","prompt":"hi","max_tokens":1.5}""", "max_tokens" },
        { "max_completion_tokens -1", false, """{"model":"m","prompt":"hi","max_completion_tokens":-1}""", "max_completion_tokens" },
        { "temperature 2", false, """{"model":"m","prompt":"hi","temperature":2}""", null },
        { "temperature 7", false, """{"model":"m","prompt":"hi","temperature":7}""", "temperature" },
        { "temperature -0.1", false, """{"model":"m","prompt":"hi","temperature":-0.1}""", "temperature" },
        { "temperature a string", false, """{"model":"m","prompt":"hi","temperature":"hot"}""", "temperature" },
        { "top_p 0", false, """{"model":"m","prompt":"hi","top_p":0}""", "top_p" },
        { "top_p 1.5", false, """{"model":"m","prompt":"hi","top_p":1.5}""", "top_p" },
        { "top_k -1", false, """{"model":"m","prompt":"hi","top_k":-1}""", "top_k" },
        { "repetition_penalty 0", false, """{"model":"m","prompt":"hi","repetition_penalty":0}""", "repetition_penalty" },
        { "repetition_penalty 11", false, """{"model":"m","prompt":"hi","repetition_penalty":11}""", "repetition_penalty" },
        { "n 0", false, """{"model":"m","prompt":"hi","n":0}""", "n" },
        { "n 17", false, """{"model":"m","prompt":"hi","n":17}""", "n" },
        { "n a string", false, """{"model":"m","prompt":"hi","n":"2"}""", "n" },
        { "seed fractional", false, """{"model":"m","prompt":"hi","seed":1.5}""", "seed" },
        { "seed a string", false, """{"model":"m","prompt":"hi","seed":"42"}""", "seed" },
        { "seed over 64 bits", false, """{"model":"m","prompt":"hi","seed":9223372036854775808}""", "seed" },
        { "stream a string", false, """{"model":"m","prompt":"hi","stream":"yes"}""", "stream" },
        { "stream a number", false, """{"model":"m","prompt":"hi","stream":1}""", "stream" },
        { "stop a string", false, """{"model":"m","prompt":"hi","stop":"\n"}""", null },
        { "stop empty", false, """{"model":"m","prompt":"hi","stop":["","x"]}""", "stop" },
        { "five stops", false, """{"model":"m","prompt":"hi","stop":["a","b","c","d","e"]}""", "stop" },
        { "stop a number", false, """{"model":"m","prompt":"hi","stop":[1]}""", "stop" },

        // Strategies.
        { "baseline", false, """{"model":"m","prompt":"hi","strategy":"baseline","stream":true}""", null },
        { "diverse_sampling", false, """{"model":"m","prompt":"hi","strategy":"diverse_sampling","n":3}""", null },
        { "best_of_n", false, """{"model":"m","prompt":"hi","strategy":"best_of_n","stream":false}""", null },
        { "unknown strategy", false, """{"model":"m","prompt":"hi","strategy":"magic"}""", "strategy" },
        { "strategy in capitals", false, """{"model":"m","prompt":"hi","strategy":"BEST_OF_N"}""", "strategy" },
        { "strategy a number", false, """{"model":"m","prompt":"hi","strategy":1}""", "strategy" },
        { "best_of_n streamed", false, """{"model":"m","prompt":"hi","strategy":"best_of_n","stream":true}""", "stream" },
        { "diverse_sampling streamed", true, """{"model":"m","messages":[{"role":"user","content":"hi"}],"strategy":"diverse_sampling","stream":true}""", "stream" },

        // Chat.
        { "one message", true, """{"model":"m","messages":[{"role":"user","content":"hi"}]}""", null },
        { "every role", true, """{"model":"m","messages":[{"role":"system","content":"s"},{"role":"developer","content":"d"},{"role":"user","content":"u"},{"role":"assistant","content":null},{"role":"tool","content":"t"}]}""", null },
        { "text parts", true, """{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}""", null },
        { "content left out", true, """{"model":"m","messages":[{"role":"assistant"},{"role":"user","content":"hi"}]}""", null },
        { "no messages", true, """{"model":"m"}""", "messages" },
        { "messages an object", true, """{"model":"m","messages":{}}""", "messages" },
        { "empty messages", true, """{"model":"m","messages":[]}""", "messages" },
        { "message a string", true, """{"model":"m","messages":["hi"]}""", "messages[0]" },
        { "no role", true, """{"model":"m","messages":[{"content":"hi"}]}""", "messages[0].role" },
        { "unknown role", true, """{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"wizard","content":"hi"}]}""", "messages[1].role" },
        { "content a number", true, """{"model":"m","messages":[{"role":"user","content":5}]}""", "messages[0].content" },
        { "image part", true, """{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", "messages[0].content" },
        { "part not an object", true, """{"model":"m","messages":[{"role":"user","content":[1,"a",null]}]}""", "messages[0].content" },
        { "chat body on completions", false, """{"model":"m","messages":[{"role":"user","content":"hi"}]}""", "prompt" },
        { "completion body on chat", true, """{"model":"m","prompt":"hi"}""", "messages" },

        // Structure.
        { "empty body", false, "", "body" },
        { "not JSON", false, """{"model":"m","prompt":"hi",""", "body" },
        { "not an object", true, "[1,2]", "body" },
        { "trailing value", false, """{"model":"m","prompt":"hi"} {}""", "body" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GatewayAndWorker_EveryCase_AgreeAndMatchTheContract(string name, bool chat, string json, string? field)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var refusal = CompletionRequestReader.Validate(body, chat);
        CompletionRequest? read = null;
        BadRequestException? readError = null;
        try
        {
            read = CompletionRequestReader.Read(body, chat);
        }
        catch (BadRequestException ex)
        {
            readError = ex;
        }

        Assert.True((refusal is null) == (readError is null), $"{name}: gateway {refusal?.Message ?? "accepts"}; worker {readError?.Message ?? "accepts"}");
        if (readError is not null)
        {
            Assert.Equal((readError.Title, readError.Field, readError.Message), (refusal!.Title, refusal.Field, refusal.Message));
        }
        else
        {
            Assert.Equal("m", read!.Model);
        }

        Assert.True(field == readError?.Field, $"{name}: expected {field ?? "accepted"}, got {readError?.Field ?? "accepted"} ({readError?.Message})");
    }

    [Fact]
    public void Read_InvalidUtf8_RefusesNamingTheBody()
    {
        byte[] body = [.. """{"model":"m","prompt":"hi """u8, 0xFF, .. "\"}"u8];

        var refusal = CompletionRequestReader.Validate(body, chat: false);

        Assert.Equal(("Invalid UTF-8", "body"), (refusal?.Title, refusal?.Field));
    }

    [Fact]
    public void Read_EveryField_HoldsTheValuesSent()
    {
        var request = CompletionRequestReader.Read(Encoding.UTF8.GetBytes(
            """{"model":"m","prompt":[5,6],"max_tokens":4,"temperature":0.5,"top_p":0.25,"top_k":40,"repetition_penalty":1.5,"seed":-7,"stop":"x","n":3,"strategy":"diverse_sampling"}"""), chat: false);

        Assert.Equal([5, 6], request.PromptTokens!);
        Assert.Null(request.Prompt);
        Assert.Equal((4, 0.5f, 0.25f, 40, 1.5f, -7L, 3), (request.MaxTokens, request.Temperature, request.TopP, request.TopK, request.RepetitionPenalty, request.Seed, request.N));
        Assert.Equal(["x"], request.Stop);
        Assert.False(request.Stream);
        Assert.Equal(CompletionStrategy.DiverseSampling, request.Strategy);
    }

    [Fact]
    public void Read_ChatTextParts_JoinsThemIntoOneMessage()
    {
        var request = CompletionRequestReader.Read(Encoding.UTF8.GetBytes(
            """{"model":"m","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":[{"type":"text","text":"Hel"},{"type":"text","text":"lo"}]}]}"""), chat: true);

        Assert.Equal([new ChatMessage("system", "Be terse."), new ChatMessage("user", "Hello")], request.Messages);
    }

    [Fact]
    public void Read_UnknownStrategy_NamesEveryStrategyInTheDetail()
    {
        var refusal = CompletionRequestReader.Validate(Encoding.UTF8.GetBytes("""{"model":"m","prompt":"hi","strategy":"magic"}"""), chat: false);

        Assert.Equal("Unknown strategy", refusal?.Title);
        Assert.Equal("strategy 'magic' is unknown; use one of baseline, reread, diverse_sampling, best_of_n.", refusal?.Message);
    }

    [Theory]
    [InlineData(CompletionStrategy.Baseline, "baseline", false)]
    [InlineData(CompletionStrategy.Reread, "reread", false)]
    [InlineData(CompletionStrategy.DiverseSampling, "diverse_sampling", true)]
    [InlineData(CompletionStrategy.BestOfN, "best_of_n", true)]
    public void Strategy_WireName_RoundTripsAndSaysWhetherItChooses(CompletionStrategy strategy, string wire, bool chooses)
    {
        Assert.Equal(wire, strategy.WireName());
        Assert.True(CompletionStrategies.TryParse(wire, out var parsed));
        Assert.Equal(strategy, parsed);
        Assert.Equal(chooses, strategy.Chooses());
    }
}
