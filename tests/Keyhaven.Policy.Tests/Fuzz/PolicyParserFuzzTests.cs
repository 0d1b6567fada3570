using System.Diagnostics;
using System.Text;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Simulation;
using Keyhaven.Policy.Tests.Properties;
using Keyhaven.Policy.Validation;

namespace Keyhaven.Policy.Tests.Fuzz;

/// <summary>
/// A bounded, seeded fuzz campaign: random JSON and mutations of valid policies and case files. Parsing must return a
/// document or typed errors and never throw; whatever parses must compile and round-trip.
/// </summary>
public class PolicyParserFuzzTests
{
    private const int Seed = 20_260_101;

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "0", "-1", "1e309", "\"Statement\"", "\"Effect\"", "\"Allow\"", "\"Deny\"",
        "\"Action\"", "\"Resource\"", "\"Principal\"", "\"NotPrincipal\"", "\"Condition\"", "\"StringLike\"", "\"ForAllValues:StringEquals\"",
        "\"IpAddress\"", "\"DateLessThan\"", "\"*\"", "\"arn:aws:kms:*:*:key/*\"", "\"${aws:username\"", "\"${\"", "\"\\u0000\"", "\"\\ud800\"",
        "\"Version\"", "\"2012-10-17\"", "\"AWS\"", "\"NullIfExists\"", "\"10.0.0.0/99\"", "\"9999-99-99\"", "\uFEFF", "/*", "\u00e9",
    ];

    [Fact]
    public void Parser_survives_20000_random_and_mutated_inputs()
    {
        var random = new Random(Seed);
        var generator = new RandomPolicies(Seed);
        var seeds = Enumerable.Range(0, 50).Select(_ => PolicyWriter.Write(generator.Document(generator.Chance(50), oddStrings: true, maxStatements: 5), generator.Chance(50))).ToList();
        var stopwatch = Stopwatch.StartNew();
        int parsed = 0;
        for (int i = 0; i < 20_000; i++)
        {
            string input = (i % 4) switch
            {
                0 => RandomJson(random),
                _ => Mutate(random, seeds[random.Next(seeds.Count)]),
            };
            parsed += Check(input, i) ? 1 : 0;
        }

        Assert.True(parsed > 100, $"only {parsed} inputs parsed: the mutations are too destructive to exercise the compiler");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"campaign took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Simulation_case_reader_survives_2000_mutated_cases()
    {
        var random = new Random(Seed + 1);
        const string baseCase = """{"request":{"principal":"arn:aws:iam::111111111111:role/App","action":"kms:Decrypt","resource":{"resource":"arn:aws:kms:us-east-1:222222222222:key/k","accountId":"222222222222"},"context":{"aws:SourceVpce":"vpce-0a1b","aws:PrincipalTag/team":["a","b"]}},"identityPolicies":[{"name":"p","policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}}],"resourcePolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"kms:*","Resource":"*"}]},"serviceControlPolicies":[{"orgIdentifier":"r-root","policies":[]}],"grants":[{"granteePrincipal":"arn:aws:iam::111111111111:role/App","operations":["Decrypt"],"constraints":{"encryptionContextEquals":{"a":"b"}}}]}""";
        for (int i = 0; i < 2_000; i++)
        {
            string input = Mutate(random, baseCase);
            var output = PolicySimulator.Simulate(input, explain: i % 2 == 0);
            Assert.True(output.ExitCode is 0 or PolicySimulator.InvalidInputExitCode, $"input #{i}");
        }
    }

    private static bool Check(string input, int index)
    {
        PolicyParseResult result;
        try
        {
            result = PolicyParser.Parse(input);
        }
        catch (Exception ex)
        {
            Assert.Fail($"input #{index} threw {ex.GetType().Name}: {ex.Message}\n{input}");
            throw;
        }

        Assert.Equal(result.IsSuccess, result.Errors.Count == 0);
        if (index % 8 == 0)
        {
            _ = PolicyValidator.Validate(input, (PolicyType)(index % 5));
        }

        if (!result.IsSuccess)
        {
            Assert.All(result.Errors, e => Assert.StartsWith("$", e.Path));
            return false;
        }

        // Whatever parses compiles and prints faithfully.
        _ = PolicyCompiler.Compile(result.Document, "fuzz");
        Assert.Equal(result.Document, PolicyParser.Parse(PolicyWriter.Write(result.Document)).Document);
        return true;
    }

    private static string RandomJson(Random random)
    {
        var sb = new StringBuilder();
        int n = random.Next(1, 60);
        for (int i = 0; i < n; i++)
        {
            sb.Append(Tokens[random.Next(Tokens.Length)]);
        }

        return sb.ToString();
    }

    private static string Mutate(Random random, string input)
    {
        var text = new StringBuilder(input);
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations && text.Length > 0; m++)
        {
            int at = random.Next(text.Length);
            switch (random.Next(6))
            {
                case 0:
                    text[at] = (char)random.Next(32, 127);
                    break;
                case 1:
                    text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at));
                    break;
                case 2:
                    text.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 3:
                    int len = Math.Min(random.Next(1, 40), text.Length - at);
                    text.Insert(random.Next(text.Length), text.ToString(at, len));
                    break;
                case 4:
                    text.Length = at;
                    break;
                default:
                    // Swap a quoted token for another quoted token, keeping the JSON mostly valid.
                    string s = text.ToString();
                    int q = s.IndexOf('"', at);
                    int e = q < 0 ? -1 : s.IndexOf('"', q + 1);
                    if (e > q)
                    {
                        string replacement = Tokens[random.Next(Tokens.Length)];
                        if (replacement.StartsWith('"'))
                        {
                            text.Remove(q, e - q + 1).Insert(q, replacement);
                        }
                    }

                    break;
            }
        }

        return text.ToString();
    }
}
