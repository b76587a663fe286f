/** `init DOMAIN`: a first, commented settings file, never over an existing file unless forced. */
import {existsSync} from 'node:fs'
import {dirname, relative, resolve, sep} from 'node:path'

import {InputError} from '../errors.js'
import type {CoreReport} from '../report.js'

export interface InitValues {
  domain: string
  /** Where to write, as the user named it. */
  out: string
  force: boolean
  organization?: string
  identifier?: string
  protocol: 'imap' | 'pop3'
  security: 'ssl' | 'starttls'
  incomingHost?: string
  outgoingHost?: string
}

export type InitReport = CoreReport<{file: string}>

const existsError = (file: string): InputError => new InputError('the file exists; use --force to overwrite it, or --out for another name', {file})

export async function initSettingsFile(values: InitValues): Promise<InitReport> {
  const out = resolve(values.out)
  if (existsSync(out) && !values.force) throw existsError(values.out)
  const [{scaffoldSettings}, {packageFile}, {writeFileAtomic}] = await Promise.all([import('../settings/scaffold.js'), import('../paths.js'), import('../util/write-file.js')])
  // An editor schema line only when the schema lies below the file's folder (mailprofile installed
  // in the repository's node_modules): a path climbing out of it would be this machine's alone.
  const relativeSchema = relative(dirname(out), packageFile('schemas', 'mailprofile.schema.json')).split(sep).join('/')
  const schemaPath = relativeSchema.startsWith('../') ? undefined : relativeSchema
  const text = scaffoldSettings({
    domain: values.domain,
    organization: values.organization,
    identifier: values.identifier,
    protocol: values.protocol,
    security: values.security,
    incomingHost: values.incomingHost,
    outgoingHost: values.outgoingHost,
    schemaPath,
  })
  try {
    writeFileAtomic(out, Buffer.from(text, 'utf8'), {noClobber: !values.force})
  } catch (error) {
    // Created by someone else since the check above: still never overwritten without --force.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(values.out)
    throw error
  }
  return {findings: [], inputErrors: [], data: {file: out}}
}
