/** The server's Prometheus metrics (prom-client), on a registry of their own so two servers in one process never share counters. */
import {Counter, Gauge, Histogram, Registry, collectDefaultMetrics} from 'prom-client'

export interface ServeMetrics {
  registry: Registry
  requests: Counter<'route' | 'method' | 'status'>
  duration: Histogram<'route'>
  signatures: Counter
  cacheHits: Counter
  cacheMisses: Counter
  /** Profile builds waiting for or running on a worker thread. */
  profileQueue: Gauge
  /** Profile downloads refused with 503 because `profileQueue` was full. */
  profileBusy: Counter
  reloads: Counter<'result'>
}

export function createMetrics(options: {processMetrics?: boolean} = {}): ServeMetrics {
  const registry = new Registry()
  if (options.processMetrics !== false) collectDefaultMetrics({register: registry})
  const registers = [registry]
  return {
    registry,
    requests: new Counter({name: 'mailprofile_http_requests_total', help: 'HTTP requests answered, by route, method and status.', labelNames: ['route', 'method', 'status'], registers}),
    duration: new Histogram({name: 'mailprofile_http_request_duration_seconds', help: 'Time from request to response, by route.', labelNames: ['route'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers}),
    signatures: new Counter({name: 'mailprofile_profile_signatures_total', help: 'Profiles built (and signed, when the settings name a signing identity) because the cache did not hold them.', registers}),
    cacheHits: new Counter({name: 'mailprofile_profile_cache_hits_total', help: 'Profile downloads answered from the cache of built profiles.', registers}),
    cacheMisses: new Counter({name: 'mailprofile_profile_cache_misses_total', help: 'Profile downloads that had to build the profile.', registers}),
    profileQueue: new Gauge({name: 'mailprofile_profile_queue', help: 'Profile builds waiting for or running on a worker thread.', registers}),
    profileBusy: new Counter({name: 'mailprofile_profile_busy_total', help: 'Profile downloads answered 503 (Retry-After) because the worker threads already had as many builds queued as allowed.', registers}),
    reloads: new Counter({name: 'mailprofile_settings_reloads_total', help: 'Settings reloads (SIGHUP or a changed file), by result: ok, or failed (the old settings keep serving).', labelNames: ['result'], registers}),
  }
}
