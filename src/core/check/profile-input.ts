/**
 * `check PROFILE.mobileconfig`: what to probe in a profile someone already made (this tool or any
 * other): the servers of its mail payloads, with UseSSL and the port read as `inspect` reads them,
 * and as trusted roots the self-signed certificates its certificate payloads would install, so the
 * verdict is the one a device gets after installing the profile (and, for a private root, enabling
 * full trust for it).
 */
import {InputError} from '../errors.js'
import {readProfileServers} from '../inspect/index.js'
import type {Settings} from '../settings/model.js'

export interface ProfileCheckInput {
  /** The mail payloads as settings: one domain per payload, sources pointing into the profile. */
  settings: Settings
  /** DER of the self-signed certificates the profile's certificate payloads install. */
  roots: Buffer[]
}

/** Reads a profile for `check`. Throws InputError when it cannot be read or has no mail account to check. */
export function profileCheckInput(file: string): ProfileCheckInput {
  const {mail, installedRoots} = readProfileServers(file)
  if (mail.length === 0) throw new InputError('the profile has no mail account payload (com.apple.mail.managed) with server names: nothing to check', {file})
  const settings: Settings = {...mail[0]!.settings, domains: mail.flatMap((m) => m.settings.domains)}
  return {settings, roots: installedRoots}
}
