/** The TLS probing layer: probe one mail endpoint or many, collecting evidence and protocol findings. */
export {NET_CODES} from './codes.js'
export type {ProbeEvidence, ProbeOptions, ProbeProtocol, ProbeSecurity, ProbeTarget, TlsFacts} from './evidence.js'
export {DEFAULT_EHLO_NAME, probe} from './probe.js'
export {DEFAULT_CONCURRENCY, probeAll, runPool, type ProbeAllOptions} from './pool.js'
