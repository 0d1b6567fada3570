// Runs a batch of encrypt/decrypt jobs with the AWS Encryption SDK for JavaScript (@aws-crypto/client-node),
// an implementation independent of Keyhaven's. Usage: node esdk.js JOBS.json RESULTS.json
// Each job: { op: "encrypt"|"decrypt", policy, keyring, suite?, frameLength?, context?, input, output }.
// Writes one JSON array of results to RESULTS.json: { ok: true, suite, context } or { ok: false, error }.
'use strict'
const fs = require('fs')
const crypto = require('crypto')
const sdk = require('@aws-crypto/client-node')

function keyring (spec) {
  switch (spec.type) {
    case 'aes': {
      // The SDK wants the key in a buffer of its own (not a slice of Node's shared pool).
      const decoded = Buffer.from(spec.key, 'base64')
      const key = new Uint8Array(new ArrayBuffer(decoded.length))
      key.set(decoded)
      return new sdk.RawAesKeyringNode({
        keyNamespace: spec.namespace,
        keyName: spec.name,
        unencryptedMasterKey: key,
        wrappingSuite: {
          16: sdk.RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING,
          24: sdk.RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING,
          32: sdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING
        }[key.length],
        utf8Sorting: true
      })
    }
    case 'rsa': {
      const oaep = spec.padding.startsWith('oaep-')
      return new sdk.RawRsaKeyringNode({
        keyNamespace: spec.namespace,
        keyName: spec.name,
        rsaKey: { privateKey: spec.privatePem, publicKey: spec.publicPem },
        padding: oaep ? crypto.constants.RSA_PKCS1_OAEP_PADDING : crypto.constants.RSA_PKCS1_PADDING,
        oaepHash: oaep ? spec.padding.slice(5) : undefined
      })
    }
    case 'multi':
      return new sdk.MultiKeyringNode({
        generator: spec.generator ? keyring(spec.generator) : undefined,
        children: (spec.children || []).map(keyring)
      })
    case 'kms': {
      const { KMS } = require('@aws-sdk/client-kms')
      const clientProvider = () => new KMS({
        endpoint: spec.endpoint,
        region: spec.region,
        credentials: { accessKeyId: spec.accessKeyId, secretAccessKey: spec.secretAccessKey }
      })
      if (spec.discovery) {
        return new sdk.AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: clientProvider(), discoveryFilter: spec.discoveryFilter, grantTokens: spec.grantTokens })
      }
      return new sdk.KmsKeyringNode({ clientProvider, generatorKeyId: spec.generator, keyIds: spec.keyIds || [], grantTokens: spec.grantTokens })
    }
    case 'hierarchy':
      return hierarchyKeyring(spec)
    default:
      throw new Error(`unknown keyring type ${spec.type}`)
  }
}

// The JavaScript SDK's own hierarchical keyring and branch key store (which decrypts branch keys with KMS, here a
// Keyhaven server), reading the items Keyhaven's DirectoryBranchKeyStorage wrote: one JSON file per branch key,
// named by the SHA-256 of its id, { format, "branch-key-id", items: [{ attributes, enc }] }. Only the storage
// (DynamoDB in the JavaScript SDK) is replaced; the encryption context, KMS call and wrapping are the SDK's.
function hierarchyKeyring (spec) {
  const { KMSClient } = require('@aws-sdk/client-kms')
  const { EncryptedHierarchicalKey } = require('@aws-crypto/branch-keystore-node/build/main/src/types')
  const read = (branchKeyId, type) => {
    const file = require('path').join(spec.folder, crypto.createHash('sha256').update(branchKeyId, 'utf8').digest('hex') + '.json')
    const item = JSON.parse(fs.readFileSync(file, 'utf8')).items.find(i => i.attributes.type === type)
    if (!item) throw new Error(`no item ${type} for ${branchKeyId}`)
    return new EncryptedHierarchicalKey({ ...item.attributes, tablename: spec.logicalKeyStoreName }, Buffer.from(item.enc, 'base64'))
  }
  const storage = {
    getEncryptedActiveBranchKey: async (id) => read(id, 'branch:ACTIVE'),
    getEncryptedBranchKeyVersion: async (id, version) => read(id, 'branch:version:' + version),
    getKeyStorageInfo: () => ({ name: spec.folder, logicalName: spec.logicalKeyStoreName })
  }
  const keyStore = new sdk.BranchKeyStoreNode({
    logicalKeyStoreName: spec.logicalKeyStoreName,
    storage,
    kmsConfiguration: { identifier: spec.kmsArn },
    keyManagement: {
      kmsClient: new KMSClient({
        endpoint: spec.endpoint,
        region: spec.region,
        credentials: { accessKeyId: spec.accessKeyId, secretAccessKey: spec.secretAccessKey }
      })
    }
  })
  return new sdk.KmsHierarchicalKeyRingNode({ branchKeyId: spec.branchKeyId, keyStore, cacheLimitTtl: 60, utf8Sorting: true })
}

async function run (job) {
  const client = sdk.buildClient({ commitmentPolicy: sdk.CommitmentPolicy[job.policy || 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT'] })
  const input = fs.readFileSync(job.input)
  if (job.op === 'encrypt') {
    const { result, messageHeader } = await client.encrypt(keyring(job.keyring), input, {
      suiteId: job.suite,
      frameLength: job.frameLength,
      encryptionContext: job.context || {}
    })
    fs.writeFileSync(job.output, result)
    return { ok: true, suite: messageHeader.suiteId, context: messageHeader.encryptionContext }
  }
  const { plaintext, messageHeader } = await client.decrypt(keyring(job.keyring), input)
  fs.writeFileSync(job.output, plaintext)
  return { ok: true, suite: messageHeader.suiteId, context: messageHeader.encryptionContext }
}

async function main () {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
  const results = []
  for (const job of jobs) {
    try {
      results.push(await run(job))
    } catch (e) {
      results.push({ ok: false, error: String(e && e.message ? e.message : e) })
    }
  }
  fs.writeFileSync(process.argv[3], JSON.stringify(results))
}

main().catch(e => { console.error(e); process.exit(1) })
