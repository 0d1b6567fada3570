using Keyhaven.Audit.Reading;
using Keyhaven.Audit.Trail;
using Keyhaven.Kms;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms;
using Keyhaven.Server.Network;
using Keyhaven.Server.Pipeline;
using Keyhaven.SigV4;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Backends;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Hosting;

/// <summary>
/// A running Keyhaven server: opens the data directory (root key), the storage (SQLite or PostgreSQL) and the barrier, loads or creates the deployment,
/// and serves the KMS API on Kestrel. The host only maps HTTP to the pipeline; all behaviour lives below it.
/// </summary>
public sealed class KeyhavenServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IStorageBackend _backend;
    private readonly StorageBarrier _barrier;
    private readonly RootKey _rootKey;
    private readonly AuditTrail _trail;

    private readonly IReadOnlyDictionary<string, Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> _endpointListeners;
    private readonly Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? _metadataListener;

    private KeyhavenServer(WebApplication app, IStorageBackend backend, StorageBarrier barrier, RootKey rootKey, AuditTrail trail, Deployment deployment, KmsDomain kms,
        Uri endpoint, IReadOnlyDictionary<string, Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> endpointListeners,
        Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? metadataListener)
    {
        _endpointListeners = endpointListeners;
        _metadataListener = metadataListener;
        _app = app;
        _trail = trail;
        _backend = backend;
        _barrier = barrier;
        _rootKey = rootKey;
        Deployment = deployment;
        Kms = kms;
        Endpoint = endpoint;
    }

    public Deployment Deployment { get; }
    public KmsDomain Kms { get; }

    /// <summary>The audit trail every request is recorded in.</summary>
    public AuditTrail AuditTrail => _trail;

    /// <summary>Reads the audit trail's events.</summary>
    public AuditReader AuditReader { get; private init; } = null!;
    public Uri Endpoint { get; }

    /// <summary>Verifies the audit trail in this server's storage (every node's events, one chain): what <c>keyhaven audit verify</c> reports.</summary>
    public Task<Keyhaven.Audit.Verification.AuditVerificationReport> VerifyAuditAsync(CancellationToken cancellationToken = default) =>
        new Keyhaven.Audit.Verification.AuditVerifier(_backend, _barrier).VerifyAsync(cancellationToken: cancellationToken);

    /// <summary>The URL of a VPC endpoint's listener (its port resolved when the configuration asked for port 0).</summary>
    /// <exception cref="KeyNotFoundException">No such endpoint is configured.</exception>
    public Uri VpcEndpointUri(string endpointId) => new($"http://{_endpointListeners[endpointId].IPEndPoint}/");

    /// <summary>The URL of the instance-metadata listener (for <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c>), or null when none is configured.</summary>
    public Uri? InstanceMetadataUri => _metadataListener is { IPEndPoint: { } bound } ? new Uri($"http://{bound}/") : null;

    /// <summary>
    /// Applies a new network configuration: endpoint policies changed in it replace the stored ones; listeners stay as
    /// they are. Recorded in the audit trail (<see cref="NetworkReloadAudit"/>), refused reloads too. Returns the
    /// endpoints whose policy changed.
    /// </summary>
    /// <exception cref="FormatException">The new configuration adds, removes or moves a listener; nothing changed.</exception>
    /// <exception cref="AuditWriteException">The audit trail cannot write: nothing changed (or, if it failed after the change, the change is in force but unrecorded).</exception>
    public Task<IReadOnlyList<string>> ReloadNetworkAsync(NetworkConfiguration configuration, CancellationToken cancellationToken = default) =>
        ReloadNetworkAsync(() => configuration, file: null, trigger: "reload", cancellationToken);

    /// <summary>Reads the configuration file <paramref name="path"/> again (on SIGHUP) and applies it as <see cref="ReloadNetworkAsync(NetworkConfiguration, CancellationToken)"/> does.</summary>
    /// <exception cref="FormatException">The file cannot be read or parsed, or it moves listeners; nothing changed (the refusal is audited).</exception>
    public Task<IReadOnlyList<string>> ReloadNetworkAsync(string path, string trigger, CancellationToken cancellationToken = default) =>
        ReloadNetworkAsync(() => NetworkConfiguration.Load(path), Path.GetFullPath(path), trigger, cancellationToken);

    private async Task<IReadOnlyList<string>> ReloadNetworkAsync(Func<NetworkConfiguration> load, string? file, string trigger, CancellationToken cancellationToken)
    {
        var network = _app.Services.GetRequiredService<NetworkState>();
        var options = _app.Services.GetRequiredService<KeyhavenServerOptions>();
        await _trail.EnsureWritableAsync(); // fail closed: no change the trail could not record
        NetworkConfiguration? next = null;
        try
        {
            next = load();
            var changes = await network.ReloadAsync(next, cancellationToken);
            await _trail.AppendAsync(NetworkReloadAudit.Create(options.Time.GetUtcNow(), options.Region, Deployment.Account.Value, next, file, trigger, changes, refusal: null));
            return [.. changes.Select(c => c.EndpointId)];
        }
        catch (FormatException exception)
        {
            await _trail.AppendAsync(NetworkReloadAudit.Create(options.Time.GetUtcNow(), options.Region, Deployment.Account.Value, next ?? network.Configuration, file, trigger,
                changes: null, refusal: exception.Message));
            throw;
        }
    }

    /// <summary>The storage this server runs on (to check leadership, or to read what it stored in tests).</summary>
    public IStorageBackend Backend => _backend;

    /// <summary>Opens the data directory and the storage (initializing them on first start) and starts listening.</summary>
    public static async Task<KeyhavenServer> StartAsync(KeyhavenServerOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        CreatePrivateDirectory(options.DataDirectory);
        var rootKey = RootKey.LoadOrCreate(options.ResolvedRootKeyPath);
        var backend = options.ResolvedStorage.CreateBackend();
        StorageBarrier barrier;
        try
        {
            await backend.InitializeAsync(cancellationToken);
            barrier = await StorageBarrier.OpenAsync(backend, rootKey, cancellationToken);
        }
        catch
        {
            await backend.DisposeAsync();
            rootKey.Dispose();
            throw;
        }

        var store = new RecordStore(backend, barrier);
        var accessKeys = new AccessKeyStore(store);
        var deployment = await Deployment.LoadOrCreateAsync(store, accessKeys, options, cancellationToken);
        var kms = new KmsDomain(store, new KmsEnvironment(options.Time, options.Random), options.Regions.ToHashSet(StringComparer.Ordinal),
            new IdentityKeyPolicyPrincipals(accessKeys.Identity));
        var trail = await AuditTrail.OpenAsync(store, options.Time, cancellationToken);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning);
        }
        else
        {
            logging(builder.Logging);
        }

        WebApplication? started = null;
        Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? publicListener = null, metadataListener = null;
        var endpointListeners = new Dictionary<string, Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions>(StringComparer.Ordinal);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Listen, listen => publicListener = listen);
            if (options.Network.InstanceMetadataService is { } metadata)
            {
                kestrel.Listen(metadata.Listen, listen =>
                {
                    metadataListener = listen;
                    listen.Use(next => connection =>
                    {
                        connection.Items[InstanceMetadataEndpoint.ListenerItem] = true;
                        return next(connection);
                    });
                });
            }

            foreach (var endpoint in options.Network.VpcEndpoints)
            {
                // Each VPC endpoint is a listener of its own: a connection is admitted only from inside the endpoint's
                // VPC, and is tagged with the endpoint so that the pipeline knows the path it took.
                kestrel.Listen(endpoint.Listen, listen =>
                {
                    endpointListeners[endpoint.Id] = listen;
                    listen.Use(next => connection =>
                    {
                        var network = started!.Services.GetRequiredService<NetworkState>();
                        if (!network.Admits(endpoint.Id, (connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address))
                        {
                            connection.Abort(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("The client is not in the endpoint's VPC."));
                            return Task.CompletedTask;
                        }

                        connection.Items[NetworkState.EndpointItem] = endpoint.Id;
                        return next(connection);
                    });
                });
            }

            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = RequestPipeline.MaxBodyLength + 1;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(trail);
        builder.Services.AddSingleton(new AuditReader(store));
        builder.Services.AddSingleton(deployment);
        builder.Services.AddSingleton(kms);
        builder.Services.AddSingleton(backend);
        builder.Services.AddSingleton(options.Time);
        builder.Services.AddSingleton(options.Network);
        builder.Services.AddSingleton(new VpcEndpointPolicyStore(store));
        builder.Services.AddSingleton<NetworkState>();
        builder.Services.AddSingleton<InstanceMetadataEndpoint>();
        builder.Services.AddSingleton<Keyhaven.Server.Federation.OidcKeySource>();
        builder.Services.AddSingleton<Keyhaven.Server.Federation.WebIdentityTokenVerifier>();
        builder.Services.AddSingleton(new KmsOperationTable(kms, new Keyhaven.Server.Kms.Recipients.RecipientAttestations(new Keyhaven.Attestation.Verification.NitroAttestationVerifier(
            new Keyhaven.Attestation.Verification.AttestationVerifierOptions { DevelopmentRootFingerprints = options.TrustedDevelopmentAttestationRoots }, options.Time))));
        builder.Services.AddSingleton<PolicyCompilation>();
        builder.Services.AddSingleton<VpcEndpointPolicies>();
        builder.Services.AddSingleton<KmsAuthorizer>();
        builder.Services.AddSingleton<IdentityCallAuthorizer>();
        builder.Services.AddSingleton<ISigningCredentialSource<CallerIdentity>>(accessKeys);
        builder.Services.AddSingleton<IAwsService, KmsService>();
        builder.Services.AddSingleton(accessKeys.Identity);
        builder.Services.AddSingleton(accessKeys.Identity.Organizations);
        builder.Services.AddSingleton<IIdentityPolicySource, IdentityStorePolicySource>();
        builder.Services.AddSingleton<IAwsService, Keyhaven.Server.Iam.IamService>();
        builder.Services.AddSingleton<IAwsService, Keyhaven.Server.Sts.StsService>();
        builder.Services.AddSingleton<IAwsService, Keyhaven.Server.Organizations.OrganizationsService>();
        builder.Services.AddSingleton<IAwsService, Keyhaven.Server.CloudTrail.CloudTrailService>();
        builder.Services.AddSingleton(services => new Keyhaven.Server.Governance.GovernanceAnalysis(kms, accessKeys.Identity, services.GetRequiredService<KmsAuthorizer>(),
            services.GetRequiredService<AuditReader>(), () => services.GetRequiredService<NetworkState>().Configuration, options.Time));
        builder.Services.AddSingleton<IAwsService, Keyhaven.Server.Governance.GovernanceService>();
        builder.Services.AddSingleton<IAwsService, Keyhaven.Server.Ec2.Ec2Service>();
        builder.Services.AddSingleton<RequestPipeline>();
        builder.Services.AddHostedService<KeyMaintenanceService>();
        builder.Services.AddHostedService<AuditDigestService>();
        var app = builder.Build();
        started = app;
        await app.Services.GetRequiredService<NetworkState>().InitializeAsync(cancellationToken);
        var pipeline = app.Services.GetRequiredService<RequestPipeline>();
        var instanceMetadata = app.Services.GetRequiredService<InstanceMetadataEndpoint>();
        var networkState = app.Services.GetRequiredService<NetworkState>();
        app.Run(context =>
        {
            if (context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.ContainsKey(InstanceMetadataEndpoint.ListenerItem) == true)
            {
                return instanceMetadata.HandleAsync(context);
            }

            // Admission is checked per request too: a kept-alive endpoint connection whose client a reload put outside
            // the VPC is closed, as a new connection from it would be refused.
            if (!networkState.StillAdmits(context))
            {
                context.Abort();
                return Task.CompletedTask;
            }

            return pipeline.HandleAsync(context);
        });
        await app.StartAsync(cancellationToken);

        var bound = publicListener!.IPEndPoint!;
        var reachable = bound.Address.Equals(System.Net.IPAddress.Any) ? System.Net.IPAddress.Loopback
            : bound.Address.Equals(System.Net.IPAddress.IPv6Any) ? System.Net.IPAddress.IPv6Loopback : bound.Address;
        var address = $"http://{new System.Net.IPEndPoint(reachable, bound.Port)}/";
        return new KeyhavenServer(app, backend, barrier, rootKey, trail, deployment, kms, new Uri(address), endpointListeners, metadataListener)
        {
            AuditReader = app.Services.GetRequiredService<AuditReader>(),
        };
    }

    /// <summary>Runs one pass of the background jobs (<see cref="KeyMaintenanceService.RunJobsAsync"/>) now.</summary>
    public Task RunMaintenanceAsync(CancellationToken cancellationToken = default) => KeyMaintenanceService.RunJobsAsync(Kms, cancellationToken);

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl-C).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>The request pipeline (for tests of what is in flight).</summary>
    internal RequestPipeline Pipeline => _app.Services.GetRequiredService<RequestPipeline>();

    /// <summary>How long shutdown waits, after Kestrel has stopped, for requests still being handled before it closes the trail.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        if (!await Pipeline.DrainAsync(DrainTimeout, TimeProvider.System))
        {
            _app.Services.GetRequiredService<ILogger<KeyhavenServer>>().LogError(
                "Shutdown: requests were still running {Timeout} after the server stopped; the audit trail closes without their events", DrainTimeout);
        }

        await _app.DisposeAsync();
        await Kms.Usage.FlushAsync(CancellationToken.None); // the last usages since the last maintenance pass
        await _trail.DisposeAsync(); // writes the shutdown digest
        await _backend.DisposeAsync();
        _barrier.Dispose();
        _rootKey.Dispose();
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
