/**
 * Library entry for the benchmarks (bench/*.bench.js), bundled to dist/bench-lib.js by
 * scripts/bundle.js: the same code paths the CLI runs, importable without oclif. Additive
 * exports only; each benchmark imports what it measures.
 */
// build.bench.js: generation, signing, atomic writes.
export {loadSettings} from './core/settings/load.js'
export {buildOutputs} from './core/generate/build.js'
export {createStaging, discardStaging} from './core/generate/write.js'
export {writeBuild} from './core/generate/write-build.js'
export {realOutputFolder} from './core/generate/out-folder.js'
export {writeFileAtomic} from './core/util/write-file.js'
export {loadSigningIdentity} from './core/sign/identity.js'
export {createCmsSigner} from './core/sign/cms.js'
export {profileSigner} from './core/sign/profile-signer.js'
export {verifyCms} from './core/sign/verify.js'
// ecdsa.bench.js: the deterministic (RFC 6979) ECDSA signer against native crypto.sign.
export {createDeterministicEcdsaSigner} from './core/sign/ecdsa-deterministic.js'
// build.bench.js BENCH_PARTS=parts: each step of a per-user profile timed on its own.
export {caCertificates, profileMetadata} from './core/generate/build.js'
export {userAccount} from './core/generate/account.js'
export {payloadUuid, userProfileIds} from './core/generate/ids.js'
export {mailPayload} from './core/generate/mobileconfig.js'
export {userProfileWriter} from './core/generate/user-profiles.js'
export {validatePayload} from './core/apple/schemas.js'
export {stageFile} from './core/generate/write.js'
export {entryText} from './core/generate/manifest.js'
export {sha256Hex} from './core/util/hash.js'
export {loadCaFiles} from './core/settings/ca-files.js'
