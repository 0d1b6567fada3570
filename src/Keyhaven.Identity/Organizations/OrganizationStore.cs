using System.Security.Cryptography;
using System.Text.Json;
using Keyhaven.Identity.Principals;
using Keyhaven.Policy.Arns;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Identity.Organizations;

/// <summary>
/// The deployment's organization (AWS Organizations): root, OUs, accounts, SCPs and RCPs and their attachments, kept
/// as one sealed record in the <see cref="RecordStore"/>. The management account is the account whose root created
/// it (the deployment account: only its bootstrap key is a root credential). Every operation takes the caller and
/// refuses anyone but the management account's root (<c>AccessDeniedException</c>), failing closed.
/// </summary>
/// <remarks>
/// Thread-safe: writes are storage transactions (retried by the record store on conflict); the last committed
/// document is cached and never mutated, so <see cref="GetGuardrailsAsync"/> touches no storage when warm.
/// Randomness comes from the <see cref="RandomFill"/> given, time from the <c>now</c> arguments.
/// </remarks>
public sealed partial class OrganizationStore
{
    /// <summary>Id and name of the AWS managed SCP and RCP attached everywhere by default.</summary>
    public const string FullAwsAccessId = "p-FullAWSAccess", RcpFullAwsAccessId = "p-RCPFullAWSAccess";

    /// <summary>AWS quotas: at most 5 SCPs (and 5 RCPs) attached to one target; 5 levels of OUs below the root.</summary>
    public const int MaxPoliciesPerTarget = 5, MaxOuDepth = 5;

    /// <summary>The role CreateAccount makes in the new account unless told otherwise.</summary>
    public const string DefaultAccessRoleName = "OrganizationAccountAccessRole";

    private const string Lowercase = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static readonly StorageKey RecordKey = new("organizations", "organization");

    private static readonly OrganizationPolicy FullAwsAccess = new(FullAwsAccessId,
        "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess", "FullAWSAccess", "Allows access to every operation",
        OrganizationPolicyType.ServiceControlPolicy, true, """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""");

    private static readonly OrganizationPolicy RcpFullAwsAccess = new(RcpFullAwsAccessId,
        "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess", "RCPFullAWSAccess", "Allows access to every operation",
        OrganizationPolicyType.ResourceControlPolicy, true, """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}""");

    private readonly RecordStore _store;
    private readonly IdentityStore _identity;
    private readonly RandomFill _random;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private Snapshot? _snapshot; // read with Volatile.Read, replaced with Interlocked.CompareExchange
    private long _generation; // moves when another node commits: reads and writes begun before then must not cache

    internal OrganizationStore(RecordStore store, IdentityStore identity, RandomFill random)
    {
        _store = store;
        _identity = identity;
        _random = random;
        store.Changes.Changed += _ =>
        {
            Interlocked.Increment(ref _generation);
            Volatile.Write(ref _snapshot, null);
        };
    }

    // INVARIANT: a snapshot's document is never mutated; writers deserialize their own copy inside the transaction.
    // Version is the record's storage version (0: no organization); the cache only moves forward (see Publish).
    private sealed record Snapshot(OrganizationDocument? Document, long Version);

    /// <summary>CreateOrganization: makes the organization with the caller's account as management account, a root with SCPs and RCPs enabled, and FullAWSAccess and RCPFullAWSAccess attached to the root and the management account.</summary>
    /// <exception cref="OrganizationException"><c>AccessDeniedException</c> (not an account root), <c>AlreadyInOrganizationException</c>.</exception>
    public async Task<OrganizationInfo> CreateOrganizationAsync(IdentityPrincipal caller, DateTimeOffset now, CancellationToken cancellationToken)
    {
        RequireRoot(caller);
        var generation = Interlocked.Read(ref _generation);
        var document = await _store.WriteAsync(async transaction =>
        {
            if (await transaction.GetAsync(RecordKey, cancellationToken) is { } existing)
            {
                CryptographicOperations.ZeroMemory(existing.Value);
                throw new OrganizationException(OrganizationErrorCode.AlreadyInOrganizationException, "The account is already a member of an organization.");
            }

            var created = new OrganizationDocument
            {
                Id = "o-" + RandomString(Lowercase, 10), ManagementAccount = caller.Account.Value, CreatedAt = now,
                EnabledPolicyTypes = [nameof(OrganizationPolicyType.ServiceControlPolicy), nameof(OrganizationPolicyType.ResourceControlPolicy)],
            };
            created.RootId = "r-" + RandomString(Lowercase, 4);
            created.Accounts.Add(new AccountDocument
            {
                Id = caller.Account.Value, Name = "Management account", Email = ManagementEmail(caller.Account.Value), ParentId = created.RootId, JoinedAt = now,
            });
            AttachDefaults(created, created.RootId);
            AttachDefaults(created, caller.Account.Value);
            await PutAsync(transaction, 0, created, cancellationToken);
            return created;
        }, cancellationToken);
        Publish(document, 1, generation);
        return ToInfo(document);
    }

    /// <summary>DescribeOrganization.</summary>
    /// <exception cref="OrganizationException"><c>AccessDeniedException</c>, <c>AWSOrganizationsNotInUseException</c>.</exception>
    public async Task<OrganizationInfo> DescribeOrganizationAsync(IdentityPrincipal caller, CancellationToken cancellationToken) =>
        ToInfo(await ReadForAsync(caller, cancellationToken));

    /// <summary>ListRoots: the one root.</summary>
    /// <exception cref="OrganizationException"><c>AccessDeniedException</c>, <c>AWSOrganizationsNotInUseException</c>.</exception>
    public async Task<IReadOnlyList<OrganizationRoot>> ListRootsAsync(IdentityPrincipal caller, CancellationToken cancellationToken) =>
        [ToRoot(await ReadForAsync(caller, cancellationToken))];

    /// <summary>EnablePolicyType. Both supported types are enabled when the organization is created, so this only confirms it.</summary>
    /// <exception cref="OrganizationException"><c>RootNotFoundException</c>, <c>PolicyTypeAlreadyEnabledException</c>, <c>InvalidInputException</c> (a type Keyhaven does not support).</exception>
    public async Task<OrganizationRoot> EnablePolicyTypeAsync(IdentityPrincipal caller, string rootId, string policyType, CancellationToken cancellationToken)
    {
        var document = await ReadForAsync(caller, cancellationToken);
        if (rootId != document.RootId)
        {
            throw new OrganizationException(OrganizationErrorCode.RootNotFoundException, $"Root `{rootId}` was not found.");
        }

        var type = ParsePolicyType(policyType);
        if (document.EnabledPolicyTypes.Contains(type.ToString()))
        {
            throw new OrganizationException(OrganizationErrorCode.PolicyTypeAlreadyEnabledException, $"Policy type `{policyType}` is already enabled on root `{rootId}`.");
        }

        // INVARIANT: both supported types are enabled at creation and cannot be disabled, so this is unreachable today.
        return await WriteAsync(caller, d =>
        {
            d.EnabledPolicyTypes.Add(type.ToString());
            return ToRoot(d);
        }, cancellationToken);
    }

    /// <summary>
    /// The guardrails of <paramref name="accountId"/> for the authorizer: null when there is no organization or the
    /// account is not in it. Touches no storage once the organization is cached. Never throws for unknown input.
    /// </summary>
    public async Task<Guardrails?> GetGuardrailsAsync(string accountId, CancellationToken cancellationToken)
    {
        var document = await ReadAsync(cancellationToken);
        if (document is null)
        {
            return null;
        }

        // Guardrails are derived from one immutable document: memoize them per account until the document changes,
        // so the authorizer gets the same instance (and can cache what it compiles from it) on every request.
        var memo = _guardrailMemo;
        if (memo is null || !ReferenceEquals(memo.Document, document))
        {
            memo = new GuardrailMemo(document, new System.Collections.Concurrent.ConcurrentDictionary<string, Guardrails?>(StringComparer.Ordinal));
            _guardrailMemo = memo;
        }

        return memo.ByAccount.GetOrAdd(accountId, id => ComputeGuardrails(document, id));
    }

    private sealed record GuardrailMemo(OrganizationDocument Document, System.Collections.Concurrent.ConcurrentDictionary<string, Guardrails?> ByAccount);

    private volatile GuardrailMemo? _guardrailMemo;

    private static Guardrails? ComputeGuardrails(OrganizationDocument? document, string accountId)
    {
        var account = document?.Accounts.Find(a => a.Id == accountId);
        if (document is null || account is null)
        {
            return null;
        }

        // Levels from the root down: r-…, ou-… (top first), the account.
        var chain = new List<string> { account.Id };
        for (var parent = account.ParentId; parent != document.RootId; parent = document.Units.Find(u => u.Id == parent)!.ParentId)
        {
            chain.Add(parent);
        }

        chain.Add(document.RootId);
        chain.Reverse();
        var path = document.Id + "/" + string.Concat(chain.Take(chain.Count - 1).Select(id => id + "/"));
        return new Guardrails(document.Id, AccountId.Parse(document.ManagementAccount), [path],
            Levels(document, chain, OrganizationPolicyType.ServiceControlPolicy), Levels(document, chain, OrganizationPolicyType.ResourceControlPolicy));
    }

    private static List<GuardrailLevel> Levels(OrganizationDocument document, List<string> chain, OrganizationPolicyType type) =>
        chain.Select(target => new GuardrailLevel(target, AttachedPolicies(document, target)
            .Where(p => p.Type == type).Select(p => new GuardrailPolicy(p.Id, p.Name, p.Content)).ToList())).ToList();

    private static void RequireRoot(IdentityPrincipal caller)
    {
        if (caller.Kind != PrincipalKind.Root || caller.IsSession)
        {
            throw new OrganizationException(OrganizationErrorCode.AccessDeniedException,
                $"`{caller.Arn}` may not call AWS Organizations: only the management account's root may.");
        }
    }

    private static void RequireManagement(IdentityPrincipal caller, OrganizationDocument document)
    {
        RequireRoot(caller);
        if (caller.Account.Value != document.ManagementAccount)
        {
            throw new OrganizationException(OrganizationErrorCode.AccessDeniedException,
                $"`{caller.Arn}` may not call AWS Organizations: only the management account's root may.");
        }
    }

    private static OrganizationException NotInUse() =>
        new(OrganizationErrorCode.AWSOrganizationsNotInUseException, "Your account is not a member of an organization.");

    private async Task<OrganizationDocument> ReadForAsync(IdentityPrincipal caller, CancellationToken cancellationToken)
    {
        RequireRoot(caller);
        var document = await ReadAsync(cancellationToken) ?? throw NotInUse();
        RequireManagement(caller, document);
        return document;
    }

    private async Task<OrganizationDocument?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!_store.Changes.IsLive)
        {
            // Other nodes' commits cannot be heard: read through, cache nothing.
            await using var direct = await _store.BeginAsync(write: false, cancellationToken);
            return (await GetAsync(direct, cancellationToken))?.Document;
        }

        if (Volatile.Read(ref _snapshot) is { } cached)
        {
            return cached.Document;
        }

        await _loadLock.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _snapshot) is { } loaded)
            {
                return loaded.Document;
            }

            var generation = Interlocked.Read(ref _generation);
            await using var transaction = await _store.BeginAsync(write: false, cancellationToken);
            var read = await GetAsync(transaction, cancellationToken);
            Publish(read?.Document, read?.Version ?? 0, generation);
            return Volatile.Read(ref _snapshot) is { } published && published.Version >= (read?.Version ?? 0) ? published.Document : read?.Document;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    /// <summary>Runs <paramref name="change"/> on a fresh copy of the document in one transaction (re-run on conflict), after checking the caller.</summary>
    private async Task<T> WriteAsync<T>(IdentityPrincipal caller, Func<OrganizationDocument, T> change, CancellationToken cancellationToken)
    {
        RequireRoot(caller);
        var generation = Interlocked.Read(ref _generation);
        var (result, document, version) = await _store.WriteAsync(async transaction =>
        {
            var (document, version) = await GetAsync(transaction, cancellationToken) ?? throw NotInUse();
            RequireManagement(caller, document);
            var result = change(document);
            await PutAsync(transaction, version, document, cancellationToken);
            return (result, document, version + 1); // a put at version v commits v + 1
        }, cancellationToken);
        Publish(document, version, generation);
        return result;
    }

    /// <summary>
    /// Caches a committed document unless a newer one is cached already: two writers finishing out of order must not
    /// leave the older organization (say, without a Deny SCP just attached) in the cache the authorizer reads. Nothing
    /// is cached if another node committed since <paramref name="generation"/> (its change may be newer than this one).
    /// </summary>
    private void Publish(OrganizationDocument? document, long version, long generation)
    {
        var next = new Snapshot(document, version);
        while (true)
        {
            var current = Volatile.Read(ref _snapshot);
            if (current is not null && current.Version >= version || Interlocked.Read(ref _generation) != generation || !_store.Changes.IsLive)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _snapshot, next, current) == current)
            {
                // Another node's commit may have cleared the cache between the check and the exchange: undo ours.
                if (Interlocked.Read(ref _generation) != generation)
                {
                    Interlocked.CompareExchange(ref _snapshot, null, next);
                }

                return;
            }
        }
    }

    private static async ValueTask<(OrganizationDocument Document, long Version)?> GetAsync(RecordTransaction transaction, CancellationToken cancellationToken)
    {
        var record = await transaction.GetAsync(RecordKey, cancellationToken);
        if (record is null)
        {
            return null;
        }

        try
        {
            var document = JsonSerializer.Deserialize(record.Value, OrganizationJsonContext.Default.OrganizationDocument)
                ?? throw new InvalidDataException("The organization record is empty.");
            return (document, record.Version);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(record.Value);
        }
    }

    private static async ValueTask PutAsync(RecordTransaction transaction, long expectedVersion, OrganizationDocument document, CancellationToken cancellationToken)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(document, OrganizationJsonContext.Default.OrganizationDocument);
        try
        {
            await transaction.PutAsync(RecordKey, expectedVersion, plaintext, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static string ManagementEmail(string account) => $"root@{account}.keyhaven.invalid";

    private static string Arn(OrganizationDocument d, string kind, string id) => $"arn:aws:organizations::{d.ManagementAccount}:{kind}/{d.Id}/{id}";

    private static OrganizationInfo ToInfo(OrganizationDocument d) =>
        new(d.Id, $"arn:aws:organizations::{d.ManagementAccount}:organization/{d.Id}", d.ManagementAccount,
            $"arn:aws:organizations::{d.ManagementAccount}:account/{d.Id}/{d.ManagementAccount}", d.Accounts.Find(a => a.Id == d.ManagementAccount)!.Email);

    private static OrganizationRoot ToRoot(OrganizationDocument d) =>
        new(d.RootId, Arn(d, "root", d.RootId), "Root", d.EnabledPolicyTypes.Select(Enum.Parse<OrganizationPolicyType>).ToList());

    /// <summary>Random characters of <paramref name="alphabet"/>, by rejection sampling (unbiased for any alphabet size).</summary>
    private string RandomString(string alphabet, int length)
    {
        var limit = 256 - (256 % alphabet.Length);
        var chars = new char[length];
        Span<byte> one = stackalloc byte[1];
        for (var i = 0; i < length;)
        {
            _random(one);
            if (one[0] < limit)
            {
                chars[i++] = alphabet[one[0] % alphabet.Length];
            }
        }

        return new string(chars);
    }
}
