/**
 * The probe's placeholder trust anchor is a constant: a self-signed CA that parses, verifies with
 * its own key (openssl, an independent verifier), and trusts nothing a server could send.
 */
import {execFileSync} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {PLACEHOLDER_ANCHOR_PEM} from '../../../src/core/net/placeholder-anchor.js'
import {probeSecureContext} from '../../../src/core/net/tls-connect.js'

describe('placeholder trust anchor', () => {
  it('is a self-signed CA that openssl verifies against itself', () => {
    const cert = new X509Certificate(PLACEHOLDER_ANCHOR_PEM)
    expect(cert.ca).toBe(true)
    expect(cert.subject).toBe(cert.issuer)
    expect(cert.verify(cert.publicKey)).toBe(true)
    const dir = mkdtempSync(join(tmpdir(), 'mp-anchor-'))
    try {
      const file = join(dir, 'anchor.pem')
      writeFileSync(file, PLACEHOLDER_ANCHOR_PEM)
      expect(execFileSync('openssl', ['verify', '-CAfile', file, file], {encoding: 'utf8'})).toMatch(/: OK/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('is the same context for every probe of the process, made without generating a key', () => {
    const first = probeSecureContext()
    expect(probeSecureContext()).toBe(first)
  })
})
