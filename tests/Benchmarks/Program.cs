using ManagedDistribution.Benchmarks;

// Each benchmark prints its own figures next to the raw storage ceiling measured in the same run.
// Usage: dotnet run -c Release --project tests/Benchmarks -- <name> [options]
var benchmarks = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["storage"] = StorageBenchmark.RunAsync,
    ["startup"] = StartupBenchmark.RunAsync,
    ["push"] = PushBenchmark.RunAsync,
    ["devices"] = DevicesBenchmark.RunAsync,
    ["pushflow"] = PushFlowBenchmark.RunAsync,
    ["directory"] = DirectoryBenchmark.RunAsync,
    ["mail"] = MailBenchmark.RunAsync,
    ["licenses"] = LicensesBenchmark.RunAsync,
    ["campaign"] = CampaignBenchmark.RunAsync,
    ["reconciliation"] = ReconciliationBenchmark.RunAsync,
    ["assign-group"] = AssignGroupBenchmark.RunAsync,
    ["group-enable"] = GroupEnableBenchmark.RunAsync,
    ["commands"] = CommandsBenchmark.RunAsync,
    ["write-kinds"] = WriteKindsBenchmark.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Benchmarks <{string.Join('|', benchmarks.Keys)}> [options]");
    return 2;
}
return await run(args[1..]);
