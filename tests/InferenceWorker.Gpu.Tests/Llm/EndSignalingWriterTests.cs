using System.Threading.Channels;
using BenchPlatform.InferenceWorker.Llm;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

/// <summary>What wakes a streamed answer's writer while it holds text for the stream interval.</summary>
public sealed class EndSignalingWriterTests
{
    [Fact]
    public async Task TryWrite_TokensWithoutStopStrings_WakeTheWriterOnlyAtASequencesEnd()
    {
        var channel = Channel.CreateUnbounded<GeneratedToken>();
        var writer = new EndSignalingWriter(channel.Writer);

        Assert.True(writer.TryWrite(new GeneratedToken(0, 7, 0, null)));
        Assert.False(await writer.WaitForEndAsync(TimeSpan.Zero, CancellationToken.None));

        Assert.True(writer.TryWrite(new GeneratedToken(0, 8, 0, FinishReason.Length)));
        Assert.True(await writer.WaitForEndAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(2, channel.Reader.Count);
    }

    [Fact]
    public async Task TryWrite_TokensOfARequestWithStopStrings_EachWakesTheWriterSoItSeesAStopAtOnce()
    {
        var channel = Channel.CreateUnbounded<GeneratedToken>();
        var writer = new EndSignalingWriter(channel.Writer, everyToken: true);

        Assert.True(writer.TryWrite(new GeneratedToken(0, 7, 0, null)));
        Assert.True(await writer.WaitForEndAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.False(await writer.WaitForEndAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(1, channel.Reader.Count);
    }
}
