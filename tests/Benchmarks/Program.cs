Console.WriteLine("usage: Benchmarks <storage>");
