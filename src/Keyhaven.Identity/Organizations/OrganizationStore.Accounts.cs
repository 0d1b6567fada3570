using Keyhaven.Identity.Principals;
using Keyhaven.Policy.Arns;

namespace Keyhaven.Identity.Organizations;

public sealed partial class OrganizationStore
{
    /// <summary>
    /// CreateAccount: completes at once. Makes a new 12-digit account under the root with the default policies, and in
    /// it the role <paramref name="roleName"/> (default <c>OrganizationAccountAccessRole</c>) trusted by the management
    /// account (<c>arn:aws:iam::MGMT:root</c>) with an inline <c>AdministratorAccess</c> policy. An email already in use
    /// gives a <c>FAILED</c> status (<c>EMAIL_ALREADY_EXISTS</c>), as AWS does.
    /// </summary>
    /// <exception cref="OrganizationException"><c>AccessDeniedException</c>, <c>AWSOrganizationsNotInUseException</c>, <c>InvalidInputException</c>.</exception>
    public async Task<CreateAccountStatus> CreateAccountAsync(IdentityPrincipal caller, string? email, string? accountName, string? roleName,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var current = await ReadForAsync(caller, cancellationToken);
        // spec: Organizations API Reference, CreateAccount (Email 6-64 [^\s@]+@[^\s@]+\.[^\s@]+, AccountName 1-50)
        if (email is null || email.Length is < 6 or > 64 || !System.Text.RegularExpressions.Regex.IsMatch(email, @"^[^\s@]+@[^\s@]+\.[^\s@]+$"))
        {
            throw Invalid("The email address is not valid: it must be 6 to 64 characters of the form name@domain.tld.", "INVALID_ENUM");
        }

        if (string.IsNullOrWhiteSpace(accountName) || accountName.Length > 50)
        {
            throw Invalid("The account name must be 1 to 50 characters.", "INPUT_REQUIRED");
        }

        roleName ??= DefaultAccessRoleName;
        if (roleName.Length is < 1 or > 64 || !roleName.All(IdentityValidation.IsNameCharacter))
        {
            throw Invalid($"The role name `{roleName}` must be 1 to 64 characters of [\\w+=,.@-].", "INVALID_PATTERN");
        }

        var requestId = "car-" + RandomString(Lowercase, 32);
        if (current.Accounts.Exists(a => string.Equals(a.Email, email, StringComparison.OrdinalIgnoreCase)))
        {
            return await WriteAsync(caller, d => AddRequest(d, new CreateAccountDocument
            {
                Id = requestId, AccountName = accountName, State = "FAILED", RequestedAt = now, CompletedAt = now, FailureReason = "EMAIL_ALREADY_EXISTS",
            }), cancellationToken);
        }

        string accountId;
        do
        {
            accountId = RandomString("0123456789", 12);
        }
        while (accountId == current.ManagementAccount || current.Accounts.Exists(a => a.Id == accountId));

        // The role first: if the organization write below fails, an unused account id holds an orphan role, which
        // nobody can reach (only its trust policy's management account could, and the account is in no organization).
        var account = AccountId.Parse(accountId);
        var management = current.ManagementAccount;
        await _identity.CreateRoleAsync(account, roleName, "/",
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{management}}:root"},"Action":"sts:AssumeRole"}]}""",
            "Administrator access from the organization's management account", null, null, null, now, cancellationToken);
        await _identity.PutRolePolicyAsync(account, roleName, "AdministratorAccess",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""", cancellationToken);

        return await WriteAsync(caller, d =>
        {
            if (d.Accounts.Exists(a => a.Id == accountId || string.Equals(a.Email, email, StringComparison.OrdinalIgnoreCase)))
            {
                return AddRequest(d, new CreateAccountDocument
                {
                    Id = requestId, AccountName = accountName, State = "FAILED", RequestedAt = now, CompletedAt = now, FailureReason = "CONCURRENT_ACCOUNT_MODIFICATION",
                });
            }

            d.Accounts.Add(new AccountDocument { Id = accountId, Name = accountName, Email = email, ParentId = d.RootId, Created = true, JoinedAt = now });
            AttachDefaults(d, accountId);
            return AddRequest(d, new CreateAccountDocument
            {
                Id = requestId, AccountName = accountName, State = "SUCCEEDED", RequestedAt = now, CompletedAt = now, AccountId = accountId,
            });
        }, cancellationToken);
    }

    /// <summary>DescribeCreateAccountStatus.</summary>
    /// <exception cref="OrganizationException"><c>CreateAccountStatusNotFoundException</c>.</exception>
    public async Task<CreateAccountStatus> DescribeCreateAccountStatusAsync(IdentityPrincipal caller, string? requestId, CancellationToken cancellationToken)
    {
        var document = await ReadForAsync(caller, cancellationToken);
        var request = document.CreateAccountRequests.Find(r => r.Id == requestId)
            ?? throw new OrganizationException(OrganizationErrorCode.CreateAccountStatusNotFoundException, $"Create account request `{requestId}` was not found.");
        return ToStatus(request);
    }

    /// <summary>ListAccounts: every account, the management account included, in the order they joined.</summary>
    public async Task<IReadOnlyList<OrganizationAccount>> ListAccountsAsync(IdentityPrincipal caller, CancellationToken cancellationToken)
    {
        var document = await ReadForAsync(caller, cancellationToken);
        return document.Accounts.Select(a => ToAccount(document, a)).ToList();
    }

    /// <summary>ListAccountsForParent.</summary>
    /// <exception cref="OrganizationException"><c>ParentNotFoundException</c>.</exception>
    public async Task<IReadOnlyList<OrganizationAccount>> ListAccountsForParentAsync(IdentityPrincipal caller, string? parentId, CancellationToken cancellationToken)
    {
        var document = await ReadForAsync(caller, cancellationToken);
        RequireParent(document, parentId, OrganizationErrorCode.ParentNotFoundException);
        return document.Accounts.Where(a => a.ParentId == parentId).Select(a => ToAccount(document, a)).ToList();
    }

    /// <summary>DescribeAccount.</summary>
    /// <exception cref="OrganizationException"><c>AccountNotFoundException</c>.</exception>
    public async Task<OrganizationAccount> DescribeAccountAsync(IdentityPrincipal caller, string? accountId, CancellationToken cancellationToken)
    {
        var document = await ReadForAsync(caller, cancellationToken);
        return ToAccount(document, FindAccount(document, accountId));
    }

    /// <summary>CreateOrganizationalUnit under the root or an OU (at most 5 levels deep); names are unique under one parent.</summary>
    /// <exception cref="OrganizationException"><c>ParentNotFoundException</c>, <c>DuplicateOrganizationalUnitException</c>, <c>ConstraintViolationException</c> (depth), <c>InvalidInputException</c>.</exception>
    public Task<OrganizationalUnit> CreateOrganizationalUnitAsync(IdentityPrincipal caller, string? parentId, string? name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128)
        {
            throw Invalid($"The organizational unit name `{name}` must be 1 to 128 characters.", "INPUT_REQUIRED");
        }

        return WriteAsync(caller, d =>
        {
            RequireParent(d, parentId, OrganizationErrorCode.ParentNotFoundException);
            if (d.Units.Exists(u => u.ParentId == parentId && u.Name == name))
            {
                throw new OrganizationException(OrganizationErrorCode.DuplicateOrganizationalUnitException, $"An organizational unit named `{name}` already exists under `{parentId}`.");
            }

            if (Depth(d, parentId!) >= MaxOuDepth)
            {
                throw new OrganizationException(OrganizationErrorCode.ConstraintViolationException,
                    $"Organizational units can be nested at most {MaxOuDepth} levels below the root.", "OU_DEPTH_LIMIT_EXCEEDED");
            }

            var unit = new UnitDocument { Id = $"ou-{d.RootId[2..]}-{RandomString(Lowercase, 8)}", Name = name, ParentId = parentId! };
            d.Units.Add(unit);
            AttachDefaults(d, unit.Id);
            return ToUnit(d, unit);
        }, cancellationToken);
    }

    /// <summary>ListOrganizationalUnitsForParent.</summary>
    /// <exception cref="OrganizationException"><c>ParentNotFoundException</c>.</exception>
    public async Task<IReadOnlyList<OrganizationalUnit>> ListOrganizationalUnitsForParentAsync(IdentityPrincipal caller, string? parentId, CancellationToken cancellationToken)
    {
        var document = await ReadForAsync(caller, cancellationToken);
        RequireParent(document, parentId, OrganizationErrorCode.ParentNotFoundException);
        return document.Units.Where(u => u.ParentId == parentId).Select(u => ToUnit(document, u)).ToList();
    }

    /// <summary>MoveAccount from its current parent to another.</summary>
    /// <exception cref="OrganizationException"><c>AccountNotFoundException</c>, <c>SourceParentNotFoundException</c>, <c>DestinationParentNotFoundException</c>, <c>DuplicateAccountException</c> (already there).</exception>
    public Task MoveAccountAsync(IdentityPrincipal caller, string? accountId, string? sourceParentId, string? destinationParentId, CancellationToken cancellationToken) =>
        WriteAsync(caller, d =>
        {
            RequireParent(d, sourceParentId, OrganizationErrorCode.SourceParentNotFoundException);
            RequireParent(d, destinationParentId, OrganizationErrorCode.DestinationParentNotFoundException);
            var account = FindAccount(d, accountId);
            if (account.ParentId != sourceParentId)
            {
                throw new OrganizationException(OrganizationErrorCode.AccountNotFoundException, $"Account `{accountId}` is not in `{sourceParentId}`.");
            }

            if (sourceParentId == destinationParentId)
            {
                throw new OrganizationException(OrganizationErrorCode.DuplicateAccountException, $"Account `{accountId}` is already in `{destinationParentId}`.");
            }

            account.ParentId = destinationParentId!;
            return true;
        }, cancellationToken);

    /// <summary>
    /// RemoveAccountFromOrganization: the account becomes standalone. Its users and roles stay, but the organization's
    /// SCPs and RCPs no longer apply to it and its principals carry no <c>aws:PrincipalOrgID</c>.
    /// </summary>
    /// <exception cref="OrganizationException"><c>AccountNotFoundException</c>, <c>MasterCannotLeaveOrganizationException</c> (the management account).</exception>
    public Task RemoveAccountFromOrganizationAsync(IdentityPrincipal caller, string? accountId, CancellationToken cancellationToken) =>
        WriteAsync(caller, d =>
        {
            var account = FindAccount(d, accountId);
            if (account.Id == d.ManagementAccount)
            {
                // spec: aws-models/organizations RemoveAccountFromOrganization errors (MasterCannotLeaveOrganizationException)
                throw new OrganizationException(OrganizationErrorCode.MasterCannotLeaveOrganizationException,
                    "The management account cannot be removed from its organization; delete the organization instead.");
            }

            d.Accounts.Remove(account);
            d.Attachments.Remove(account.Id);
            return true;
        }, cancellationToken);

    /// <summary>DescribeOrganizationalUnit.</summary>
    /// <exception cref="OrganizationException"><c>OrganizationalUnitNotFoundException</c>.</exception>
    public async Task<OrganizationalUnit> DescribeOrganizationalUnitAsync(IdentityPrincipal caller, string? unitId, CancellationToken cancellationToken)
    {
        var document = await ReadForAsync(caller, cancellationToken);
        var unit = document.Units.Find(u => u.Id == unitId)
            ?? throw new OrganizationException(OrganizationErrorCode.OrganizationalUnitNotFoundException, $"Organizational unit `{unitId}` was not found.");
        return ToUnit(document, unit);
    }

    /// <summary>ListParents: the one parent (id and <c>ROOT</c> or <c>ORGANIZATIONAL_UNIT</c>) of an account or OU.</summary>
    /// <exception cref="OrganizationException"><c>ChildNotFoundException</c>.</exception>
    public async Task<(string Id, string Type)> GetParentAsync(IdentityPrincipal caller, string? childId, CancellationToken cancellationToken)
    {
        var d = await ReadForAsync(caller, cancellationToken);
        var parent = d.Accounts.Find(a => a.Id == childId)?.ParentId ?? d.Units.Find(u => u.Id == childId)?.ParentId
            ?? throw new OrganizationException(OrganizationErrorCode.ChildNotFoundException, $"Child `{childId}` was not found.");
        return (parent, parent == d.RootId ? "ROOT" : "ORGANIZATIONAL_UNIT");
    }

    private static CreateAccountStatus AddRequest(OrganizationDocument d, CreateAccountDocument request)
    {
        d.CreateAccountRequests.Add(request);
        return ToStatus(request);
    }

    private static AccountDocument FindAccount(OrganizationDocument d, string? accountId) =>
        d.Accounts.Find(a => a.Id == accountId)
        ?? throw new OrganizationException(OrganizationErrorCode.AccountNotFoundException, $"Account `{accountId}` is not in the organization.");

    private static void RequireParent(OrganizationDocument d, string? parentId, OrganizationErrorCode code)
    {
        if (parentId != d.RootId && !d.Units.Exists(u => u.Id == parentId))
        {
            throw new OrganizationException(code, $"Parent `{parentId}` was not found.");
        }
    }

    private static int Depth(OrganizationDocument d, string parentId)
    {
        var depth = 0;
        for (var id = parentId; id != d.RootId; id = d.Units.Find(u => u.Id == id)!.ParentId)
        {
            depth++;
        }

        return depth;
    }

    private static OrganizationException Invalid(string message, string reason) => new(OrganizationErrorCode.InvalidInputException, message, reason);

    private static CreateAccountStatus ToStatus(CreateAccountDocument r) =>
        new(r.Id, r.AccountName, r.State, r.RequestedAt, r.CompletedAt, r.AccountId, r.FailureReason);

    private static OrganizationAccount ToAccount(OrganizationDocument d, AccountDocument a) =>
        new(a.Id, Arn(d, "account", a.Id), a.Email, a.Name, a.ParentId, a.Created, a.JoinedAt);

    private static OrganizationalUnit ToUnit(OrganizationDocument d, UnitDocument u) => new(u.Id, Arn(d, "ou", u.Id), u.Name, u.ParentId);
}
