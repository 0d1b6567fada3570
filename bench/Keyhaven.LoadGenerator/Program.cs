using Keyhaven.LoadGenerator;

// Two modes:
//   (default) run      drive the real `keyhaven serve` process and the baseline process, phase by phase, and report.
//   baseline           run the bare baseline server (started as a child process by `run`).
//   sign               RSA-2048 Sign through the real server vs the raw platform primitive (same options as run).
if (args.Length > 0 && args[0] == "baseline")
{
    return await BaselineServer.RunAsync(args[1..]);
}

bool sign = args.Length > 0 && args[0] == "sign";
string[] runArgs = args.Length > 0 && args[0] is "run" or "sign" ? args[1..] : args;
if (!LoadGeneratorOptions.TryParse(runArgs, out var options, out var error))
{
    await Console.Error.WriteLineAsync(error);
    await Console.Error.WriteLineAsync(LoadGeneratorOptions.Usage);
    return 2;
}

if (options is null)
{
    Console.WriteLine(LoadGeneratorOptions.Usage); // --help
    return 0;
}

return sign ? await SignRun.RunAsync(options) : await LoadRun.RunAsync(options);
