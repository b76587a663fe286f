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
