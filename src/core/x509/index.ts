/**
 * Certificate policy and trust: the API `check`, `probe` and `inspect` use.
 * - evaluateChain: one server's chain (as sent) for one host name → certificates, trust verdicts, findings
 * - chainEvaluator: the same for many endpoints with one set of options, each distinct chain parsed and pathed once
 * - compareEndpointCertificates: one host serving different certificates on different ports
 * - loadTrustStore: Apple's trust store shipped in data/apple-trust-store/ (version, roots, removed roots)
 */
export {compareEndpointCertificates, type EndpointCertificate} from './compare.js'
export {
  type ChainCertificate,
  type ChainEvaluation,
  type ChainRole,
  type ChainTrust,
  type EvaluateChainOptions,
  type RootRef,
  chainEvaluator,
  evaluateChain,
} from './evaluate.js'
export {certificateCoversHost, coveredNames, normalizeHostName, suggestHostName} from './hostname.js'
export {type AppleTrustStore, type RootEntry, RootIndex, loadMozillaStore, loadTrustStore} from './trust-store.js'
export {type CertificateInfo, type ParsedCertificate, parseCertificate} from './certificate.js'
