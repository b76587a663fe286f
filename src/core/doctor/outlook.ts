/**
 * Outlook's Autodiscover order for a POP/IMAP account (Outlook 2016 and later; MS-OXDISCO,
 * MS-OXDSCLI), from the outside, without credentials:
 * 1. Autodiscover JSON v2 on the domain and on autodiscover.<domain>
 *    (autodiscover.json?Email=…&Protocol=AutodiscoverV1 → a POX URL to POST to);
 * 2. POX POST to https://<domain>/autodiscover/autodiscover.xml;
 * 3. the same on autodiscover.<domain>;
 * 4. the HTTP redirect: GET http://autodiscover.<domain>/autodiscover/autodiscover.xml, and a
 *    3xx to HTTPS is POSTed to (Outlook asks the user first);
 * 5. SRV _autodiscover._tcp.<domain>: POST to https://<target>:<port>/autodiscover/autodiscover.xml.
 * Every HTTPS step's certificate is judged as Outlook does; a rejected one is a prompt the user
 * sees even when a later step works. A POX redirectAddr restarts with the new address,
 * redirectUrl POSTs there; an Error response ends that URL.
 */
import {XMLBuilder} from 'fast-xml-parser'

import {finding} from '../codes.js'
import type {DoctorContext} from './context.js'
import {missed} from './dns.js'
import {fetchStep, MAX_REDIRECTS, siteOf} from './fetch-step.js'
import type {ClientReport, FoundConfig} from './model.js'
import {readPox} from './autodiscover-xml.js'
import {describeServers} from './thunderbird.js'
import {pushAll} from '../arrays.js'

const REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006'
const RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'

const builder = new XMLBuilder({ignoreAttributes: false, attributeNamePrefix: '@', processEntities: true, suppressEmptyNode: false})

/** The POX request: the address and the schema, nothing else (no credentials, ever). */
export function poxRequestBody(address: string): string {
  return '<?xml version="1.0" encoding="utf-8"?>\n' + builder.build({Autodiscover: {'@xmlns': REQUEST_NS, Request: {EMailAddress: address, AcceptableResponseSchema: RESPONSE_SCHEMA}}})
}

/** The name of the POX step after the HTTP redirect: Outlook asks the user before it POSTs there. */
const HTTP_REDIRECT_POX = 'Autodiscover POX (after the HTTP redirect; Outlook asks the user)'

type PoxOutcome = {config: FoundConfig} | {redirectAddr: string} | undefined

async function postPox(name: string, url: URL, address: string, ctx: DoctorContext, report: ClientReport): Promise<PoxOutcome> {
  const fetched = await fetchStep({client: 'outlook', name, request: {url, method: 'POST', body: poxRequestBody(address), contentType: 'text/xml; charset=utf-8'}, follow: true}, ctx.http)
  pushAll(report.steps, fetched.steps)
  pushAll(report.findings, fetched.findings)
  if (!fetched.body) return undefined
  const last = fetched.steps[fetched.steps.length - 1]!
  const pox = readPox(fetched.body, fetched.finalUrl.href)
  if (!pox.ok) {
    last.result = 'failed'
    last.detail += `; ${pox.reason}`
    if (/HTML|not XML|malformed/.test(pox.reason)) report.findings.push(finding('discovery-not-xml', {message: `${fetched.finalUrl.href} answers ${last.status} with ${pox.reason} instead of an Autodiscover response; Outlook moves on.`}))
    return undefined
  }
  if (pox.kind === 'error') {
    last.result = 'failed'
    last.detail += `; Autodiscover Error ${pox.errorCode} ${pox.message}`.trimEnd()
    report.findings.push(finding('autodiscover-error-response', {message: `${fetched.finalUrl.href} answers with an Autodiscover Error (${pox.errorCode}${pox.message ? `: ${pox.message}` : ''}); Outlook moves on.`}))
    return undefined
  }
  if (pox.kind === 'redirectAddr') {
    last.result = 'redirect'
    last.redirect = pox.target
    last.detail += `; redirectAddr ${pox.target}`
    return {redirectAddr: pox.target}
  }
  if (pox.kind === 'redirectUrl') {
    last.result = 'redirect'
    last.redirect = pox.target
    let next: URL
    try {
      next = new URL(pox.target)
    } catch {
      last.detail += `; unusable redirectUrl ${pox.target.slice(0, 200)}`
      return undefined
    }
    if (next.protocol !== 'https:') {
      last.detail += '; redirectUrl is not HTTPS (Outlook does not follow it)'
      return undefined
    }
    if (siteOf(next.hostname) !== siteOf(address.slice(address.lastIndexOf('@') + 1))) {
      report.findings.push(
        finding('discovery-redirect-other-domain', {
          message: `${fetched.finalUrl.href} answers with a redirectUrl to another domain, ${next.hostname}: Outlook asks the user whether to allow ${next.hostname} to configure the account.`,
        }),
      )
    }
    return postPox(`${name}, redirectUrl`, next, address, ctx, report)
  }
  last.detail += `; ${pox.config.servers.length} server(s)`
  for (const e of pox.encryption) {
    const s = e.server
    const implicit = [993, 995, 465].includes(s.port)
    const starttlsPort = [143, 110, 587, 25].includes(s.port)
    if ((e.encryption.toUpperCase() === 'TLS' && implicit) || (e.encryption.toUpperCase() === 'SSL' && starttlsPort)) {
      report.findings.push(
        finding('autodiscover-encryption-port', {
          message: `${fetched.finalUrl.href} says ${s.protocol.toUpperCase()} ${s.host}:${s.port} with <Encryption>${e.encryption}</Encryption>: Outlook uses ${e.encryption.toUpperCase() === 'TLS' ? 'STARTTLS on an implicit-TLS port' : 'implicit TLS on a STARTTLS port'} and the connection fails.`,
          fix: `Use <Encryption>${implicit ? 'SSL' : 'TLS'}</Encryption> for port ${s.port}.`,
          endpoint: {host: s.host, port: s.port, protocol: s.protocol},
        }),
      )
    }
  }
  for (const s of pox.config.servers) {
    if (s.spa === undefined) report.findings.push(finding('autodiscover-spa-missing', {message: `${fetched.finalUrl.href}: the ${s.protocol.toUpperCase()} section for ${s.host}:${s.port} has no <SPA>off</SPA>; Outlook then tries Secure Password Authentication (NTLM) and the login fails on servers without it.`, endpoint: {host: s.host, port: s.port, protocol: s.protocol}}))
  }
  report.stoppedAt = report.steps.length - 1
  return {config: pox.config}
}

function poxUrl(host: string, port = 443): URL {
  return new URL(`https://${host}${port === 443 ? '' : `:${port}`}/autodiscover/autodiscover.xml`)
}

async function jsonStep(host: string, address: string, ctx: DoctorContext, report: ClientReport): Promise<URL | undefined> {
  const url = new URL(`https://${host}/autodiscover/autodiscover.json`)
  url.searchParams.set('Email', address)
  url.searchParams.set('Protocol', 'AutodiscoverV1')
  const fetched = await fetchStep({client: 'outlook', name: `Autodiscover JSON v2 (${host})`, request: {url, method: 'GET'}, follow: true}, ctx.http)
  pushAll(report.steps, fetched.steps)
  pushAll(report.findings, fetched.findings)
  if (!fetched.body) return undefined
  const last = fetched.steps[fetched.steps.length - 1]!
  try {
    const json = JSON.parse(fetched.body.toString('utf8')) as {Protocol?: unknown; Url?: unknown}
    if (typeof json.Url === 'string' && /^https:\/\//i.test(json.Url)) {
      last.detail += `; points at ${json.Url}`
      return new URL(json.Url)
    }
    last.result = 'failed'
    last.detail += '; JSON without an HTTPS Url'
  } catch {
    last.result = 'failed'
    last.detail += '; not JSON'
    if (/^\s*</.test(fetched.body.toString('utf8', 0, 256))) report.findings.push(finding('discovery-not-xml', {message: `${fetched.finalUrl.href} answers ${last.status} with a page where Autodiscover JSON was expected; Outlook moves on.`}))
  }
  return undefined
}

async function forAddress(address: string, ctx: DoctorContext, report: ClientReport): Promise<PoxOutcome> {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase()
  for (const host of [domain, `autodiscover.${domain}`]) {
    const url = await jsonStep(host, address, ctx, report)
    if (url) {
      const got = await postPox('Autodiscover POX (from JSON v2)', url, address, ctx, report)
      if (got) return got
    }
  }
  for (const host of [domain, `autodiscover.${domain}`]) {
    const got = await postPox(`Autodiscover POX (${host})`, poxUrl(host), address, ctx, report)
    if (got) return got
  }
  // The HTTP redirect method: only a 3xx to HTTPS counts, and Outlook asks the user first.
  const plain = await fetchStep({client: 'outlook', name: 'HTTP redirect (GET)', request: {url: new URL(`http://autodiscover.${domain}/autodiscover/autodiscover.xml`), method: 'GET'}, follow: false}, ctx.http)
  pushAll(report.steps, plain.steps)
  pushAll(report.findings, plain.findings.filter((f) => f.code !== 'discovery-unauthorized'))
  const to = plain.steps[plain.steps.length - 1]?.redirect
  if (to && to.startsWith('https://')) {
    const next = new URL(to)
    if (siteOf(next.hostname) !== siteOf(domain)) {
      report.findings.push(
        finding('discovery-redirect-other-domain', {
          message: `http://autodiscover.${domain}/autodiscover/autodiscover.xml redirects to another domain, ${next.hostname}: Outlook asks the user whether to allow ${next.hostname} to configure the account, and a user who says yes gets whatever that server answers.`,
        }),
      )
    }
    const got = await postPox(HTTP_REDIRECT_POX, next, address, ctx, report)
    if (got) return got
  }
  const srvName = `_autodiscover._tcp.${domain}`
  const started = Date.now()
  const srv = await ctx.http.dns.srv(srvName)
  const best = srv.ok ? [...srv.records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0] : undefined
  report.steps.push({name: 'SRV _autodiscover._tcp', method: 'SRV', target: srvName, result: best ? 'found' : missed(srv), durationMs: Date.now() - started, detail: best ? `${best.name}:${best.port}` : srv.ok ? 'no record' : srv.error})
  if (best && best.name && best.name !== '.') return postPox(`Autodiscover POX (SRV ${best.name})`, poxUrl(best.name.replace(/\.$/, ''), best.port), address, ctx, report)
  return undefined
}

export async function outlook(ctx: DoctorContext): Promise<ClientReport> {
  const report: ClientReport = {client: 'outlook', steps: [], sentence: '', findings: []}
  let address = ctx.address
  const seen = new Set<string>([address])
  let got = await forAddress(address, ctx, report)
  for (let i = 0; got && 'redirectAddr' in got; i++) {
    const next = got.redirectAddr.trim().toLowerCase()
    if (!/^[^@\s]+@[^@\s]+$/.test(next) || seen.has(next) || i >= MAX_REDIRECTS) {
      report.findings.push(finding('discovery-redirect-loop', {message: `Autodiscover for ${ctx.address} redirects to the address "${next}"${seen.has(next) ? ', which was already asked (a loop)' : ''}; Outlook gives up.`}))
      got = undefined
      break
    }
    seen.add(next)
    address = next
    got = await forAddress(address, ctx, report)
  }
  const warned = [...new Set(report.findings.filter((f) => f.code === 'discovery-certificate-warning').map((f) => f.endpoint?.host))]
  const warning = warned.length > 0 ? `Outlook will show a certificate warning for ${warned.join(' and ')}, then ` : 'Outlook will '
  if (got && 'config' in got) {
    report.config = got.config
    const viaRedirect = report.stoppedAt !== undefined && report.steps[report.stoppedAt]!.name.startsWith(HTTP_REDIRECT_POX)
    const ask = viaRedirect ? `ask the user whether ${new URL(got.config.source).hostname} may configure the account, then ` : ''
    report.sentence = `${warning}${ask}use ${describeServers(got.config)} (from ${got.config.source}).`
  } else {
    report.findings.push(finding('discovery-nothing-found', {message: `Outlook finds no Autodiscover settings for ${ctx.address}: the user must choose IMAP or POP and enter every setting by hand.`}))
    report.sentence = `${warning}find no settings and ask the user to enter them by hand.`
  }
  return report
}
