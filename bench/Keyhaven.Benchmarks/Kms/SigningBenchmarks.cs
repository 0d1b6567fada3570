using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyhaven.Kms.Asymmetric;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Signing;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Keyhaven.Benchmarks.Kms;

/// <summary>
/// Sign and Verify per key spec as the KMS domain runs them once the key is in memory (<c>AsymmetricSigner</c>: a
/// pooled parsed key for RSA/ECDSA, BouncyCastle for Ed25519 and ML-DSA), next to the raw primitive with a key object
/// made once: .NET's RSA/ECDsa, or BouncyCastle where .NET has no implementation on this platform.
/// </summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private byte[] _material = null!;
    private byte[] _message = null!;
    private byte[] _signature = null!;
    private SigningAlgorithm _algorithm;
    private RSA? _rsa;
    private ECDsa? _ecdsa;
    private Ed25519PrivateKeyParameters? _ed25519;
    private MLDsaPrivateKeyParameters? _mlDsa;
    private byte[] _rawSignature = null!;

    [Params(KeySpec.Rsa2048, KeySpec.Rsa4096, KeySpec.EccNistP256, KeySpec.EccNistP384, KeySpec.EccSecgP256K1, KeySpec.EccNistEdwards25519, KeySpec.MlDsa65)]
    public KeySpec Spec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _material = KeyPairs.Generate(Spec);
        _message = RandomNumberGenerator.GetBytes(256);
        _algorithm = Spec switch
        {
            KeySpec.Rsa2048 or KeySpec.Rsa4096 => SigningAlgorithm.RsassaPssSha256,
            KeySpec.EccNistP384 => SigningAlgorithm.EcdsaSha384,
            KeySpec.EccNistEdwards25519 => SigningAlgorithm.Ed25519Sha512,
            KeySpec.MlDsa65 => SigningAlgorithm.MlDsaShake256,
            _ => SigningAlgorithm.EcdsaSha256,
        };
        _signature = KeyhavenSign();
        if (KeySpecRules.IsRsa(Spec))
        {
            _rsa = KeyPairs.OpenRsa(_material);
        }
        else if (KeySpecRules.IsEllipticCurve(Spec))
        {
            _ecdsa = KeyPairs.OpenEcdsa(_material);
        }
        else if (Spec == KeySpec.EccNistEdwards25519)
        {
            _ed25519 = (Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(_material);
        }
        else
        {
            _mlDsa = MLDsaPrivateKeyParameters.FromSeed(KeyPairs.MlDsaParameters(Spec), _material);
        }

        _rawSignature = RawSign();
    }

    [Benchmark]
    public byte[] KeyhavenSign() => AsymmetricSigner.Sign(Spec, _material, _algorithm, MessageType.Raw, _message);

    [Benchmark]
    public bool KeyhavenVerify() => AsymmetricSigner.Verify(Spec, _material, _algorithm, MessageType.Raw, _message, _signature);

    [Benchmark(Baseline = true)]
    public byte[] RawSign()
    {
        if (_rsa is not null)
        {
            return _rsa.SignData(_message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }

        if (_ecdsa is not null)
        {
            return _ecdsa.SignData(_message, Spec == KeySpec.EccNistP384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }

        Org.BouncyCastle.Crypto.ISigner signer = _ed25519 is not null ? new Ed25519Signer() : new MLDsaSigner(KeyPairs.MlDsaParameters(Spec), deterministic: false);
        signer.Init(true, _ed25519 is not null ? _ed25519 : new ParametersWithRandom(_mlDsa!, new SecureRandom()));
        signer.BlockUpdate(_message);
        return signer.GenerateSignature();
    }

    [Benchmark]
    public bool RawVerify()
    {
        if (_rsa is not null)
        {
            return _rsa.VerifyData(_message, _rawSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }

        if (_ecdsa is not null)
        {
            return _ecdsa.VerifyData(_message, _rawSignature, Spec == KeySpec.EccNistP384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }

        Org.BouncyCastle.Crypto.ISigner verifier = _ed25519 is not null ? new Ed25519Signer() : new MLDsaSigner(KeyPairs.MlDsaParameters(Spec), deterministic: false);
        verifier.Init(false, _ed25519 is not null ? _ed25519.GeneratePublicKey() : _mlDsa!.GetPublicKey());
        verifier.BlockUpdate(_message);
        return verifier.VerifySignature(_rawSignature);
    }
}
