using System.Collections.Concurrent;

namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// The continuous-batching loop of one model: between steps it admits waiting sequences (FIFO, while the batch
/// and the KV budget allow), prefills the newcomers together, then runs one batched decode step for every active
/// sequence, samples the whole batch at once, and retires finished, stopped or abandoned sequences, freeing their KV.
/// </summary>
internal sealed partial class GenerationEngine : IDisposable
{
    private readonly IBatchDecoder _session;
    private readonly LlmOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<int> _eos;
    private readonly ConcurrentQueue<Sequence> _waiting = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly List<Sequence> _active = [];
    private readonly BatchSampler _sampler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _thread;
    private readonly long _kvBudget;
    private int _waitingCount;
    private int _activeCount;
    private long _kvReserved;
    private long _steps;
    private long _residentSteps;

    // kvBudgetTokens: KV positions the engine may reserve (default Llm:KvBudgetTokens; a llama.cpp context may hold fewer).
    public GenerationEngine(string name, IBatchDecoder session, IEnumerable<int> eosTokenIds, LlmOptions options, TimeProvider time, ILogger logger, long? kvBudgetTokens = null)
    {
        _kvBudget = Math.Min(options.KvBudgetTokens, kvBudgetTokens ?? long.MaxValue);
        Name = name;
        _session = session;
        _options = options;
        _time = time;
        _logger = logger;
        _eos = [.. eosTokenIds];
        _sampler = new BatchSampler(session.VocabSize);
        _thread = new Thread(Run) { IsBackground = true, Name = $"llm-{name}" };
        _thread.Start();
    }

    public string Name { get; }

    public IBatchDecoder Decoder => _session;

    /// <summary>Sequences decoding now.</summary>
    public int ActiveSequences => Volatile.Read(ref _activeCount);

    /// <summary>Sequences waiting for admission.</summary>
    public int WaitingSequences => Volatile.Read(ref _waitingCount);

    /// <summary>KV positions reserved by admitted sequences.</summary>
    public long KvTokensReserved => Interlocked.Read(ref _kvReserved);

    /// <summary>Batched steps run so far (prefill and decode).</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>Steps whose past was the previous step's present, kept resident (no gather of the caches).</summary>
    public long ResidentSteps => Volatile.Read(ref _residentSteps);

    /// <summary>Queues <paramref name="sequence"/>; false when the waiting line is full (the caller answers 429).</summary>
    public SubmitResult Submit(Sequence sequence)
    {
        if (sequence.Reserved > _kvBudget)
        {
            return SubmitResult.TooLarge;
        }

        if (Interlocked.Increment(ref _waitingCount) > _options.MaxWaiting)
        {
            Interlocked.Decrement(ref _waitingCount);
            return SubmitResult.QueueFull;
        }

        sequence.EnqueuedAt = _time.GetTimestamp();
        _waiting.Enqueue(sequence);
        _signal.Release();
        return SubmitResult.Accepted;
    }

    private void Run()
    {
        var newcomers = new List<Sequence>();
        var logits = Array.Empty<float>();
        var chosen = Array.Empty<int>();
        var logProbs = Array.Empty<float>();
        var rows = Array.Empty<StepRow>();
        var sequences = Array.Empty<Sequence>();
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                if (_active.Count == 0 && _waiting.IsEmpty)
                {
                    _session.Idle();
                    _signal.Wait(_stopping.Token);
                    continue;
                }

                ExpireAndAdmit(newcomers);
                RetireStopped();
                if (newcomers.Count > 0)
                {
                    Step(newcomers, prefill: true, ref logits, ref chosen, ref logProbs, ref rows, ref sequences);
                    _active.AddRange(newcomers);
                    newcomers.Clear();
                }
                else if (_active.Count > 0)
                {
                    Step(_active, prefill: false, ref logits, ref chosen, ref logProbs, ref rows, ref sequences);
                }

                Volatile.Write(ref _activeCount, _active.Count);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogStepFailed(_logger, Name, e);
                foreach (var sequence in newcomers)
                {
                    Retire(sequence, null, e);
                }

                newcomers.Clear();
                for (var i = _active.Count - 1; i >= 0; i--)
                {
                    Retire(_active[i], null, e);
                }

                _active.Clear();
                Volatile.Write(ref _activeCount, 0);
            }
        }

        foreach (var sequence in _active)
        {
            Retire(sequence, FinishReason.Cancelled, null);
        }

        while (_waiting.TryDequeue(out var left))
        {
            left.Output.TryWrite(new GeneratedToken(left.Index, -1, 0, null, new EngineOverloadedException("The model is being unloaded.")));
        }
    }

    private void ExpireAndAdmit(List<Sequence> newcomers)
    {
        var now = _time.GetTimestamp();
        var timeout = TimeSpan.FromMilliseconds(_options.QueueTimeoutMs);
        while (_waiting.TryPeek(out var next))
        {
            if (next.StopRequested)
            {
                Dequeue();
                next.Output.TryWrite(new GeneratedToken(next.Index, -1, 0, FinishReason.Cancelled));
                continue;
            }

            if (_time.GetElapsedTime(next.EnqueuedAt, now) > timeout)
            {
                Dequeue();
                next.Output.TryWrite(new GeneratedToken(next.Index, -1, 0, null, new EngineOverloadedException(
                    $"Waited {_options.QueueTimeoutMs} ms (Llm:QueueTimeoutMs) without a free slot in model '{Name}'.")));
                continue;
            }

            if (_active.Count + newcomers.Count >= _options.MaxBatch || KvTokensReserved + next.Reserved > _kvBudget)
            {
                break;
            }

            Dequeue();
            next.Cache = _session.CreateCache(next.Reserved);
            next.AdmittedAt = now;
            Interlocked.Add(ref _kvReserved, next.Reserved);
            newcomers.Add(next);
        }

        void Dequeue()
        {
            _waiting.TryDequeue(out _);
            Interlocked.Decrement(ref _waitingCount);
        }
    }

    private void RetireStopped()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            if (_active[i].StopRequested)
            {
                Retire(_active[i], FinishReason.Cancelled, null);
                _active.RemoveAt(i);
            }
        }
    }

    private void Step(List<Sequence> batch, bool prefill, ref float[] logits, ref int[] chosen, ref float[] logProbs, ref StepRow[] rows, ref Sequence[] sequences)
    {
        var count = batch.Count;
        var vocab = _session.VocabSize;
        if (rows.Length < count)
        {
            var size = Math.Max(count, _options.MaxBatch);
            rows = new StepRow[size];
            sequences = new Sequence[size];
            chosen = new int[size];
            logProbs = new float[size];
            logits = new float[size * vocab];
        }

        for (var i = 0; i < count; i++)
        {
            var sequence = batch[i];
            sequences[i] = sequence;
            rows[i] = prefill
                ? new StepRow(sequence.Cache!, sequence.Tokens, 0, sequence.Length)
                : new StepRow(sequence.Cache!, sequence.Tokens, sequence.Length - 1, 1);
        }

        _session.Step(rows.AsSpan(0, count), logits.AsSpan(0, count * vocab));
        _sampler.Sample(logits.AsSpan(0, count * vocab), sequences.AsSpan(0, count), chosen, logProbs);
        Interlocked.Increment(ref _steps);
        Volatile.Write(ref _residentSteps, _session.ReusedSteps);
        var now = _time.GetTimestamp();
        for (var i = count - 1; i >= 0; i--)
        {
            var sequence = batch[i];
            var token = chosen[i];
            sequence.Tokens[sequence.Length++] = token;
            if (prefill)
            {
                sequence.FirstTokenAt = now;
            }

            FinishReason? finish = _eos.Contains(token) ? FinishReason.Stop
                : sequence.Generated >= sequence.MaxTokens ? FinishReason.Length
                : null;
            sequence.Output.TryWrite(new GeneratedToken(sequence.Index, token, logProbs[i], finish));
            if (finish is not null)
            {
                sequence.FinishedAt = now;
                Release(sequence);
                batch.RemoveAt(i);
            }
        }

        Array.Clear(sequences, 0, count);
    }

    private void Release(Sequence sequence)
    {
        if (sequence.Cache is { } cache)
        {
            cache.Dispose();
            sequence.Cache = null;
            Interlocked.Add(ref _kvReserved, -sequence.Reserved);
        }
    }

    private void Retire(Sequence sequence, FinishReason? finish, Exception? error)
    {
        Release(sequence);

        sequence.Output.TryWrite(new GeneratedToken(sequence.Index, -1, 0, finish, error));
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _thread.Join(TimeSpan.FromSeconds(10));
        _session.Dispose();
        _signal.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Generation step of model {Model} failed; its sequences were ended")]
    private static partial void LogStepFailed(ILogger logger, string model, Exception exception);
}
