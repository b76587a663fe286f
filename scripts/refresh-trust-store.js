#!/usr/bin/env node
// Builds data/apple-trust-store/ from an extract of Apple's trust store
// (github.com/apple-oss-distributions/security_certificates; see that folder's README):
//
//   npm run refresh:trust-store                      # from <repo>/../shared/reference/apple-trust-store
//   npm run refresh:trust-store -- --from DIR        # or MAILPROFILE_TRUST_STORE_SOURCE=DIR
//   npm run refresh:trust-store -- --check           # exit 1 when the shipped data is not what the source gives
//   npm run refresh:trust-store -- --from DIR --out FILE
//                                                    # write only the JSON to FILE, leaving the shipped data
//                                                    # alone: for `check --apple-trust-store FILE`
//
// Output: data/apple-trust-store/trust-store.json — one JSON document the CLI loads in a single read
// (check, probe and inspect only; lint never loads it):
//   {version, source, roots: [{sha256, name, der}], removed: [{sha256, name, file, der}]}
// where `der` is the certificate in base64 DER and `sha256` its SHA-256 fingerprint (upper-case hex,
// no colons). Both lists are sorted by sha256 so the output is byte-identical for the same input.
// Plus a README naming the source and the trust store version.
import {X509Certificate, createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync} from 'node:fs'
import {Buffer} from 'node:buffer'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const outDir = join(root, 'data', 'apple-trust-store')
const PEM_CERT = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g

function parseArgs(argv) {
  const args = {from: process.env.MAILPROFILE_TRUST_STORE_SOURCE ?? join(root, '..', 'shared', 'reference', 'apple-trust-store'), check: false, out: undefined}
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--from') args.from = argv[++i]
    else if (argv[i]?.startsWith('--from=')) args.from = argv[i].slice('--from='.length)
    else if (argv[i] === '--check') args.check = true
    else if (argv[i] === '--out') args.out = argv[++i]
    else if (argv[i]?.startsWith('--out=')) args.out = argv[i].slice('--out='.length)
    else {
      console.error(`refresh-trust-store: unknown argument ${argv[i]}`)
      process.exit(2)
    }
  }
  return args
}

/** The DER certificates in a file that holds DER or PEM. */
function certificatesIn(bytes) {
  const text = bytes.toString('latin1')
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    return [...text.matchAll(PEM_CERT)].map((m) => Buffer.from(m[1].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'))
  }
  return [bytes]
}

function sha256(der) {
  return createHash('sha256').update(der).digest('hex').toUpperCase()
}

/** A readable name from a subject DN: CN, else O, else the whole DN. */
function nameOf(der) {
  const subject = new X509Certificate(der).subject
  const field = (key) => subject.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1)
  return field('CN') ?? field('OU') ?? field('O') ?? subject.replaceAll('\n', ', ')
}

function versionOf(readme) {
  const m = /trust store version\s+`?(\d{10})`?/i.exec(readme)
  if (!m) throw new Error('refresh-trust-store: the source README does not name the trust store version')
  return m[1]
}

function sourceOf(readme) {
  const commit = /`([0-9a-f]{40})`/.exec(readme)?.[1]
  const tag = /\("(security_certificates-[^"]+)"/.exec(readme)?.[1]
  return {repository: 'https://github.com/apple-oss-distributions/security_certificates', commit, tag}
}

export function build(from) {
  const readme = readFileSync(join(from, 'README.md'), 'utf8')
  const names = JSON.parse(readFileSync(join(from, 'hash_to_human_name.json'), 'utf8'))
  const roots = []
  for (const file of readdirSync(join(from, 'roots')).sort()) {
    for (const der of certificatesIn(readFileSync(join(from, 'roots', file)))) {
      new X509Certificate(der) // throws on a file that is not a certificate
      const hash = sha256(der)
      roots.push({sha256: hash, name: names[hash] ? nameFromDn(names[hash]) : nameOf(der), der: der.toString('base64')})
    }
  }
  const removed = []
  for (const file of readdirSync(join(from, 'removed')).sort()) {
    for (const der of certificatesIn(readFileSync(join(from, 'removed', file)))) {
      new X509Certificate(der)
      removed.push({sha256: sha256(der), name: nameOf(der), file, der: der.toString('base64')})
    }
  }
  const bySha = (a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0)
  const dedupe = (list) => list.sort(bySha).filter((e, i, all) => i === 0 || all[i - 1].sha256 !== e.sha256)
  const store = {version: versionOf(readme), source: sourceOf(readme), roots: dedupe(roots), removed: dedupe(removed)}
  return {store, json: `${JSON.stringify(store)}\n`, readme: readmeFor(store)}
}

/** hash_to_human_name.json holds DNs ("CN=…,O=…,C=…"): keep the CN (or O) as the display name. */
function nameFromDn(dn) {
  const parts = dn.split(/,(?=[A-Za-z.0-9]+=)/)
  const get = (key) => parts.find((p) => p.startsWith(`${key}=`))?.slice(key.length + 1).replaceAll('\\,', ',')
  return get('CN') ?? get('OU') ?? get('O') ?? dn
}

function readmeFor(store) {
  return `# Apple trust store (generated)

Generated by \`npm run refresh:trust-store\` (scripts/refresh-trust-store.js); do not edit by hand.

- Source: ${store.source.repository}${store.source.tag ? `, tag ${store.source.tag}` : ''}${store.source.commit ? `, commit ${store.source.commit}` : ''}
- Trust store version: **${store.version}**
- trust-store.json: \`roots\` (${store.roots.length}) are the roots Apple's platforms trust for TLS (certificates/roots/);
  \`removed\` (${store.removed.length}) are roots Apple removed or distrusted (certificates/removed/).
  Each entry: \`sha256\` (upper-case hex of the DER), \`name\`, \`der\` (base64).

\`mailprofile check\`, \`probe\` and \`inspect\` judge certificate chains against these roots and name the
version in their output. These are public certificates, copied unchanged.
`
}

function writeAtomic(path, text) {
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, text)
  renameSync(tmp, path)
}

function main() {
  const args = parseArgs(process.argv.slice(2))
  const from = resolve(args.from)
  if (!existsSync(join(from, 'roots'))) {
    console.error(`refresh-trust-store: ${from} has no roots/ folder (use --from DIR)`)
    process.exit(2)
  }
  const {store, json, readme} = build(from)
  const files = {'trust-store.json': json, 'README.md': readme}
  if (args.check) {
    const stale = Object.entries(files).filter(([name, text]) => !existsSync(join(outDir, name)) || readFileSync(join(outDir, name), 'utf8') !== text)
    if (stale.length) {
      console.error(`refresh-trust-store: out of date: ${stale.map(([n]) => `data/apple-trust-store/${n}`).join(', ')} (run npm run refresh:trust-store)`)
      process.exit(1)
    }
    console.log(`data/apple-trust-store is up to date (version ${store.version})`)
    return
  }
  if (args.out) {
    writeAtomic(resolve(args.out), json)
    console.log(`${args.out}: version ${store.version}, ${store.roots.length} roots, ${store.removed.length} removed`)
    return
  }
  mkdirSync(outDir, {recursive: true})
  for (const [name, text] of Object.entries(files)) writeAtomic(join(outDir, name), text)
  console.log(`data/apple-trust-store: version ${store.version}, ${store.roots.length} roots, ${store.removed.length} removed`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
