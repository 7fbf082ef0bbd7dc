using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/SigmaFlow.Benchmarks -- --filter '*'            (everything)
// dotnet run -c Release --project tests/SigmaFlow.Benchmarks -- --filter '*Batch*'      (one suite)
BenchmarkSwitcher.FromAssembly(typeof(SigmaFlow.Benchmarks.BenchData).Assembly).Run(args);
