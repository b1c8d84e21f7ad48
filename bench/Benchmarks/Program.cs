using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Benchmarks -- --filter '*'        (add --job short for a quick run)
BenchmarkSwitcher.FromAssembly(typeof(McpCqrs.Benchmarks.ToolsCallBenchmarks).Assembly).Run(args);
