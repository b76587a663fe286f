/**
 * The probe's SecureContext trusts nothing: not Node's bundled roots, not NODE_EXTRA_CA_CERTS.
 *
 * NODE_EXTRA_CA_CERTS is read when a process starts, so the check runs in a child process: the
 * source of tls-connect.ts is bundled with esbuild, and the child, started with our test root as its
 * extra CA, connects to a server whose chain leads to that root, once with Node's default context
 * (the control: OpenSSL verifies the chain) and once with the probe's (OpenSSL finds no anchor).
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {build} from 'esbuild'
import {afterAll, describe, expect, it} from 'vitest'

import {probeSecureContext} from '../../../src/core/net/tls-connect.js'
import {createChain} from '../../helpers/pki.js'

const dir = mkdtempSync(join(tmpdir(), 'mp-probe-context-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const CHILD = `
import {readFileSync} from 'node:fs'
import tls from 'node:tls'
import {probeSecureContext} from './tls-connect.mjs'

const server = tls.createServer({key: readFileSync('key.pem'), cert: readFileSync('chain.pem')}, (s) => s.end())
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const verdict = (options) => new Promise((resolve, reject) => {
  const socket = tls.connect({host: '127.0.0.1', port: server.address().port, servername: 'mail.example.test', rejectUnauthorized: false, ...options}, () => {
    resolve({authorized: socket.authorized, error: socket.authorizationError?.code ?? String(socket.authorizationError ?? '')})
    socket.destroy()
  })
  socket.on('error', reject)
})
console.log(JSON.stringify({default: await verdict({}), probe: await verdict({secureContext: probeSecureContext()})}))
server.close()
`

describe("the probe's TLS context", () => {
  it('is the same context for every probe of the process', () => {
    expect(probeSecureContext()).toBe(probeSecureContext())
  })

  it('trusts no root, even one NODE_EXTRA_CA_CERTS adds to every other context', async () => {
    const pki = createChain({dnsNames: ['mail.example.test']})
    writeFileSync(join(dir, 'root.pem'), pki.root.pem)
    writeFileSync(join(dir, 'key.pem'), pki.leaf.keyPem)
    writeFileSync(join(dir, 'chain.pem'), pki.serverChainPem)
    writeFileSync(join(dir, 'child.mjs'), CHILD)
    await build({
      entryPoints: [fileURLToPath(new URL('../../../src/core/net/tls-connect.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(dir, 'tls-connect.mjs'),
      logLevel: 'silent',
    })
    const out = execFileSync(process.execPath, ['child.mjs'], {cwd: dir, encoding: 'utf8', env: {...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'root.pem')}})
    const result = JSON.parse(out) as Record<'default' | 'probe', {authorized: boolean; error: string}>
    expect(result.default).toEqual({authorized: true, error: ''})
    expect(result.probe.authorized).toBe(false)
    expect(result.probe.error).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY')
  })
})
