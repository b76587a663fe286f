#!/usr/bin/env node
// Build performance (issue 5), on the built CLI (`npm run bench` builds first):
//  `mailprofile build settings.yaml --out DIR --only mobileconfig` with 10,000 users and an RSA-2048
//  signing identity, timed end to end as a user runs it (start-up, lint of the settings and the
//  users CSV, generation and signing on worker threads, atomic writes, manifest) in ≤ 10 s on a
//  2-core machine, peak RSS (VmHWM of the process, all threads) ≤ 300 MB. The CLI's default
//  --threads is the number of cores. `build --fsync` is not used; the cost of durable writes is
//  measured separately on a sample and printed. CPU time and the load average are printed too: on
//  a shared machine the wall time says little on its own.
// In the same run, for comparison on the same users and signing identity:
//  - the npm package `mobileconfig` (generates from a template and signs with jsrsasign, pure JS),
//  - a loop of `openssl smime -sign -nodetach -outform der` on this tool's unsigned profiles,
//  each timed on a sample (BENCH_SAMPLE, default 200) and extrapolated to 10,000, sequentially
//  on one core (as they are used); the ratios are printed against our multi-core and
//  single-core rates.
// Every profile is checked afterwards: the count, a sample verified with `openssl cms -verify`.
// Per core at the signing limit (issue 14 item 3): `build --threads 1 --only mobileconfig` of the same
// users, with the CA in trust.caFiles (a certificate payload in every profile), signed with RSA-2048
// and with ECDSA P-256, on tmpfs (/dev/shm) and on the ext4 of the work tree (.bench-tmp/): profiles
// per CPU-second of the whole process (start-up, lint, build, sign, write), each as a fraction of
// the native signing rate (crypto.sign over the ~75-byte signed attributes a profile's signature
// covers, per CPU-second of this process) measured in the same run, rounds alternating so that the
// shared machine's load hits both alike; medians of BENCH_ROUNDS (default 3). Goals: RSA ≥ 80 %,
// ECDSA ≥ 40 % (tmpfs). BENCH_PER_CORE=0 skips it; BENCH_ONLY_PER_CORE=1 runs only it.
// Exits 1 when a target is missed.
import {Buffer} from 'node:buffer'
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {createPrivateKey, sign as cryptoSign} from 'node:crypto'
import {availableParallelism, loadavg, tmpdir} from 'node:os'
import {createRequire} from 'node:module'
import {closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setInterval, clearInterval} from 'node:timers'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const lib = join(root, 'dist', 'bench-lib.js')
const PROFILES = Number(process.env.BENCH_PROFILES ?? 10_000)
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 200)
const TARGET_SECONDS = 10
const TARGET_RSS_MB = 300
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
/** `--threads` for the RSS figures: every core (see peakRss). */
const allThreads = ['--threads', String(availableParallelism())]
const PER_CORE_GOALS = {rsa: 0.8, ec: 0.4}

await main()

/**
 * Runs a command with this Node and times it: wall time, CPU time and peak RSS of the process
 * (read from /proc/PID/status every 20 ms: VmHWM is the high-water mark of all its threads, and
 * /proc/PID/stat's utime + stime their CPU time).
 */
function timeCli(args) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    let maxRssKb = 0
    let cpuSeconds = 0
    let systemSeconds = 0
    const ticks = 100 // USER_HZ on Linux
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
        maxRssKb = Math.max(maxRssKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
        cpuSeconds = (Number(stat[11]) + Number(stat[12])) / ticks
        systemSeconds = Number(stat[12]) / ticks
      } catch {
        // gone
      }
    }
    const timer = setInterval(sample, 20)
    child.on('exit', (code) => {
      clearInterval(timer)
      resolve({seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds, systemSeconds, maxRssKb, exitCode: code, stderr})
    })
  })
}

/**
 * Runs the CLI under /usr/bin/time and returns the kernel (system) and user CPU seconds of the
 * process and all its threads, as wait4 reports them at exit (exact, unlike sampling /proc).
 */
function kernelTime(args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %S %U', process.execPath, ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
  const m = /TIME ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '')
  if (r.status !== 0 || !m) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  return {sys: Number(m[1]), user: Number(m[2])}
}

/**
 * Kernel time per file on the folder's file system (issue 14): `build --threads 1 --only
 * mobileconfig` unsigned, into a new folder and again into the same folder (every file replaced),
 * against `lint` of the same settings (start-up and reading cost the same in both): (system time of
 * build − system time of lint) / files written. The best of BENCH_KERNEL_RUNS (default 3) runs,
 * as other processes on a shared machine only ever add time.
 */
function kernelPerFile(dir, settingsFile, users) {
  if (spawnSync('/usr/bin/time', ['-f', '', 'true']).status !== 0) {
    console.log('kernel time per file: skipped (needs /usr/bin/time)')
    return
  }
  const runs = Number(process.env.BENCH_KERNEL_RUNS ?? 3)
  const cli = join(root, 'bin', 'run.js')
  const best = (f) => Math.min(...Array.from({length: runs}, f))
  const lint = best(() => kernelTime([cli, 'lint', settingsFile]).sys)
  const fresh = best(() => {
    const out = mkdtempSync(join(dir, 'kernel-'))
    const t = kernelTime([cli, 'build', settingsFile, '--out', out, '--only', 'mobileconfig', '--threads', '1'])
    rmSync(out, {recursive: true, force: true})
    return t.sys
  })
  const again = mkdtempSync(join(dir, 'kernel-'))
  kernelTime([cli, 'build', settingsFile, '--out', again, '--only', 'mobileconfig', '--threads', '1'])
  const replace = best(() => kernelTime([cli, 'build', settingsFile, '--out', again, '--only', 'mobileconfig', '--threads', '1']).sys)
  rmSync(again, {recursive: true, force: true})
  // Right after 10,000 files were deleted on this file system (see perCore: ext4 without a journal
  // steps over recently freed inodes); one run, as in a bench that deletes between rounds.
  const afterDelete = mkdtempSync(join(dir, 'kernel-'))
  const afterDeleteSys = kernelTime([cli, 'build', settingsFile, '--out', afterDelete, '--only', 'mobileconfig', '--threads', '1']).sys
  rmSync(afterDelete, {recursive: true, force: true})
  const files = users + 2 // per-user profiles, the domain's profile, the manifest
  const ms = (s) => (((s - lint) * 1000) / files).toFixed(3)
  console.log(`kernel time per file (${files} files, --threads 1, unsigned, best of ${runs}; system time of build − lint ${lint.toFixed(2)} s): new folder ${ms(fresh)} ms, every file replaced ${ms(replace)} ms; new folder right after the previous build's files were deleted ${ms(afterDeleteSys)} ms`)
}

/**
 * Peak RSS of `build` (`--threads` = the cores: more workers, more heaps, so the most a default
 * build uses; the default alone would use fewer threads on a loaded machine, and the figure would
 * depend on what ran before), signed with the bench's RSA identity unless
 * BENCH_RSS_UNSIGNED=1) at each users count, for `--only mobileconfig` (one file per user) and for
 * the default build (every kind: six files per user) unless BENCH_RSS_KINDS says otherwise
 * (`mobileconfig`, `all` or both, comma-separated). Goal: ≤ 300 MB.
 */
async function peakRss(dir, settingsText, counts) {
  const signed = process.env.BENCH_RSS_UNSIGNED !== '1'
  const kinds = (process.env.BENCH_RSS_KINDS ?? 'mobileconfig,all').split(',')
  for (const n of counts) {
    const sub = usersFolder(dir, n, signed ? settingsText : settingsText.replace(/^signing:.*\n/m, ''))
    for (const kind of kinds) {
      const only = kind === 'all' ? [] : ['--only', kind]
      const r = await timeCli([join(root, 'bin', 'run.js'), 'build', join(sub, 'settings.yaml'), '--out', join(sub, 'out'), ...only, ...allThreads])
      if (r.exitCode !== 0) throw new Error(`build of ${n} users exited ${r.exitCode}: ${r.stderr}`)
      const written = countManifestFiles(join(sub, 'out', 'manifest.json'))
      console.log(`peak RSS of build ${kind === 'all' ? '(every kind)' : `--only ${kind}`} at ${n} users (${signed ? 'RSA-signed' : 'unsigned'}, ${allThreads[1]} threads, ${written} files): ${mb(r.maxRssKb)} MB (target ≤ ${TARGET_RSS_MB} MB) ${r.maxRssKb / 1024 <= TARGET_RSS_MB ? 'ok' : 'MISSED'}; ${r.seconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU`)
      rmSync(join(sub, 'out'), {recursive: true, force: true})
    }
    rmSync(sub, {recursive: true, force: true})
  }
}

/** A folder with the bench's identity, `n` users and these settings. */
function usersFolder(dir, n, settingsText) {
  const sub = mkdtempSync(join(dir, `rss-${n}-`))
  writeFileSync(join(sub, 'users.csv'), users(n))
  for (const f of ['signer.pem', 'signer.key', 'root.pem']) writeFileSync(join(sub, f), readFileSync(join(dir, f)))
  writeFileSync(join(sub, 'settings.yaml'), settingsText)
  return sub
}

/** The manifest's number of files, counted in its text a chunk at a time (a manifest of millions of files is gigabytes). */
function countManifestFiles(file) {
  const needle = Buffer.from('\n    {\n      "path": ')
  const fd = openSync(file, 'r')
  try {
    const chunk = Buffer.allocUnsafe(1 << 20)
    let carry = Buffer.alloc(0)
    let n = 0
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null)
      if (read === 0) return n
      // The last needle.length - 1 bytes go on to the next chunk: a needle split between chunks is found once.
      const bytes = Buffer.concat([carry, chunk.subarray(0, read)])
      for (let i = bytes.indexOf(needle); i !== -1; i = bytes.indexOf(needle, i + needle.length)) n++
      carry = Buffer.from(bytes.subarray(Math.max(0, bytes.length - needle.length + 1)))
    }
  } finally {
    closeSync(fd)
  }
}

/**
 * `lint` of BENCH_LINT_USERS (default 1,000,000; a 41 MB CSV) users: peak RSS, wall and CPU time
 * (goal: ≤ 300 MB). With BENCH_RSS_1M=1, then `build` of the same users (RSA-signed, `--threads`
 * = the cores, `--only mobileconfig` unless BENCH_RSS_1M_KINDS=all): many CPU-minutes.
 */
async function largeFile(dir, settingsText) {
  const n = Number(process.env.BENCH_LINT_USERS ?? 1_000_000)
  const sub = usersFolder(dir, n, settingsText)
  try {
    const lint = await timeCli([join(root, 'bin', 'run.js'), 'lint', join(sub, 'settings.yaml')])
    if (lint.exitCode !== 0) throw new Error(`lint of ${n} users exited ${lint.exitCode}: ${lint.stderr}`)
    console.log(`peak RSS of lint at ${n} users (${(statSync(join(sub, 'users.csv')).size / 1e6).toFixed(0)} MB CSV): ${mb(lint.maxRssKb)} MB (target ≤ ${TARGET_RSS_MB} MB) ${lint.maxRssKb / 1024 <= TARGET_RSS_MB ? 'ok' : 'MISSED'}; ${lint.seconds.toFixed(1)} s wall, ${lint.cpuSeconds.toFixed(1)} s CPU`)
    if (process.env.BENCH_RSS_1M !== '1') {
      console.log(`build at ${n} users: skipped (BENCH_RSS_1M=1 runs it: many CPU-minutes)`)
      return
    }
    const only = process.env.BENCH_RSS_1M_KINDS === 'all' ? [] : ['--only', 'mobileconfig']
    const r = await timeCli([join(root, 'bin', 'run.js'), 'build', join(sub, 'settings.yaml'), '--out', join(sub, 'out'), ...only, ...allThreads])
    if (r.exitCode !== 0) throw new Error(`build of ${n} users exited ${r.exitCode}: ${r.stderr}`)
    console.log(`peak RSS of build ${only.length ? '--only mobileconfig' : '(every kind)'} at ${n} users (RSA-signed, ${allThreads[1]} threads, ${countManifestFiles(join(sub, 'out', 'manifest.json'))} files): ${mb(r.maxRssKb)} MB (target ≤ ${TARGET_RSS_MB} MB) ${r.maxRssKb / 1024 <= TARGET_RSS_MB ? 'ok' : 'MISSED'}; ${r.seconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU`)
  } finally {
    rmSync(sub, {recursive: true, force: true})
  }
}

function openssl(args, options = {}) {
  return execFileSync('openssl', args, {stdio: ['pipe', 'pipe', 'pipe'], ...options})
}

function makePki(dir, keyType = 'rsa') {
  const keyArgs = keyType === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']
  openssl(['genpkey', ...keyArgs, '-out', join(dir, 'root.key')])
  openssl(['req', '-x509', '-new', '-key', join(dir, 'root.key'), '-out', join(dir, 'root.pem'), '-days', '30', '-subj', '/O=mailprofile bench/CN=Bench Root', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'])
  openssl(['genpkey', ...keyArgs, '-out', join(dir, 'signer.key')])
  openssl(['req', '-new', '-key', join(dir, 'signer.key'), '-out', join(dir, 'signer.csr'), '-subj', '/O=mailprofile bench/CN=Bench Profile Signer'])
  writeFileSync(join(dir, 'ext.cnf'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\n')
  openssl(['x509', '-req', '-in', join(dir, 'signer.csr'), '-CA', join(dir, 'root.pem'), '-CAkey', join(dir, 'root.key'), '-set_serial', '7', '-days', '30', '-out', join(dir, 'signer.pem'), '-extfile', join(dir, 'ext.cnf')])
}

function users(n) {
  const first = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eşref', 'Fatima', 'Gustav', 'Hana', 'Ígor', 'Jo']
  const rows = ['address,name,login']
  for (let i = 0; i < n; i++) rows.push(`user${String(i).padStart(5, '0')}@example.com,${first[i % first.length]} User ${i},`)
  return rows.join('\n') + '\n'
}

function settingsYaml(extra = []) {
  return [
    'version: 1',
    'organization: {name: Bench Org, identifier: com.example.bench}',
    'profile: {displayName: Bench Mail, description: Mail settings for the benchmark.}',
    'domains:',
    '  - domain: example.com',
    '    incoming: {protocol: imap, host: imap.example.com, port: 993, security: ssl}',
    '    outgoing: {host: smtp.example.com, port: 465, security: ssl}',
    'signing: {certificate: signer.pem, key: signer.key, chain: [root.pem]}',
    'usersFile: users.csv',
    ...extra,
    '',
  ].join('\n')
}

function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
}

/** Native signatures per CPU-second of this process: crypto.sign over signed-attribute-sized messages. */
function nativeRate(key, keyType, count) {
  const messages = Array.from({length: 16}, (_, i) => Buffer.alloc(75, i))
  const options = keyType === 'rsa' ? key : {key, dsaEncoding: 'der'}
  const start = process.cpuUsage()
  for (let i = 0; i < count; i++) cryptoSign('sha256', messages[i % messages.length], options)
  const used = process.cpuUsage(start)
  return count / ((used.user + used.system) / 1e6)
}

/** Signatures per CPU-second of `sign` (message → signature) over the same messages as nativeRate. */
function signerRate(sign, count) {
  const messages = Array.from({length: 16}, (_, i) => Buffer.alloc(75, i))
  const start = process.cpuUsage()
  for (let i = 0; i < count; i++) sign(messages[i % messages.length])
  const used = process.cpuUsage(start)
  return count / ((used.user + used.system) / 1e6)
}

/**
 * One-thread builds against native signing, per key type and file system (see the header). Returns
 * false when a goal is missed. BENCH_BASELINE=<another checkout, built> runs that checkout's CLI in
 * the same rounds (native, this build, the baseline's, alternating), so a change is measured
 * before/after on the same load.
 *
 * Outputs on a disk file system are deleted only at the end: this machine's ext4 has no journal,
 * and without one ext4 does not reuse an inode freed in the last 60 s (300 s while its inode
 * table block is dirty; fs/ext4/ialloc.c recently_deleted): every new file's inode allocation then
 * steps over each recently freed inode with a buffer-cache lookup, so a build started right after
 * 10,000 files were deleted pays about 0.45 ms of kernel time per file (perf: recently_deleted and
 * find_get_block_common under ext4_create), 10× the usual cost. kernelPerFile prints that case.
 */
async function perCore(keyTypes, parents) {
  let ok = true
  const baseline = process.env.BENCH_BASELINE
  const clis = [['this', join(root, 'bin', 'run.js')], ...(baseline ? [['baseline', join(baseline, 'bin', 'run.js')]] : [])]
  console.log(`per core at the signing limit: build --threads 1 --only mobileconfig, ${PROFILES} users, CA in trust.caFiles; medians of ${ROUNDS} rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}${baseline ? `; baseline ${baseline}` : ''}`)
  const later = []
  try {
    for (const parent of parents) {
      mkdirSync(parent, {recursive: true})
      const fsType = spawnSync('df', ['--output=fstype', parent], {encoding: 'utf8'}).stdout?.trim().split('\n').pop() ?? 'unknown'
      const onTmpfs = fsType === 'tmpfs'
      for (const keyType of keyTypes) {
        const dir = mkdtempSync(join(parent, `mailprofile-per-core-${keyType}-`))
        try {
          makePki(dir, keyType)
          writeFileSync(join(dir, 'users.csv'), users(PROFILES))
          writeFileSync(join(dir, 'settings.yaml'), settingsYaml(['trust: {caFiles: [root.pem]}']))
          const key = createPrivateKey(readFileSync(join(dir, 'signer.key')))
          const nativeCount = keyType === 'rsa' ? 2000 : 20000
          nativeRate(key, keyType, nativeCount / 10) // warm-up
          const ours = clis.map(() => [])
          const kernelMs = clis.map(() => [])
          const native = []
          // The deterministic RFC 6979 signer alone (issue 14 item 4), in the same rounds.
          const deterministic = keyType === 'ec' ? (await import(lib)).createDeterministicEcdsaSigner(key) : undefined
          const signerAlone = []
          for (let r = 0; r < ROUNDS; r++) {
            native.push(nativeRate(key, keyType, nativeCount))
            if (deterministic) signerAlone.push(signerRate(deterministic, nativeCount))
            for (const [i, [name, cli]] of clis.entries()) {
              const out = onTmpfs ? join(dir, `out-${name}-${r}`) : mkdtempSync(join(parent, `mailprofile-per-core-out-`))
              const run = await timeCli([cli, 'build', join(dir, 'settings.yaml'), '--out', out, '--only', 'mobileconfig', '--threads', '1'])
              if (run.exitCode !== 0) throw new Error(`${name}: build --threads 1 exited ${run.exitCode}: ${run.stderr}`)
              ours[i].push(PROFILES / run.cpuSeconds)
              kernelMs[i].push((run.systemSeconds * 1000) / (PROFILES + 2))
              if (onTmpfs) rmSync(out, {recursive: true, force: true})
              else later.push(out)
            }
          }
          native.push(nativeRate(key, keyType, nativeCount))
          const goal = PER_CORE_GOALS[keyType]
          for (const [i, [name]] of clis.entries()) {
            const ratio = median(ours[i]) / median(native)
            const verdict = onTmpfs && name === 'this' ? ` (goal ≥ ${goal * 100} %) ${ratio >= goal ? 'ok' : 'MISSED'}` : ''
            if (onTmpfs && name === 'this' && ratio < goal) ok = false
            const label = clis.length > 1 ? `${name}: ` : ''
            console.log(`  ${label}${keyType === 'rsa' ? 'RSA-2048' : 'ECDSA P-256'} on ${fsType} (${parent}): ${median(ours[i]).toFixed(0)} profiles/CPU-s, native crypto.sign ${median(native).toFixed(0)} signatures/CPU-s: ${(ratio * 100).toFixed(1)} %${verdict}; kernel time ${median(kernelMs[i]).toFixed(3)} ms per file (all of the process's system time / files)`)
          }
          if (deterministic) console.log(`    the deterministic RFC 6979 signer alone: ${median(signerAlone).toFixed(0)} signatures/CPU-s, ${((median(signerAlone) / median(native)) * 100).toFixed(1)} % of native (goal ≥ 40 %)`)
          if (clis.length > 1) console.log(`    this / baseline: ${((median(ours[0]) / median(ours[1])) * 100).toFixed(1)} % profiles per CPU-second`)
        } finally {
          rmSync(dir, {recursive: true, force: true})
        }
      }
    }
  } finally {
    for (const out of later) rmSync(out, {recursive: true, force: true})
  }
  return ok
}

/**
 * What a per-user profile costs, step by step (BENCH_PARTS=parts): µs of CPU (user + system of
 * this process) per profile, each step run over all BENCH_PROFILES users in a loop of its own
 * after a warm-up, in the steady state of a long build (no start-up, no JIT warm-up), one thread.
 * The steps are the calls the build makes, in its order; "whole" is buildOutputs with a staging
 * sink, the sum's check. `start-up + lint` is the whole-process CPU of `lint` on the same
 * settings, which a build pays once (divided by the users here).
 */
async function parts(parent, keyTypes) {
  const L = await import(lib)
  const cli = join(root, 'bin', 'run.js')
  for (const keyType of keyTypes) {
    const dir = mkdtempSync(join(parent, `mailprofile-parts-${keyType}-`))
    try {
      makePki(dir, keyType)
      writeFileSync(join(dir, 'users.csv'), users(PROFILES))
      const settingsFile = join(dir, 'settings.yaml')
      writeFileSync(settingsFile, settingsYaml(['trust: {caFiles: [root.pem]}']))
      const {settings} = L.loadSettings(settingsFile)
      const identity = await L.loadSigningIdentity(settings.signing, {baseDir: settings.baseDir, env: process.env, settingsFile})
      const cms = L.createCmsSigner(identity)
      const key = identity.privateKey
      const signature = keyType === 'rsa' ? (m) => cryptoSign('sha256', m, key) : L.createDeterministicEcdsaSigner(key)
      const domain = settings.domains[0]
      const certificates = L.caCertificates(L.loadCaFiles(settings), [])
      const meta = L.profileMetadata(settings)
      const list = Array.from({length: settings.users.length}, (_, i) => settings.users.at(i))
      const n = list.length
      const rows = []
      const time = (name, f) => {
        for (let i = 0; i < Math.min(n, 2000); i++) f(i) // warm-up
        const start = process.cpuUsage()
        for (let i = 0; i < n; i++) f(i)
        const used = process.cpuUsage(start)
        rows.push([name, (used.user + used.system) / n])
      }
      const accounts = list.map((u) => L.userAccount(domain, u))
      const ids = list.map((u) => L.userProfileIds(domain.identifier, u.address))
      const mails = accounts.map((a, i) => L.mailPayload(a, ids[i], meta.organization))
      const write = L.userProfileWriter(certificates, meta)
      const unsigned = accounts.map((a, i) => write(a, ids[i]).bytes)
      const signed = unsigned.map((b) => cms(b))
      const attributes = Buffer.alloc(75, 1)
      time('account and identifiers (userAccount, userProfileIds)', (i) => (L.userAccount(domain, list[i]), L.userProfileIds(domain.identifier, list[i].address)))
      time('mail payload object (mailPayload, with its UUID)', (i) => L.mailPayload(accounts[i], ids[i], meta.organization))
      time("Apple-schema check of the mail payload (validatePayload)", (i) => L.validatePayload(mails[i], '/PayloadContent/1'))
      time('profile and certificate UUIDs (2 × payloadUuid)', (i) => (L.payloadUuid(ids[i].profile), L.payloadUuid(ids[i].certificate(certificates[0].sha256))))
      time('unsigned profile from the template (userProfileWriter: the three above + filling the bytes)', (i) => write(accounts[i], ids[i]))
      time(`${keyType === 'rsa' ? 'RSA' : 'deterministic ECDSA'} signature alone (75-byte attributes)`, () => signature(attributes))
      time('CMS SignedData (createCmsSigner: SHA-256 of the content, the signature, assembling)', (i) => cms(unsigned[i]))
      time('SHA-256 of the signed file for the manifest (sha256Hex)', (i) => L.sha256Hex(signed[i]))
      const entries = signed.map((b, i) => ({path: `example.com/users/${list[i].address}.mobileconfig`, kind: 'mobileconfig', domain: 'example.com', user: list[i].address, payloadIdentifier: ids[i].profile, payloadUuid: 'X', displayName: meta.displayName, targetDevice: meta.targetDevice, sha256: 'ab'.repeat(32), size: b.length, signer: null}))
      time('manifest entry text (entryText)', (i) => L.entryText(entries[i]))
      for (const [fsName, base] of [['tmpfs', process.env.BENCH_TMPFS ?? '/dev/shm'], ['ext4', join(root, '.bench-tmp')]]) {
        mkdirSync(base, {recursive: true})
        const stagingParent = mkdtempSync(join(base, 'mailprofile-parts-stage-'))
        let round = 0
        time(`writing the file into the staging folder on ${fsName} (stageFile: open, write, close)`, (i) => {
          if (i === 0) round++
          L.stageFile(stagingParent, `r${round}/example.com/users/${list[i].address}.mobileconfig`, signed[i])
        })
        rmSync(stagingParent, {recursive: true, force: true})
      }
      const wholeDir = mkdtempSync(join(parent, 'mailprofile-parts-whole-'))
      const staging = L.createStaging(wholeDir)
      const signer = L.profileSigner(identity)
      L.buildOutputs({...settings, users: list.slice(0, 2000)}, {only: ['mobileconfig'], signer, sink: () => {}})
      const start = process.cpuUsage()
      L.buildOutputs(settings, {only: ['mobileconfig'], signer, sink: (path, bytes) => L.stageFile(staging, path, bytes)})
      const used = process.cpuUsage(start)
      rmSync(wholeDir, {recursive: true, force: true})
      const lintCpu = kernelTime([cli, 'lint', settingsFile])
      console.log(`per-user profile, step by step (${keyType === 'rsa' ? 'RSA-2048' : 'ECDSA P-256'}, ${n} users, µs of CPU per profile, steady state; tmpfs staging for "whole"):`)
      for (const [name, us] of rows) console.log(`  ${us.toFixed(1).padStart(7)}  ${name}`)
      console.log(`  ${((used.user + used.system) / n).toFixed(1).padStart(7)}  whole: buildOutputs with a staging sink on ${parent}`)
      console.log(`  ${(((lintCpu.user + lintCpu.sys) * 1e6) / n).toFixed(1).padStart(7)}  start-up + lint (the CLI's lint of the same settings, whole process, per user)`)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }
}

function mb(kb) {
  return (kb / 1024).toFixed(0)
}

async function main() {
  if (process.env.BENCH_PARTS === 'parts') {
    await parts(process.env.BENCH_TMPFS ?? '/dev/shm', ['rsa', 'ec'])
    return
  }
  if (process.env.BENCH_ONLY_PER_CORE === '1') {
    process.exitCode = (await perCore(['rsa', 'ec'], [process.env.BENCH_TMPFS ?? '/dev/shm', join(root, '.bench-tmp')])) ? 0 : 1
    return
  }
  // BENCH_DIR picks the parent folder (default: the OS temp dir); its filesystem matters: creating a
  // file costs ~0.3–0.6 ms on this machine's ext4 and ~0.02 ms on tmpfs (/dev/shm).
  const parent = process.env.BENCH_DIR ?? tmpdir()
  const dir = mkdtempSync(join(parent, 'mailprofile-build-bench-'))
  const fsType = spawnSync('df', ['--output=fstype', parent], {encoding: 'utf8'}).stdout?.trim().split('\n').pop() ?? 'unknown'
  const outDir = join(dir, 'out')
  let failed = false
  try {
    makePki(dir)
    writeFileSync(join(dir, 'users.csv'), users(PROFILES))
    const settingsFile = join(dir, 'settings.yaml')
    writeFileSync(settingsFile, settingsYaml())

    // BENCH_PARTS picks what runs (default all): kernel (kernel time per file), e2e (the CLI end to
    // end, 10,000 RSA profiles, and the 4-way shard), rss (peak RSS at 10,000 and 100,000 users),
    // large (lint of 1,000,000 users; with BENCH_RSS_1M=1 their build too), compare (one core,
    // fsync, npm mobileconfig, openssl). BENCH_PARTS=parts alone: a per-user profile's steps timed
    // one by one (see parts()).
    const parts = new Set((process.env.BENCH_PARTS ?? 'kernel,e2e,rss,large,compare').split(','))
    if (parts.has('kernel')) {
      const unsignedFile = join(dir, 'unsigned.yaml')
      writeFileSync(unsignedFile, readFileSync(settingsFile, 'utf8').replace(/^signing:.*\n/m, ''))
      kernelPerFile(dir, unsignedFile, PROFILES)
    }
    if (parts.has('rss')) await peakRss(dir, readFileSync(settingsFile, 'utf8'), (process.env.BENCH_RSS_USERS ?? '10000,100000').split(',').map(Number))
    if (parts.has('large')) await largeFile(dir, readFileSync(settingsFile, 'utf8'))
    if (!parts.has('e2e')) return

    // --- ours: the CLI, end to end.
    const loadBefore = loadavg()[0]
    const {seconds, cpuSeconds, maxRssKb, exitCode, stderr} = await timeCli([join(root, 'bin', 'run.js'), 'build', settingsFile, '--out', outDir, '--only', 'mobileconfig'])
    if (exitCode !== 0) throw new Error(`mailprofile build exited ${exitCode}: ${stderr}`)
    const loadAfter = loadavg()[0]
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'))
    const written = manifest.files.filter((f) => f.user !== null).length
    const files = readdirSync(join(outDir, 'example.com', 'users')).filter((f) => f.endsWith('.mobileconfig'))
    const rate = written / seconds

    // Independent check: openssl verifies a sample of what was written.
    let verified = 0
    for (const f of files.filter((_, i) => i % Math.max(1, Math.floor(files.length / 20)) === 0)) {
      openssl(['cms', '-verify', '-inform', 'DER', '-in', join(outDir, 'example.com', 'users', f), '-CAfile', join(dir, 'root.pem'), '-purpose', 'any', '-out', '/dev/null'])
      verified++
    }

    console.log(`mailprofile build (the CLI, end to end): ${written} per-user signed profiles (RSA-2048) in ${seconds.toFixed(2)} s on ${availableParallelism()} cores: ${rate.toFixed(0)} profiles/s (target ≤ ${TARGET_SECONDS} s) ${seconds <= TARGET_SECONDS && written === PROFILES ? 'ok' : 'MISSED'}`)
    console.log(`  CPU time (user + system, all threads): ${cpuSeconds.toFixed(2)} s; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`)
    console.log(`  files on disk: ${files.length} in ${parent} (${fsType}); openssl cms -verify on a sample of ${verified}: all verified`)
    console.log(`  peak RSS (VmHWM, all threads): ${mb(maxRssKb)} MB (target ≤ ${TARGET_RSS_MB} MB) ${maxRssKb / 1024 <= TARGET_RSS_MB ? 'ok' : 'MISSED'}`)

    // --- the same build split 4 ways (`--shard K/4`, one after another here, each with the default
    // threads), merged with `manifest merge`: the total CPU of the 4 processes against one build's.
    // Each shard lints the whole settings file again, which is the overhead this measures.
    const shardDir = join(dir, 'shards')
    let shardCpu = 0
    let shardWall = 0
    for (const k of [1, 2, 3, 4]) {
      const r = await timeCli([join(root, 'bin', 'run.js'), 'build', settingsFile, '--out', shardDir, '--only', 'mobileconfig', '--shard', `${k}/4`])
      if (r.exitCode !== 0) throw new Error(`mailprofile build --shard ${k}/4 exited ${r.exitCode}: ${r.stderr}`)
      shardCpu += r.cpuSeconds
      shardWall += r.seconds
    }
    execFileSync(process.execPath, [join(root, 'bin', 'run.js'), 'manifest', 'merge', shardDir], {stdio: 'ignore'})
    const same = readFileSync(join(shardDir, 'manifest.json')).equals(readFileSync(join(outDir, 'manifest.json')))
    if (!same) failed = true
    console.log(`--shard 4-way: total CPU ${shardCpu.toFixed(2)} s for the 4 shards against ${cpuSeconds.toFixed(2)} s for one build (${((shardCpu / cpuSeconds) * 100).toFixed(0)} %); wall ${shardWall.toFixed(2)} s run one after another; merged manifest ${same ? 'identical to one build\'s' : 'DIFFERS'}`)
    rmSync(shardDir, {recursive: true, force: true})
    if (seconds > TARGET_SECONDS || written !== PROFILES || files.length !== PROFILES || maxRssKb / 1024 > TARGET_RSS_MB) failed = true

    // --- ours, single thread, on the sample (for a per-core comparison).
    const {loadSettings, buildOutputs, loadSigningIdentity, profileSigner, realOutputFolder, createStaging, discardStaging, writeBuild} = await import(lib)
    const {settings} = loadSettings(settingsFile)
    const identity = await loadSigningIdentity(settings.signing, {baseDir: settings.baseDir, env: process.env, settingsFile})
    const sampleUsers = settings.users.slice(0, SAMPLE)
    buildOutputs({...settings, users: sampleUsers.slice(0, 10)}, {only: ['mobileconfig'], signer: profileSigner(identity)}) // warm-up
    const t1 = process.hrtime.bigint()
    buildOutputs({...settings, users: sampleUsers}, {only: ['mobileconfig'], signer: profileSigner(identity)})
    const oneCore = SAMPLE / (Number(process.hrtime.bigint() - t1) / 1e9)
    console.log(`mailprofile on one core (no writes, sample of ${SAMPLE}): ${oneCore.toFixed(0)} profiles/s → ${(PROFILES / oneCore).toFixed(1)} s for ${PROFILES}`)

    // --- the cost of durable writes: build's writer with fsync (its default), on a sample.
    const durableBuild = buildOutputs({...settings, users: sampleUsers}, {only: ['mobileconfig'], signer: profileSigner(identity)})
    const durable = durableBuild.files.filter((f) => f.user !== null)
    const t4 = process.hrtime.bigint()
    const {real} = realOutputFolder(join(dir, 'durable'))
    const target = {real, staging: createStaging(real)}
    writeBuild(target, durable, durableBuild.manifest, {users: true, prune: false, fsync: true, outShown: 'durable'})
    discardStaging(target.staging)
    const fsyncMs = Number(process.hrtime.bigint() - t4) / 1e6 / durable.length
    console.log(`durable writes (build --fsync's write phase: fsync per file and folder; sample of ${durable.length}): ${fsyncMs.toFixed(2)} ms per file → +${((fsyncMs * PROFILES) / 1000).toFixed(1)} s for ${PROFILES} on one thread`)

    // --- npm `mobileconfig` (jsrsasign), same users and identity, sample extrapolated.
    const require = createRequire(join(root, 'package.json'))
    let mobileconfig
    try {
      mobileconfig = require('mobileconfig')
    } catch {
      console.log('npm mobileconfig: not installed (it is a devDependency: npm install), skipped')
    }
    if (mobileconfig) {
      const keys = {key: readFileSync(join(dir, 'signer.key'), 'utf8'), cert: readFileSync(join(dir, 'signer.pem'), 'utf8'), ca: [readFileSync(join(dir, 'root.pem'), 'utf8')]}
      const sign = (u) =>
        new Promise((resolve, reject) =>
          mobileconfig.getSignedEmailConfig(
            {
              emailAddress: u.address,
              organization: 'Bench Org',
              identifier: 'com.example.bench',
              displayName: 'Bench Mail',
              accountName: u.name,
              imap: {hostname: 'imap.example.com', port: 993, secure: true, username: u.address},
              smtp: {hostname: 'smtp.example.com', port: 465, secure: true, username: u.address},
              keys,
            },
            (err, data) => (err ? reject(err) : resolve(data)),
          ),
        )
      const check = await sign(sampleUsers[0])
      const checkFile = join(dir, 'npm-mobileconfig.der')
      writeFileSync(checkFile, check)
      openssl(['cms', '-verify', '-inform', 'DER', '-in', checkFile, '-CAfile', join(dir, 'root.pem'), '-purpose', 'any', '-out', '/dev/null'])
      const t2 = process.hrtime.bigint()
      for (const u of sampleUsers) await sign(u)
      const npmRate = SAMPLE / (Number(process.hrtime.bigint() - t2) / 1e9)
      const npmSeconds = PROFILES / npmRate
      console.log(`npm mobileconfig 2.x (jsrsasign): ${npmRate.toFixed(1)} profiles/s on one core (sample of ${SAMPLE}, extrapolated: ${npmSeconds.toFixed(0)} s for ${PROFILES}; no writes)`)
      console.log(`  ratio: mailprofile is ${(npmSeconds / seconds).toFixed(0)}× faster end to end, ${(oneCore / npmRate).toFixed(0)}× per core`)
    }

    // --- openssl smime -sign loop on our unsigned profiles, sample extrapolated.
    const unsignedDir = join(dir, 'unsigned')
    mkdirSync(unsignedDir)
    const unsigned = buildOutputs({...settings, users: sampleUsers}, {only: ['mobileconfig']}).files.filter((f) => f.user !== null)
    unsigned.forEach((f, i) => writeFileSync(join(unsignedDir, `${i}.mobileconfig`), f.bytes))
    const t3 = process.hrtime.bigint()
    for (let i = 0; i < unsigned.length; i++) {
      const r = spawnSync('openssl', ['smime', '-sign', '-nodetach', '-binary', '-outform', 'der', '-in', join(unsignedDir, `${i}.mobileconfig`), '-out', join(unsignedDir, `${i}.signed`), '-signer', join(dir, 'signer.pem'), '-inkey', join(dir, 'signer.key'), '-certfile', join(dir, 'root.pem')])
      if (r.status !== 0) throw new Error(`openssl smime failed: ${r.stderr}`)
    }
    const opensslRate = unsigned.length / (Number(process.hrtime.bigint() - t3) / 1e9)
    const opensslSeconds = PROFILES / opensslRate
    console.log(`openssl smime -sign loop (one process per profile): ${opensslRate.toFixed(1)} profiles/s (sample of ${unsigned.length}, extrapolated: ${opensslSeconds.toFixed(0)} s for ${PROFILES}; signing only)`)
    console.log(`  ratio: mailprofile is ${(opensslSeconds / seconds).toFixed(1)}× faster end to end, ${(oneCore / opensslRate).toFixed(1)}× per core`)
    console.log(`peak RSS of the whole run: ${mb(process.resourceUsage().maxRSS)} MB`)
    if (process.env.BENCH_PER_CORE !== '0') {
      const tmpfs = process.env.BENCH_TMPFS ?? '/dev/shm'
      if (!(await perCore(['rsa', 'ec'], [...(existsSync(tmpfs) ? [tmpfs] : []), join(root, '.bench-tmp')]))) failed = true
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
  process.exitCode = failed ? 1 : 0
}
