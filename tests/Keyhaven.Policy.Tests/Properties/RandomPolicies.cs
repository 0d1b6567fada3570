using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Evaluation;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Context;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Properties;

/// <summary>Seeded generators of valid policy documents, policy sets and requests over a small vocabulary (so that statements often match).</summary>
internal sealed class RandomPolicies(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string[] Actions = ["kms:Decrypt", "kms:Encrypt", "kms:*", "kms:De*", "s3:GetObject", "s3:*", "*", "kms:GenerateDataKey?"];
    private static readonly string[] Resources = [KeyA, KeyB, "arn:aws:kms:*:111111111111:key/*", "*", BucketObjectA, "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::${aws:username}/*"];
    private static readonly string[] Principals = ["*", AccountA, AccountB, UserAlice, RoleApp, SessionApp, RootA, "arn:aws:iam::222222222222:root"];
    private static readonly string[] RequestPrincipals = [UserAlice, SessionApp, RootA, "arn:aws:iam::222222222222:user/bob", "arn:aws:iam::111111111111:user/carol"];
    private static readonly (string Op, string Key, string[] Values)[] Conditions =
    [
        ("StringEquals", "kms:EncryptionContext:dept", ["hr", "it"]),
        ("StringNotEquals", "aws:PrincipalTag/team", ["red"]),
        ("StringLike", "aws:PrincipalTag/team", ["r*", "b?ue"]),
        ("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"]),
        ("ForAnyValue:StringLike", "aws:TagKeys", ["e*"]),
        ("Bool", "aws:SecureTransport", ["true"]),
        ("BoolIfExists", "aws:MultiFactorAuthPresent", ["true"]),
        ("NumericLessThan", "aws:MultiFactorAuthAge", ["3600"]),
        ("DateGreaterThan", "aws:CurrentTime", ["2024-01-01T00:00:00Z"]),
        ("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "2001:db8::/32"]),
        ("NotIpAddress", "aws:SourceIp", ["10.1.0.0/16"]),
        ("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::111111111111:*"]),
        ("Null", "aws:TokenIssueTime", ["true"]),
        ("StringEqualsIgnoreCase", "aws:username", ["ALICE", "${aws:PrincipalTag/team, 'x'}"]),
    ];
    private static readonly string[] Odd = ["plain", "with space", "quote\"and\\backslash", "unicodé ✓", "tab\tnew\nline", "", "${aws:username}", "*?"];

    public int Next(int max) => _random.Next(max);

    public bool Chance(int percent) => _random.Next(100) < percent;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private ValueList<string> Some(IReadOnlyList<string> items, int max = 3) =>
        new(Enumerable.Range(0, 1 + _random.Next(max)).Select(_ => Pick(items)).Distinct());

    /// <summary>A random statement; <paramref name="resourceBased"/> adds a Principal.</summary>
    public PolicyStatement Statement(bool resourceBased, PolicyEffect? effect = null, bool oddStrings = false)
    {
        var conditions = new List<ConditionEntry>();
        int count = Chance(50) ? 0 : 1 + _random.Next(3);
        foreach (var c in Enumerable.Range(0, count).Select(_ => Pick(Conditions)).DistinctBy(c => c.Op).DistinctBy(c => c.Key))
        {
            conditions.Add(new ConditionEntry(c.Op, c.Key, Some(c.Values, 2)));
        }

        if (oddStrings && Chance(50))
        {
            conditions.Add(new ConditionEntry("StringLike", "custom:" + _random.Next(1000), Some(Odd)));
        }

        PrincipalSpec? principal = null, notPrincipal = null;
        if (resourceBased)
        {
            var spec = Chance(20) ? PrincipalSpec.Wildcard : new PrincipalSpec(false, new(Some(Principals).Select(p => new PrincipalEntry(PrincipalKind.Aws, p))));
            if (Chance(10))
            {
                notPrincipal = spec;
            }
            else
            {
                principal = spec;
            }
        }

        bool notAction = Chance(15), notResource = Chance(10);
        return new PolicyStatement
        {
            Sid = Chance(50) ? null : oddStrings ? Pick(Odd) + _random.Next(10) : "S" + _random.Next(1_000_000),
            Effect = effect ?? (Chance(75) ? PolicyEffect.Allow : PolicyEffect.Deny),
            Principal = principal,
            NotPrincipal = notPrincipal,
            Action = notAction ? null : Some(Actions),
            NotAction = notAction ? Some(Actions) : null,
            Resource = notResource ? null : Some(Resources),
            NotResource = notResource ? Some(Resources) : null,
            // JSON groups clauses by operator, so a parsed document always lists them grouped.
            Conditions = new(conditions.GroupBy(c => c.Operator).SelectMany(g => g)),
        };
    }

    public PolicyDocument Document(bool resourceBased, bool oddStrings = false, int maxStatements = 4) => new()
    {
        Version = Chance(85) ? PolicyVersion.V2012_10_17 : Chance(50) ? PolicyVersion.V2008_10_17 : PolicyVersion.Unspecified,
        Id = Chance(20) ? (oddStrings ? Pick(Odd) : "id-" + _random.Next(100)) : null,
        Statements = new(Enumerable.Range(0, 1 + _random.Next(maxStatements)).Select(_ => Statement(resourceBased, oddStrings: oddStrings))),
    };

    /// <summary>A random policy set as documents (so tests can edit them and recompile).</summary>
    public Dictionary<string, PolicyDocument> DocumentSet()
    {
        var docs = new Dictionary<string, PolicyDocument>();
        for (int i = 0, n = 1 + _random.Next(2); i < n; i++)
        {
            docs[$"identity-{i}"] = Document(resourceBased: false);
        }

        if (Chance(80))
        {
            docs["resource"] = Document(resourceBased: true);
        }

        if (Chance(25))
        {
            docs["boundary"] = Document(resourceBased: false);
        }

        if (Chance(20))
        {
            docs["session"] = Document(resourceBased: false);
        }

        if (Chance(25))
        {
            docs["scp"] = Document(resourceBased: false);
        }

        if (Chance(15))
        {
            docs["endpoint"] = Document(resourceBased: true);
        }

        return docs;
    }

    public static PolicySet Compile(Dictionary<string, PolicyDocument> docs)
    {
        CompiledPolicy? Get(string name) => docs.TryGetValue(name, out var d) ? PolicyCompiler.Compile(d, name) : null;
        return new PolicySet
        {
            IdentityPolicies = docs.Keys.Where(k => k.StartsWith("identity", StringComparison.Ordinal)).Select(k => PolicyCompiler.Compile(docs[k], k)).ToList(),
            ResourcePolicy = Get("resource"),
            PermissionsBoundaries = Get("boundary") is { } b ? [b] : [],
            SessionPolicy = Get("session"),
            ServiceControlPolicies = Get("scp") is { } s ? [new OrganizationLevel("r-root", [s])] : null,
            EndpointPolicies = Get("endpoint") is { } e ? [e] : [],
        };
    }

    public AuthorizationRequest Request()
    {
        var context = new List<KeyValuePair<string, ContextValues>>();
        void Maybe(string key, params string[] values)
        {
            if (Chance(50))
            {
                context.Add(KeyValuePair.Create(key, new ContextValues(Pick(values))));
            }
        }

        Maybe("kms:EncryptionContext:dept", "hr", "it", "ops");
        Maybe("aws:PrincipalTag/team", "red", "blue", "rose");
        Maybe("aws:SecureTransport", "true", "false");
        Maybe("aws:MultiFactorAuthAge", "10", "7200", "junk");
        Maybe("aws:CurrentTime", "2023-06-01T00:00:00Z", "2025-01-01T00:00:00Z");
        Maybe("aws:SourceIp", "10.1.2.3", "10.200.0.1", "192.0.2.1", "2001:db8::5");
        Maybe("aws:TokenIssueTime", "2024-01-01T00:00:00Z");
        if (Chance(50))
        {
            context.Add(KeyValuePair.Create("aws:TagKeys", new ContextValues(Some(["env", "team", "cost"]).ToArray())));
        }

        string principal = Pick(RequestPrincipals);
        string resource = Pick([KeyA, KeyB, BucketObjectA, "arn:aws:s3:::alice/x"]);
        return new AuthorizationRequest
        {
            Principal = PrincipalIdentity.Parse(principal),
            Action = Pick(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "s3:GetObject"]),
            Resource = RequestResource.Create(resource, Arns.AccountId.Parse(resource.Contains(AccountB) ? AccountB : AccountA)),
            Context = RequestContext.From(context),
        };
    }
}
