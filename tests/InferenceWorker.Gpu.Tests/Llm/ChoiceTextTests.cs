using System.Text;
using BenchPlatform.InferenceWorker.Llm;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

public sealed class ChoiceTextTests(TinyLmFolder model) : IClassFixture<TinyLmFolder>
{
    // Byte tokens (the tiny vocabulary's byte b is token b), so multi-byte characters arrive split across tokens.
    private const string Sample = "Héllo wörld — naïve café ✓ the end";

    [Fact]
    public void Append_TokenByToken_PiecesJoinToTheWholeDecodeAndNeverSplitACharacter()
    {
        var tokenizer = LlmTokenizer.Load(model.Path);
        var ids = Encoding.UTF8.GetBytes(Sample).Select(b => (int)b).ToArray();
        var text = new ChoiceText(tokenizer, []);
        var pieces = new List<string>();
        foreach (var id in ids)
        {
            pieces.Add(text.Append(id, -1f, isEos: false));
        }

        pieces.Add(text.Flush());
        Assert.Equal(tokenizer.Decode(ids), string.Concat(pieces));
        Assert.Equal(Sample, string.Concat(pieces));
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
        Assert.Equal(ids.Length, text.TokenCount);
        Assert.Equal(-ids.Length, text.LogProbSum, 6);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void Add_TakenEveryFewTokens_ChunksJoinToWhatTokenByTokenSendsAndStopStillCuts(int every)
    {
        var tokenizer = LlmTokenizer.Load(model.Path);
        var ids = Encoding.UTF8.GetBytes(Sample).Select(b => (int)b).ToArray();
        foreach (var stop in new[] { Array.Empty<string>(), ["xyz", "café"] })
        {
            var byToken = new ChoiceText(tokenizer, stop);
            var coalesced = new ChoiceText(tokenizer, stop);
            var expected = new StringBuilder();
            var chunks = new List<string>();
            for (var i = 0; i < ids.Length && !byToken.Stopped; i++)
            {
                expected.Append(byToken.Append(ids[i], 0, isEos: false));
                coalesced.Add(ids[i], 0, isEos: false);
                if (i % every == 0)
                {
                    chunks.Add(coalesced.TakeReady());
                }
            }

            expected.Append(byToken.Flush());
            chunks.Add(coalesced.Flush());
            Assert.Equal(expected.ToString(), string.Concat(chunks));
            Assert.Equal(stop.Length == 0 ? Sample : Sample[..Sample.IndexOf("café", StringComparison.Ordinal)], string.Concat(chunks));
            Assert.False(coalesced.HasReady);
        }
    }

    [Fact]
    public void Append_NotStreamedWithoutStop_NothingBeforeTheEndThenTheWholeText()
    {
        var tokenizer = LlmTokenizer.Load(model.Path);
        var ids = Encoding.UTF8.GetBytes(Sample).Select(b => (int)b).ToArray();
        var text = new ChoiceText(tokenizer, [], streamed: false);
        foreach (var id in ids)
        {
            Assert.Equal("", text.Append(id, -0.5f, isEos: false));
        }

        Assert.Equal(Sample, text.Flush());
        Assert.Equal(Sample, text.Text);
        Assert.Equal(ids.Length, text.TokenCount);
        Assert.Equal(-0.5 * ids.Length, text.LogProbSum, 6);
    }

    [Fact]
    public void Append_StopStringAcrossTokens_TextEndsBeforeItAndNothingPastItIsSent()
    {
        var tokenizer = LlmTokenizer.Load(model.Path);
        var ids = Encoding.UTF8.GetBytes(Sample).Select(b => (int)b).ToArray();
        var text = new ChoiceText(tokenizer, ["xyz", "café"]);
        var sent = new StringBuilder();
        var appended = 0;
        foreach (var id in ids)
        {
            sent.Append(text.Append(id, 0, isEos: false));
            appended++;
            if (text.Stopped)
            {
                break;
            }
        }

        sent.Append(text.Flush());
        var expected = Sample[..Sample.IndexOf("café", StringComparison.Ordinal)];
        Assert.True(text.Stopped);
        Assert.Equal(expected, sent.ToString());
        Assert.Equal(expected, text.Text);
        // It stopped at the token that completed "café" (its last byte), not later.
        Assert.Equal(Encoding.UTF8.GetByteCount(Sample[..(Sample.IndexOf("café", StringComparison.Ordinal) + 4)]), appended);
    }

    [Fact]
    public void Append_4000Tokens_EveryCharacterSentOnceInOrder()
    {
        // Long outputs are decoded incrementally (a few ids per token), so the pieces must still add up exactly.
        var tokenizer = LlmTokenizer.Load(model.Path);
        var text = new ChoiceText(tokenizer, ["\n\n"]);
        var sent = new StringBuilder();
        for (var i = 0; i < 4000; i++)
        {
            sent.Append(text.Append('a' + i % 26, 0, isEos: false));
        }

        sent.Append(text.Flush());
        var expected = string.Concat(Enumerable.Range(0, 4000).Select(i => (char)('a' + i % 26)));
        Assert.Equal(expected, sent.ToString());
        Assert.Equal(expected, text.Text);
    }
}
