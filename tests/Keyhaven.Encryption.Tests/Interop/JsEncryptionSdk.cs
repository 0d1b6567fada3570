using System.Diagnostics;
using System.Text.Json.Nodes;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Interop;

/// <summary>
/// Runs the AWS Encryption SDK for JavaScript (npm @aws-crypto/client-node, installed in Interop/js by test.sh with
/// `npm ci`) under Node: one process per batch of jobs.
/// </summary>
internal static class JsEncryptionSdk
{
    public static string Folder => Path.Combine(Repository.Root, "tests", "Keyhaven.Encryption.Tests", "Interop", "js");

    /// <summary>Runs the jobs (see esdk.js) and returns one result object per job.</summary>
    public static async Task<JsonArray> RunAsync(JsonArray jobs)
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "@aws-crypto", "client-node")))
        {
            throw new InvalidOperationException($"The JavaScript SDK is not installed: run `npm ci` in {Folder} (test.sh does).");
        }

        var jobFile = Path.Combine(Path.GetTempPath(), $"esdk-jobs-{Guid.NewGuid():N}.json");
        var resultFile = jobFile + ".results";
        await File.WriteAllTextAsync(jobFile, jobs.ToJsonString());
        try
        {
            var start = new ProcessStartInfo("node")
            {
                WorkingDirectory = Folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // Node 20 refuses RSA PKCS#1 v1.5 decryption (CVE-2023-46809) unless this is reverted; the AWS SDK
            // for JavaScript still offers that padding, so the interop tests turn it back on for the child only.
            start.ArgumentList.Add("--security-revert=CVE-2023-46809");
            start.ArgumentList.Add("esdk.js");
            start.ArgumentList.Add(jobFile);
            start.ArgumentList.Add(resultFile);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"node esdk.js failed ({process.ExitCode}): {await stderr}");
            }

            await stdout;
            return JsonNode.Parse(await File.ReadAllTextAsync(resultFile))!.AsArray();
        }
        finally
        {
            File.Delete(jobFile);
            File.Delete(resultFile);
        }
    }

    public static JsonObject Aes(string name, byte[] key) => new() { ["type"] = "aes", ["namespace"] = "test-ns", ["name"] = name, ["key"] = Convert.ToBase64String(key) };

    public static JsonObject Rsa(string padding, bool withPrivateKey) => new()
    {
        ["type"] = "rsa",
        ["namespace"] = "test-rsa",
        ["name"] = "rsa",
        ["padding"] = padding,
        ["publicPem"] = Keys.RsaPublicPem,
        ["privatePem"] = withPrivateKey ? Keys.RsaPrivatePem : null,
    };

    public static JsonObject Multi(JsonObject generator, params JsonObject[] children) => new()
    {
        ["type"] = "multi",
        ["generator"] = generator,
        ["children"] = new JsonArray(children),
    };

    public static string PolicyName(Suites.CommitmentPolicy policy) => policy switch
    {
        Suites.CommitmentPolicy.RequireEncryptRequireDecrypt => "REQUIRE_ENCRYPT_REQUIRE_DECRYPT",
        Suites.CommitmentPolicy.RequireEncryptAllowDecrypt => "REQUIRE_ENCRYPT_ALLOW_DECRYPT",
        _ => "FORBID_ENCRYPT_ALLOW_DECRYPT",
    };

}
