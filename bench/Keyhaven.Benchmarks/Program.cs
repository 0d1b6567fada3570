using BenchmarkDotNet.Running;

if (args is ["esdk-stream-memory", ..])
{
    return await Keyhaven.Benchmarks.Encryption.StreamMemoryMeasurement.RunAsync(args[1..]);
}

if (args is ["esdk-stream-throughput", ..])
{
    return await Keyhaven.Benchmarks.Encryption.StreamThroughputMeasurement.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
