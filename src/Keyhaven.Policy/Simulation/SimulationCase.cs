using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Policy.Simulation;

/// <summary>
/// A simulation case (the <c>keyhaven policy simulate</c> input): a request and the policies of every layer.
/// See docs/policy-engine.md for the format.
/// </summary>
public sealed class SimulationCase
{
    private const string EncryptionContextPrefix = "kms:EncryptionContext:";

    private static readonly HashSet<string> TopLevel =
    [
        "request", "identityPolicies", "resourcePolicy", "permissionBoundaries", "serviceControlPolicies",
        "resourceControlPolicies", "sessionPolicy", "endpointPolicies", "grants", "managementAccountId",
    ];

    private SimulationCase(AuthorizationRequest request, PolicySet policies)
    {
        Request = request;
        Policies = policies;
    }

    /// <summary>The request to decide.</summary>
    public AuthorizationRequest Request { get; }

    /// <summary>The compiled policies.</summary>
    public PolicySet Policies { get; }

    /// <summary>Maximum accepted case-file size in characters (1 MiB).</summary>
    public const int MaxCaseChars = 1 << 20;

    /// <summary>Parses a case file. Never throws on any input text.</summary>
    public static bool TryParse(string? json, [NotNullWhen(true)] out SimulationCase? simulationCase, [NotNullWhen(false)] out SimulationInputError? error)
    {
        simulationCase = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            error = new("$", "The case file is empty.");
            return false;
        }

        if (json.Length > MaxCaseChars)
        {
            error = new("$", $"The case file has {json.Length} characters; the limit is {MaxCaseChars}.");
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
            simulationCase = Read(doc.RootElement);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = new("$", $"The case file is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
            return false;
        }
        catch (InvalidOperationException)
        {
            error = new("$", "The case file contains a string with an invalid escape sequence (an unpaired UTF-16 surrogate).");
            return false;
        }
        catch (CaseException ex)
        {
            error = new(ex.Path, ex.Message);
            return false;
        }
    }

    /// <summary>Internal control flow for the reader; never escapes <see cref="TryParse"/>.</summary>
    private sealed class CaseException(string path, string message) : Exception(message)
    {
        public string Path { get; } = path;
    }

    private static SimulationCase Read(JsonElement root)
    {
        Expect(root, JsonValueKind.Object, "$", "The case must be a JSON object.");
        foreach (var p in root.EnumerateObject())
        {
            if (!TopLevel.Contains(p.Name))
            {
                throw new CaseException("$." + p.Name, $"`{p.Name}` is not a case field (expected one of {string.Join(", ", TopLevel)}).");
            }
        }

        if (!root.TryGetProperty("request", out var requestElement))
        {
            throw new CaseException("$", "The case has no `request`.");
        }

        var request = ReadRequest(requestElement, "$.request");
        AccountId management = default;
        if (root.TryGetProperty("managementAccountId", out var m))
        {
            string text = ReadString(m, "$.managementAccountId");
            if (!AccountId.TryParse(text, out management))
            {
                throw new CaseException("$.managementAccountId", $"`{text}` is not an account id (expected 12 digits).");
            }
        }

        var set = new PolicySet
        {
            IdentityPolicies = ReadNamedPolicies(root, "identityPolicies"),
            ResourcePolicy = root.TryGetProperty("resourcePolicy", out var rp) ? CompilePolicy(rp, "$.resourcePolicy", "resource-policy") : null,
            PermissionsBoundaries = ReadNamedPolicies(root, "permissionBoundaries"),
            SessionPolicy = root.TryGetProperty("sessionPolicy", out var sp) ? CompilePolicy(sp, "$.sessionPolicy", "session-policy") : null,
            ServiceControlPolicies = ReadOrganization(root, "serviceControlPolicies"),
            ResourceControlPolicies = ReadOrganization(root, "resourceControlPolicies"),
            EndpointPolicies = ReadNamedPolicies(root, "endpointPolicies"),
            Grants = ReadGrants(root, request.Resource.Arn),
            ManagementAccount = management,
        };
        return new SimulationCase(request, set);
    }

    private static AuthorizationRequest ReadRequest(JsonElement e, string path)
    {
        Expect(e, JsonValueKind.Object, path, "`request` must be an object.");
        PrincipalIdentity principal;
        var pe = Required(e, "principal", path);
        if (pe.ValueKind == JsonValueKind.Object)
        {
            string arn = ReadString(Required(pe, "arn", path + ".principal"), path + ".principal.arn");
            string? roleArn = pe.TryGetProperty("roleArn", out var ra) ? ReadString(ra, path + ".principal.roleArn") : null;
            if (!PrincipalIdentity.TryParse(arn, out principal, roleArn))
            {
                throw new CaseException(path + ".principal.arn", $"`{arn}` is not a principal ARN.");
            }
        }
        else
        {
            string text = ReadString(pe, path + ".principal");
            if (!PrincipalIdentity.TryParse(text, out principal))
            {
                throw new CaseException(path + ".principal", $"`{text}` is not a principal (expected an account root, user, role, assumed-role or federated-user ARN, a service name, or \"*\").");
            }
        }

        string action = ReadString(Required(e, "action", path), path + ".action");
        if (action.Length == 0 || action.IndexOf(':') <= 0)
        {
            throw new CaseException(path + ".action", $"`{action}` is not an action (expected service:Operation).");
        }

        var re = Required(e, "resource", path);
        string resourceArn;
        AccountId resourceAccount = default;
        if (re.ValueKind == JsonValueKind.Object)
        {
            resourceArn = ReadString(Required(re, "resource", path + ".resource"), path + ".resource.resource");
            if (re.TryGetProperty("accountId", out var acct))
            {
                string text = ReadString(acct, path + ".resource.accountId");
                if (!AccountId.TryParse(text, out resourceAccount))
                {
                    throw new CaseException(path + ".resource.accountId", $"`{text}` is not an account id (expected 12 digits).");
                }
            }
        }
        else
        {
            resourceArn = ReadString(re, path + ".resource");
        }

        if (resourceArn.Length == 0)
        {
            throw new CaseException(path + ".resource", "The resource must not be empty.");
        }

        if (resourceAccount.IsEmpty && (!Arn.TryParse(resourceArn, out var parsed) || !AccountId.TryParse(parsed.Account, out resourceAccount)))
        {
            if (principal.Account.IsEmpty)
            {
                throw new CaseException(path + ".resource", $"Resource `{resourceArn}` names no account; add \"accountId\".");
            }

            resourceAccount = principal.Account; // no account given: the principal's own account
        }

        var context = new List<KeyValuePair<string, ContextValues>>();
        var encryptionContext = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.TryGetProperty("context", out var ce))
        {
            Expect(ce, JsonValueKind.Object, path + ".context", "`context` must be an object of key: string or array of strings.");
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var kv in ce.EnumerateObject())
            {
                string kp = $"{path}.context.{kv.Name}";
                if (!seen.Add(kv.Name))
                {
                    throw new CaseException(kp, $"Context key `{kv.Name}` is given twice (keys are case-insensitive).");
                }

                ContextValues values;
                if (kv.Value.ValueKind == JsonValueKind.Array)
                {
                    values = new ContextValues(kv.Value.EnumerateArray().Select((x, i) => Scalar(x, $"{kp}[{i}]")).ToArray());
                }
                else
                {
                    values = new ContextValues(Scalar(kv.Value, kp));
                }

                context.Add(KeyValuePair.Create(kv.Name, values));
                if (kv.Name.StartsWith(EncryptionContextPrefix, StringComparison.OrdinalIgnoreCase) && values.Count == 1 && !values.IsMultiValued)
                {
                    encryptionContext[kv.Name[EncryptionContextPrefix.Length..]] = values[0];
                }
            }
        }

        return new AuthorizationRequest
        {
            Principal = principal,
            Action = action,
            Resource = RequestResource.Create(resourceArn, resourceAccount),
            Context = RequestContext.From(context),
            EncryptionContext = encryptionContext,
        };
    }

    private static string Scalar(JsonElement e, string path) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new CaseException(path, "Context values must be strings (or arrays of strings)."),
    };

    private static IReadOnlyList<CompiledPolicy> ReadNamedPolicies(JsonElement root, string field) =>
        root.TryGetProperty(field, out var e) ? ReadNamedList(e, "$." + field, field) : [];

    private static List<CompiledPolicy> ReadNamedList(JsonElement e, string path, string defaultName)
    {
        Expect(e, JsonValueKind.Array, path, "Expected an array of { \"name\": ..., \"policy\": {...} }.");
        var list = new List<CompiledPolicy>();
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            string ip = $"{path}[{i}]";
            Expect(item, JsonValueKind.Object, ip, "Expected { \"name\": ..., \"policy\": {...} }.");
            string name = item.TryGetProperty("name", out var n) ? ReadString(n, ip + ".name") : $"{defaultName}[{i}]";
            list.Add(CompilePolicy(Required(item, "policy", ip), ip + ".policy", name));
            i++;
        }

        return list;
    }

    private static IReadOnlyList<OrganizationLevel>? ReadOrganization(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var e))
        {
            return null;
        }

        string path = "$." + field;
        Expect(e, JsonValueKind.Array, path, "Expected an array of { \"orgIdentifier\": ..., \"policies\": [...] }, root first.");
        var levels = new List<OrganizationLevel>();
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            string ip = $"{path}[{i++}]";
            Expect(item, JsonValueKind.Object, ip, "Expected { \"orgIdentifier\": ..., \"policies\": [...] }.");
            string id = ReadString(Required(item, "orgIdentifier", ip), ip + ".orgIdentifier");
            var policies = item.TryGetProperty("policies", out var ps) ? ReadNamedList(ps, ip + ".policies", id) : [];
            levels.Add(new OrganizationLevel(id, policies));
        }

        return levels;
    }

    private static IReadOnlyList<KmsGrant> ReadGrants(JsonElement root, string resourceArn)
    {
        if (!root.TryGetProperty("grants", out var e))
        {
            return [];
        }

        Expect(e, JsonValueKind.Array, "$.grants", "Expected an array of grants.");
        var grants = new List<KmsGrant>();
        int i = 0;
        foreach (var g in e.EnumerateArray())
        {
            string gp = $"$.grants[{i}]";
            Expect(g, JsonValueKind.Object, gp, "A grant must be an object.");
            string id = g.TryGetProperty("grantId", out var gid) ? ReadString(gid, gp + ".grantId") : $"grant[{i}]";
            string key = g.TryGetProperty("keyArn", out var k) ? ReadString(k, gp + ".keyArn") : resourceArn;
            string grantee = ReadString(Required(g, "granteePrincipal", gp), gp + ".granteePrincipal");
            var opsElement = Required(g, "operations", gp);
            Expect(opsElement, JsonValueKind.Array, gp + ".operations", "`operations` must be an array of strings.");
            var ops = opsElement.EnumerateArray().Select((o, j) => ReadString(o, $"{gp}.operations[{j}]")).ToArray();
            GrantConstraints? constraints = null;
            if (g.TryGetProperty("constraints", out var c))
            {
                Expect(c, JsonValueKind.Object, gp + ".constraints", "`constraints` must be an object.");
                constraints = new GrantConstraints(
                    c.TryGetProperty("encryptionContextEquals", out var eq) ? ReadMap(eq, gp + ".constraints.encryptionContextEquals") : null,
                    c.TryGetProperty("encryptionContextSubset", out var sub) ? ReadMap(sub, gp + ".constraints.encryptionContextSubset") : null);
            }

            grants.Add(new KmsGrant(id, key, grantee, ops, constraints));
            i++;
        }

        return grants;
    }

    private static Dictionary<string, string> ReadMap(JsonElement e, string path)
    {
        Expect(e, JsonValueKind.Object, path, "Expected an object of string: string.");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            map[p.Name] = ReadString(p.Value, path + "." + p.Name);
        }

        return map;
    }

    private static CompiledPolicy CompilePolicy(JsonElement e, string path, string name)
    {
        string text = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
        if (!PolicyCompiler.TryCompile(text, name, out var policy, out var errors))
        {
            var first = errors[0];
            string inner = first.Path.Length > 1 ? first.Path[1..] : "";
            throw new CaseException(path + inner, $"Policy `{name}` is invalid: {first.Message} ({first.Code})" + (errors.Count > 1 ? $" and {errors.Count - 1} more error(s)." : ""));
        }

        return policy;
    }

    private static JsonElement Required(JsonElement e, string name, string path) =>
        e.TryGetProperty(name, out var v) ? v : throw new CaseException(path, $"`{name}` is required.");

    private static string ReadString(JsonElement e, string path) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new CaseException(path, "Expected a string.");

    private static void Expect(JsonElement e, JsonValueKind kind, string path, string message)
    {
        if (e.ValueKind != kind)
        {
            throw new CaseException(path, message);
        }
    }
}
