/**
 * Starts real Dovecot and Postfix instances for the real-server suite: private configuration in a
 * temp dir, listeners on 127.0.0.1 high ports, certificates generated at test time. Dovecot runs
 * unprivileged (as `nobody` when the tests run as root, else as the current user); Postfix's master
 * must run as root, so without root the Postfix part is unavailable.
 *
 * Postfix is started as `master -d -c DIR` rather than `postfix -c DIR start`: the wrapper insists
 * that DIR be listed in the system main.cf's alternate_config_directories, and the tests must not
 * edit /etc. The master needs only the queue's pid/, private/ and public/ directories (owned as
 * `postfix set-permissions` would) and, without syslog, `maillog_file` (allowed by
 * `maillog_file_prefixes`).
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect, createServer, type Server} from 'node:net'
import {connect as tlsConnect} from 'node:tls'
import {tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'

export const REQUIRE_REAL = process.env.MAILPROFILE_REQUIRE_REAL_SERVERS === '1'

const DOVECOT = '/usr/sbin/dovecot'

function postfixDaemonDir(): string | undefined {
  try {
    const dir = execFileSync('postconf', ['-d', '-h', 'daemon_directory'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
    return existsSync(join(dir, 'master')) ? dir : undefined
  } catch {
    return undefined
  }
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

/** Why Dovecot cannot be started here, or undefined when it can. */
export function dovecotUnavailable(): string | undefined {
  return existsSync(DOVECOT) ? undefined : `${DOVECOT} not found (apt-get install dovecot-imapd dovecot-pop3d)`
}

/** Why Postfix cannot be started here, or undefined when it can. */
export function postfixUnavailable(): string | undefined {
  if (!postfixDaemonDir()) return 'Postfix not found (apt-get install postfix)'
  if (!isRoot) return "Postfix's master daemon must run as root"
  return dovecotUnavailable() // AUTH comes from Dovecot SASL
}

/** A fresh temp dir the unprivileged server accounts can traverse (mode 0755), and its removal. */
export function serverTempDir(): {dir: string; remove(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'mailprofile-real-'))
  chmodSync(dir, 0o755)
  return {dir, remove: () => rmSync(dir, {recursive: true, force: true})}
}

/**
 * The ports the kernel hands out for `listen(0)` and outgoing connections. Ports for the real
 * daemons are taken below this range, so no other test's ephemeral listener or client socket can
 * take one between choosing it and the daemon binding it.
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (low && high) return [low, high]
  } catch {
    // not Linux: use the IANA dynamic range
  }
  return [49152, 65535]
}

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(undefined))
    srv.listen(port, '127.0.0.1', () => resolve(srv))
  })
}

/**
 * `count` distinct ports on 127.0.0.1 that were free a moment ago, chosen at random below the
 * ephemeral range and all held at once while choosing (so two of them can never be the same).
 * Another process may still bind one before the daemon does: the start functions verify each
 * daemon's greeting and start again on fresh ports when that happens.
 */
export async function reservePorts(count: number): Promise<number[]> {
  const [ephemeralLow] = ephemeralRange()
  const high = Math.min(ephemeralLow, 65536) - 1
  const low = Math.max(1024, high - 20_000)
  const held: Server[] = []
  const ports: number[] = []
  try {
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > 500) throw new Error(`no ${count} free ports in ${low}-${high} on 127.0.0.1`)
      const port = low + Math.floor(Math.random() * (high - low + 1))
      if (ports.includes(port)) continue
      const srv = await listenOn(port)
      if (!srv) continue
      held.push(srv)
      ports.push(port)
    }
  } finally {
    await Promise.all(held.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))))
  }
  return ports
}

/** Reserves one port per key. */
async function reservePortMap<K extends string>(keys: readonly K[]): Promise<Record<K, number>> {
  const ports = await reservePorts(keys.length)
  return Object.fromEntries(keys.map((k, i) => [k, ports[i]])) as Record<K, number>
}

/**
 * The first line a server sends on 127.0.0.1:port (over TLS when `tls`), or the reason there was
 * none within `timeoutMs`. Used to prove the daemon we started is the one answering.
 */
export function readBanner(port: number, tls: boolean, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls ? tlsConnect({host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'mail.example.test'}) : connect({host: '127.0.0.1', port})
    let buffer = ''
    const done = (line: string): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(line)
    }
    const timer = setTimeout(() => done(`(no greeting within ${timeoutMs} ms)`), timeoutMs)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      const end = buffer.indexOf('\n')
      if (end >= 0) done(buffer.slice(0, end).replace(/\r$/, ''))
      else if (buffer.length > 4096) done(buffer.slice(0, 200))
    })
    socket.once('error', (error) => done(`(${error.message})`))
    socket.once('end', () => done(buffer || '(closed without a greeting)'))
  })
}

/** A listener the daemon should have opened: its port, whether it speaks TLS at once, and the greeting it must send. */
interface ExpectedListener {
  port: number
  tls: boolean
  greeting: RegExp
}

class PortClash extends Error {}

/** Throws PortClash when a port answers with another daemon's greeting (someone else bound it first). */
async function verifyListeners(listeners: ExpectedListener[], log: () => string): Promise<void> {
  for (const l of listeners) {
    const banner = await readBanner(l.port, l.tls)
    if (!l.greeting.test(banner)) throw new PortClash(`127.0.0.1:${l.port} greets with ${JSON.stringify(banner)}, not ${l.greeting}: another process holds the port\n${log()}`)
  }
}

/** Starts a daemon on fresh ports, again on other ports (up to three times) when a port turns out to be taken. */
async function startOnFreshPorts<K extends string, T>(keys: readonly K[], start: (ports: Record<K, number>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports = await reservePortMap(keys)
    try {
      return await start(ports)
    } catch (error) {
      if (!(error instanceof PortClash) || attempt >= 3) throw error
    }
  }
}

/** Resolves when 127.0.0.1:port accepts a connection; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 15_000, log?: () => string, child?: ChildProcess): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (child && child.exitCode !== null) {
      const detail = log ? log() : ''
      const message = `the server exited with status ${child.exitCode} before listening on ${port}\n${detail}`
      // Another process bound one of its ports between reservation and start: try other ports.
      throw /Address already in use/.test(detail) ? new PortClash(message) : new Error(message)
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({host: '127.0.0.1', port})
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms${log ? `\n${log()}` : ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface RunningServer {
  stop(): Promise<void>
  log(): string
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n')
  } catch {
    return `(no log at ${file})`
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

interface Account {
  name: string
  uid: number
  gid: number
  group: string
}

/** The unprivileged account Dovecot runs as. */
function dovecotAccount(): Account {
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'nobody'], {encoding: 'utf8'}).trim())
    const gid = Number(execFileSync('id', ['-g', 'nobody'], {encoding: 'utf8'}).trim())
    const group = execFileSync('id', ['-gn', 'nobody'], {encoding: 'utf8'}).trim()
    return {name: 'nobody', uid, gid, group}
  }
  const me = userInfo()
  return {name: me.username, uid: me.uid, gid: me.gid, group: execFileSync('id', ['-gn'], {encoding: 'utf8'}).trim()}
}

function chownTree(paths: string[], account: Account): void {
  if (!isRoot) return
  for (const p of paths) chownSync(p, account.uid, account.gid)
}

export interface DovecotOptions {
  /** A directory the server may use (made traversable for the unprivileged account). */
  dir: string
  /** Server certificate chain (leaf first) and key, PEM. */
  certPem: string
  keyPem: string
}

export interface DovecotPorts {
  /** IMAP with STARTTLS. */
  imap: number
  /** IMAP over implicit TLS. */
  imaps: number
  /** POP3 over implicit TLS. */
  pop3s: number
}

export interface RunningDovecot extends RunningServer {
  ports: DovecotPorts
  /** The SASL socket Postfix can use (smtpd_sasl_type = dovecot). */
  authSocket: string
}

/** Starts Dovecot in the foreground (`dovecot -F -c CONF`) with IMAP (STARTTLS and implicit TLS) and POP3S, on ports it reserves. */
export function startDovecot(options: DovecotOptions): Promise<RunningDovecot> {
  return startOnFreshPorts(['imap', 'imaps', 'pop3s'] as const, (ports) => launchDovecot(options, ports))
}

async function launchDovecot(options: DovecotOptions, ports: DovecotPorts): Promise<RunningDovecot> {
  const account = dovecotAccount()
  const dir = options.dir
  const run = join(dir, 'run')
  const home = join(dir, 'home')
  for (const d of [dir, run, home]) mkdirSync(d, {recursive: true})
  chmodSync(dir, 0o755)
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  writeFileSync(cert, options.certPem)
  writeFileSync(key, options.keyPem, {mode: 0o600})
  const logFile = join(dir, 'dovecot.log')
  const conf = join(dir, 'dovecot.conf')
  writeFileSync(
    conf,
    `# mailprofile real-server suite: private Dovecot on 127.0.0.1
base_dir = ${run}
state_dir = ${join(dir, 'state')}
log_path = ${logFile}
protocols = imap pop3
listen = 127.0.0.1
ssl = required
ssl_cert = <${cert}
ssl_key = <${key}
default_login_user = ${account.name}
default_internal_user = ${account.name}
default_internal_group = ${account.group}
mail_location = maildir:${home}/%u/Maildir
passdb {
  driver = static
  args = password=not-used-by-any-test
}
userdb {
  driver = static
  args = uid=${account.uid} gid=${account.gid} home=${home}/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = ${ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = ${ports.pop3s}
    ssl = yes
  }
}
service anvil {
  chroot =
}
service auth {
  unix_listener auth-client {
    mode = 0666
  }
}
`,
  )
  chownTree([dir, run, home, cert, key, conf], account)
  const child = spawn(DOVECOT, ['-F', '-c', conf], {stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...(isRoot ? {uid: account.uid, gid: account.gid} : {})})
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  const log = () => `dovecot stderr:\n${stderr}\ndovecot log:\n${readLog(logFile)}`
  try {
    for (const p of Object.values(ports)) await waitForPort(p, 15_000, log, child)
    await verifyListeners(
      [
        {port: ports.imap, tls: false, greeting: /^\* OK .*Dovecot/},
        {port: ports.imaps, tls: true, greeting: /^\* OK .*Dovecot/},
        {port: ports.pop3s, tls: true, greeting: /^\+OK Dovecot/},
      ],
      log,
    )
  } catch (error) {
    await stopChild(child)
    throw error
  }
  return {ports, authSocket: join(run, 'auth-client'), stop: () => stopChild(child), log}
}

export interface PostfixOptions {
  dir: string
  certPem: string
  keyPem: string
  /** Dovecot's SASL socket. */
  authSocket: string
}

export interface PostfixPorts {
  /** Submission with STARTTLS and AUTH after TLS. */
  submission: number
  /** Submissions: implicit TLS with AUTH. */
  submissions: number
  /** A misconfigured submission service: STARTTLS but no AUTH. */
  submissionNoAuth: number
}

export interface RunningPostfix extends RunningServer {
  ports: PostfixPorts
}

/** Starts Postfix's master in the foreground from a private configuration directory, on ports it reserves. */
export function startPostfix(options: PostfixOptions): Promise<RunningPostfix> {
  return startOnFreshPorts(['submission', 'submissions', 'submissionNoAuth'] as const, (ports) => launchPostfix(options, ports))
}

async function launchPostfix(options: PostfixOptions, ports: PostfixPorts): Promise<RunningPostfix> {
  const daemonDir = postfixDaemonDir()
  if (!daemonDir) throw new Error('Postfix not found')
  const dir = options.dir
  const conf = join(dir, 'conf')
  const queue = join(dir, 'queue')
  const data = join(dir, 'data')
  for (const d of [conf, join(queue, 'pid'), join(queue, 'private'), join(queue, 'public'), data]) mkdirSync(d, {recursive: true})
  chmodSync(dir, 0o755)
  const postfixUid = Number(execFileSync('id', ['-u', 'postfix'], {encoding: 'utf8'}).trim())
  const postdropGid = Number(execFileSync('getent', ['group', 'postdrop'], {encoding: 'utf8'}).split(':')[2])
  // As `postfix set-permissions` leaves them: private/ and data/ owned by the mail owner, public/ group postdrop.
  chownSync(join(queue, 'private'), postfixUid, -1)
  chmodSync(join(queue, 'private'), 0o700)
  chownSync(join(queue, 'public'), postfixUid, postdropGid)
  chmodSync(join(queue, 'public'), 0o710)
  chownSync(data, postfixUid, -1)
  chmodSync(data, 0o700)
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  writeFileSync(cert, options.certPem)
  writeFileSync(key, options.keyPem, {mode: 0o600})
  const logFile = join(dir, 'maillog')
  writeFileSync(
    join(conf, 'main.cf'),
    `# mailprofile real-server suite: private Postfix on 127.0.0.1
compatibility_level = 3.6
queue_directory = ${queue}
data_directory = ${data}
daemon_directory = ${daemonDir}
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.example.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
maillog_file = ${logFile}
maillog_file_prefixes = ${dir}
smtpd_tls_cert_file = ${cert}
smtpd_tls_key_file = ${key}
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${options.authSocket}
smtpd_relay_restrictions = permit_sasl_authenticated, reject
`,
  )
  const p = ports
  writeFileSync(
    join(conf, 'master.cf'),
    `# service type private unpriv chroot wakeup maxproc command
127.0.0.1:${p.submission} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes
127.0.0.1:${p.submissions} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes
127.0.0.1:${p.submissionNoAuth} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=no
postlog unix-dgram n - n - 1 postlogd
anvil unix - - n - 1 anvil
proxymap unix - - n - - proxymap
rewrite unix - - n - - trivial-rewrite
cleanup unix n - n - 0 cleanup
tlsmgr unix - - n 1000? 1 tlsmgr
`,
  )
  // detached: the master signals its own process group on shutdown, which must not be the test runner's.
  const child = spawn(join(daemonDir, 'master'), ['-d', '-c', conf], {stdio: ['ignore', 'ignore', 'pipe'], detached: true})
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  const log = () => `postfix stderr:\n${stderr}\nmaillog:\n${readLog(logFile)}`
  try {
    for (const port of Object.values(p)) await waitForPort(port, 15_000, log, child)
    const smtpGreeting = /^220 mail\.example\.test ESMTP/
    await verifyListeners(
      [
        {port: p.submission, tls: false, greeting: smtpGreeting},
        {port: p.submissions, tls: true, greeting: smtpGreeting},
        {port: p.submissionNoAuth, tls: false, greeting: smtpGreeting},
      ],
      log,
    )
  } catch (error) {
    await stopChild(child)
    throw error
  }
  return {ports, stop: () => stopChild(child), log}
}

/** Writes a settings file for the real-server tests: one organization, the given `domains:` YAML block. */
export function writeSettingsFile(dir: string, name: string, domains: string): string {
  const file = join(dir, name)
  writeFileSync(file, `version: 1\norganization:\n  name: Real Test\n  identifier: test.example.real\ndomains:\n${domains}`)
  return file
}
