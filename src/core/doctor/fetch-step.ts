/**
 * A discovery step over HTTP(S) as a client makes it: one request, then each redirect the client
 * would follow (at most MAX_REDIRECTS, a loop is noticed at once), every request a Step in the
 * report. Findings say what the user meets: a certificate the client rejects, a 401, an HTML page,
 * a redirect to another domain, a timeout. Credentials are never sent; a 401 is reported, never
 * answered.
 */
import {getDomain} from 'tldts'

import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import {type HttpContext, type HttpOutcome, type HttpRequest, request} from './http.js'
import type {ClientName, Step} from './model.js'

export const MAX_REDIRECTS = 10

export interface FetchedStep {
  steps: Step[]
  findings: Finding[]
  /** The final 2xx answer, when one came (and the client accepts its certificate). */
  body?: Buffer
  contentType?: string
  finalUrl: URL
  /** Why nothing usable came (for the sentence). */
  failure?: string
  /** The client met a certificate it rejects (Outlook shows a prompt, Thunderbird skips). */
  certificateRejected?: boolean
}

export interface FetchPlan {
  client: ClientName
  name: string
  request: HttpRequest
  /** Follow 3xx (Thunderbird and Outlook's redirect step do; a POX POST answered 3xx is followed as a new POST). */
  follow: boolean
}

/** The registrable domain of a host (public suffix list, private suffixes too): what "another domain" means for a redirect. */
export function siteOf(host: string): string {
  return getDomain(host, {allowPrivateDomains: true}) ?? host
}

function outcomeDetail(o: HttpOutcome): string {
  if (o.kind === 'response') return `HTTP ${o.status} from ${o.remote}`
  if (o.kind === 'dns') return `the name does not resolve (${o.error})`
  return o.error
}

export async function fetchStep(plan: FetchPlan, ctx: HttpContext): Promise<FetchedStep> {
  const out: FetchedStep = {steps: [], findings: [], finalUrl: plan.request.url}
  const seen = new Set<string>()
  let req = plan.request
  const firstSite = siteOf(req.url.hostname)
  for (let hop = 0; ; hop++) {
    const started = Date.now()
    const o = await request(req, ctx)
    const step: Step = {name: hop === 0 ? plan.name : `${plan.name}, redirect ${hop}`, method: req.method, target: req.url.href, result: 'failed', durationMs: Date.now() - started, detail: outcomeDetail(o)}
    out.steps.push(step)
    out.finalUrl = req.url
    seen.add(req.url.href)
    const cert = 'certificate' in o ? o.certificate : undefined
    if (cert) step.certificate = {accepted: cert.accepted, codes: cert.codes, summary: cert.summary}
    if (cert && !cert.accepted) {
      out.certificateRejected = true
      const outlook = plan.client === 'outlook'
      out.findings.push(
        finding(outlook ? 'discovery-certificate-warning' : 'discovery-certificate-skipped', {
          message: outlook
            ? `Outlook shows a certificate warning for ${req.url.hostname} at ${req.url.href} (${cert.summary}) before it gets any settings.`
            : `Thunderbird rejects the certificate of ${req.url.hostname} (${cert.summary}) and silently skips ${req.url.href}.`,
          endpoint: {host: req.url.hostname, port: Number(req.url.port || 443)},
        }),
      )
      if (!outlook) {
        step.detail += `; certificate rejected: ${cert.summary}`
        out.failure = `the certificate of ${req.url.hostname} is rejected`
        return out
      }
    }
    if (o.kind === 'deadline') {
      step.result = 'cut'
      out.failure = 'the deadline for this address ran out'
      return out
    }
    if (o.kind === 'timeout') {
      step.result = 'failed'
      out.failure = `${req.url.host} did not answer in time`
      out.findings.push(finding('discovery-timeout', {message: `${req.url.href} did not answer within the step's time limit: ${plan.client === 'outlook' ? 'Outlook' : 'Thunderbird'} waits this long before it moves on.`, endpoint: {host: req.url.hostname, port: Number(req.url.port || (req.url.protocol === 'https:' ? 443 : 80))}}))
      return out
    }
    if (o.kind === 'dns') {
      step.result = 'not-found'
      out.failure = `${req.url.hostname} does not resolve`
      if (o.failed) out.findings.push(finding('dns-failed', {message: `The DNS lookup of ${req.url.hostname} failed (${o.error}).`}))
      return out
    }
    if (o.kind !== 'response') {
      step.result = 'failed'
      out.failure = `${req.url.host}: ${o.error}`
      return out
    }
    step.status = o.status
    if (o.status >= 300 && o.status < 400 && o.headers.location) {
      step.result = 'redirect'
      let next: URL
      try {
        next = new URL(o.headers.location, req.url)
      } catch {
        step.detail += `; unusable Location "${o.headers.location.slice(0, 200)}"`
        out.failure = 'an unusable redirect'
        return out
      }
      step.redirect = next.href
      if (!plan.follow) {
        out.failure = `a redirect the client does not follow here (to ${next.href})`
        return out
      }
      if (seen.has(next.href) || hop + 1 > MAX_REDIRECTS) {
        out.failure = seen.has(next.href) ? 'a redirect loop' : `more than ${MAX_REDIRECTS} redirects`
        out.findings.push(finding('discovery-redirect-loop', {message: `${plan.request.url.href} leads to ${out.failure} (${[...seen].slice(-3).join(' → ')} → ${next.href}); the client gives up on it.`}))
        return out
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        out.failure = `a redirect to ${next.protocol} (not followed)`
        return out
      }
      if (siteOf(next.hostname) !== firstSite) {
        out.findings.push(
          finding('discovery-redirect-other-domain', {
            message: `${req.url.href} redirects to another domain, ${next.hostname}${plan.client === 'outlook' ? ': Outlook asks the user whether to allow that server to configure the account' : ': Thunderbird follows it without asking'}.`,
          }),
        )
      }
      req = {...req, url: next}
      continue
    }
    if (o.status === 401 || o.status === 403) {
      step.result = 'failed'
      out.failure = `HTTP ${o.status} (authentication required)`
      out.findings.push(finding('discovery-unauthorized', {message: `${req.url.href} answers ${o.status}${o.headers['www-authenticate'] ? ` (${String(o.headers['www-authenticate']).slice(0, 80)})` : ''}: ${plan.client === 'outlook' ? 'Outlook asks the user for a password for this web server' : 'Thunderbird skips it'}. doctor sends no credentials.`}))
      return out
    }
    if (o.status < 200 || o.status >= 300) {
      step.result = 'not-found'
      out.failure = `HTTP ${o.status}`
      return out
    }
    step.result = 'found'
    out.body = o.body
    out.contentType = String(o.headers['content-type'] ?? '')
    return out
  }
}
