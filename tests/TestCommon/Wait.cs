namespace BenchPlatform.TestCommon;

/// <summary>Waits on a signal with a timeout whose message says what did not happen.</summary>
public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it is true or <paramref name="timeout"/> passes.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string whatDidNotHappen)
    {
        using var cts = new CancellationTokenSource(timeout);
        Exception? last = null;
        while (!cts.IsCancellationRequested)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cts.IsCancellationRequested)
            {
                last = ex;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"{whatDidNotHappen} within {timeout.TotalSeconds:0.#} s.", last);
    }
}
