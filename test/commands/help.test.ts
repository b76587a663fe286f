// Help as users ask for it: `help COMMAND`, `COMMAND --help`, `COMMAND -h`, and what each command offers.
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

describe('mailprofile help', () => {
  it('`help lint`, `lint --help` and `lint -h` print the same help for lint', async () => {
    const help = await runCli(['help', 'lint'])
    expect(help.code, help.stderr).toBe(0)
    expect(help.stdout).toMatch(/^Check settings files offline/)
    expect(help.stdout).toMatch(/\$ mailprofile lint FILES\.\.\./)
    expect(help.stdout).toContain('--warn-days')
    for (const flag of ['--help', '-h']) {
      const r = await runCli(['lint', flag])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toBe(help.stdout)
    }
  })

  it('`help` alone lists the commands, help among them', async () => {
    const r = await runCli(['help'])
    expect(r.code).toBe(0)
    for (const c of ['build', 'check', 'help', 'init', 'inspect', 'lint', 'probe']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'))
  })

  it('probe (one endpoint) has no --concurrency; check and build --check do', async () => {
    expect((await runCli(['probe', '--help'])).stdout).not.toContain('--concurrency')
    expect((await runCli(['check', '--help'])).stdout).toContain('--concurrency')
    expect((await runCli(['build', '--help'])).stdout).toContain('--concurrency')
  })
})
