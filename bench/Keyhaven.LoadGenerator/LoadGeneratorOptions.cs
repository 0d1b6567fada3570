using System.Globalization;

namespace Keyhaven.LoadGenerator;

/// <summary>Command-line options of <c>run</c> mode, checked at parse time with the valid range in every message.</summary>
internal sealed record LoadGeneratorOptions
{
    public const string Usage =
        """
        Usage: Keyhaven.LoadGenerator [run|sign] [options]   (sign: RSA-2048 Sign through the server vs the raw primitive)
          --duration SECONDS      measured time per phase (1-600, default 20)
          --warmup SECONDS        unmeasured warm-up before each phase (0-120, default 5)
          --concurrency N         concurrent requests, one connection each (1-512, default 16)
          --operations LIST       comma-separated subset of Encrypt,Decrypt,GenerateDataKey (default: all three)
          --server-cli PATH       the keyhaven executable or keyhaven.dll
                                  (default: src/Keyhaven.Cli/bin/Release/net10.0/keyhaven in this repository)
          --rounds N              repeat the server phases and the baseline phase N times (1-10, default 1);
                                  the final ratio is the median of the per-round ratios
          --baseline-sigv4        also measure the baseline with SigV4 verification added (diagnostic: splits the
                                  gap between authentication and the rest of the server's pipeline)
          --full-authorization    drive the server as a role session of an organization's member account, under an
                                  SCP with a condition, an identity policy and the key policy (every layer evaluated)
          --cluster-postgres CONNECTION
                                  instead of the baseline: Encrypt on one node on SQLite, then on two nodes sharing a
                                  fresh database on this PostgreSQL cluster (an Npgsql connection string of a user
                                  that may create databases), requests spread over both; prints two-node/one-node
        """;

    public static readonly string[] AllOperations = ["Encrypt", "Decrypt", "GenerateDataKey"];

    public int DurationSeconds { get; init; } = 20;
    public int WarmupSeconds { get; init; } = 5;
    public int Concurrency { get; init; } = 16;
    public int Rounds { get; init; } = 1;
    public IReadOnlyList<string> Operations { get; init; } = AllOperations;
    public string? ServerCli { get; init; }
    public bool BaselineWithSigV4 { get; init; }
    public bool FullAuthorization { get; init; }
    public string? ClusterPostgres { get; init; }

    /// <summary>Parses <paramref name="args"/>; <paramref name="options"/> is null (and the result true) for --help.</summary>
    public static bool TryParse(string[] args, out LoadGeneratorOptions? options, out string? error)
    {
        var result = new LoadGeneratorOptions();
        options = null;
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                return true;
            }

            if (name == "--baseline-sigv4")
            {
                result = result with { BaselineWithSigV4 = true };
                continue;
            }

            if (name == "--full-authorization")
            {
                result = result with { FullAuthorization = true };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"Option `{name}` needs a value.";
                return false;
            }

            string value = args[++i];
            switch (name)
            {
                case "--duration":
                    if (!TryInt(name, value, 1, 600, out int duration, out error)) return false;
                    result = result with { DurationSeconds = duration };
                    break;
                case "--warmup":
                    if (!TryInt(name, value, 0, 120, out int warmup, out error)) return false;
                    result = result with { WarmupSeconds = warmup };
                    break;
                case "--concurrency":
                    if (!TryInt(name, value, 1, 512, out int concurrency, out error)) return false;
                    result = result with { Concurrency = concurrency };
                    break;
                case "--rounds":
                    if (!TryInt(name, value, 1, 10, out int rounds, out error)) return false;
                    result = result with { Rounds = rounds };
                    break;
                case "--cluster-postgres":
                    result = result with { ClusterPostgres = value };
                    break;
                case "--server-cli":
                    result = result with { ServerCli = value };
                    break;
                case "--operations":
                    var operations = new List<string>();
                    foreach (string part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        string? known = AllOperations.FirstOrDefault(o => o.Equals(part, StringComparison.OrdinalIgnoreCase));
                        if (known is null)
                        {
                            error = $"Unknown operation `{part}`; choose from {string.Join(", ", AllOperations)}.";
                            return false;
                        }

                        if (!operations.Contains(known))
                        {
                            operations.Add(known);
                        }
                    }

                    if (operations.Count == 0)
                    {
                        error = "--operations needs at least one of Encrypt, Decrypt, GenerateDataKey.";
                        return false;
                    }

                    result = result with { Operations = operations };
                    break;
                default:
                    error = $"Unknown option `{name}`.";
                    return false;
            }
        }

        options = result;
        return true;
    }

    private static bool TryInt(string name, string value, int min, int max, out int parsed, out string? error)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out parsed) && parsed >= min && parsed <= max)
        {
            error = null;
            return true;
        }

        error = $"{name} must be a whole number from {min} to {max}; got `{value}`.";
        return false;
    }
}
