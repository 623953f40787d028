Console.WriteLine("BenchPlatform LoadTests: scenarios land with the LoadTests issue.");
