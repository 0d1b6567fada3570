using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Policy.Tests.Support;

/// <summary>Builders shared by the tests: accounts, ARNs, requests and compiled policies.</summary>
internal static class TestData
{
    public const string AccountA = "111111111111";
    public const string AccountB = "222222222222";
    public const string UserAlice = "arn:aws:iam::111111111111:user/alice";
    public const string RoleApp = "arn:aws:iam::111111111111:role/App";
    public const string SessionApp = "arn:aws:sts::111111111111:assumed-role/App/session-1";
    public const string RootA = "arn:aws:iam::111111111111:root";
    public const string KeyA = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    public const string KeyB = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    public const string BucketObjectA = "arn:aws:s3:::bucket-a/reports/2024.csv";

    public static CompiledPolicy CompileJson(string json, string name = "policy") => PolicyCompiler.Compile(json, name);

    /// <summary>A 2012-10-17 policy whose statements are given as JSON objects.</summary>
    public static CompiledPolicy Statements(string name, params string[] statements) =>
        CompileJson($$"""{"Version":"2012-10-17","Statement":[{{string.Join(",", statements)}}]}""", name);

    public static string Allow(string action = "*", string resource = "*", string extra = "") =>
        $$"""{"Effect":"Allow","Action":"{{action}}","Resource":"{{resource}}"{{Comma(extra)}}}""";

    public static string Deny(string action = "*", string resource = "*", string extra = "") =>
        $$"""{"Effect":"Deny","Action":"{{action}}","Resource":"{{resource}}"{{Comma(extra)}}}""";

    public static string AllowPrincipal(string principalJson, string action = "*", string resource = "*", string extra = "") =>
        $$"""{"Effect":"Allow","Principal":{{principalJson}},"Action":"{{action}}","Resource":"{{resource}}"{{Comma(extra)}}}""";

    public static string DenyPrincipal(string principalJson, string action = "*", string resource = "*", string extra = "") =>
        $$"""{"Effect":"Deny","Principal":{{principalJson}},"Action":"{{action}}","Resource":"{{resource}}"{{Comma(extra)}}}""";

    private static string Comma(string extra) => extra.Length == 0 ? "" : "," + extra;

    public static AuthorizationRequest Request(string principal, string action, string resource,
        IEnumerable<KeyValuePair<string, ContextValues>>? context = null, IReadOnlyDictionary<string, string>? encryptionContext = null,
        string? resourceAccount = null) => new()
    {
        Principal = PrincipalIdentity.Parse(principal),
        Action = action,
        Resource = RequestResource.Create(resource, resourceAccount is null ? default : Arns.AccountId.Parse(resourceAccount)),
        Context = context is null ? RequestContext.Empty : RequestContext.From(context),
        EncryptionContext = encryptionContext,
    };

    public static KeyValuePair<string, ContextValues> Ctx(string key, string value) => KeyValuePair.Create(key, new ContextValues(value));

    public static KeyValuePair<string, ContextValues> Ctx(string key, params string[] values) => KeyValuePair.Create(key, new ContextValues(values));

    /// <summary>A key policy that enables IAM policies of account A (the default KMS key policy statement).</summary>
    public static CompiledPolicy EnableIamKeyPolicy { get; } =
        CompileJson($$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{RootA}}"},"Action":"kms:*","Resource":"*"}]}""", "default-key-policy");

    public static Decision Decide(AuthorizationRequest request, PolicySet set) => PolicyEvaluator.Evaluate(request, set);
}
