Console.WriteLine("BenchPlatform AppHost: the orchestrator lands with the stack issue.");
