/**
 * Reads a .mobileconfig from disk: bounded in size, a signed profile (CMS SignedData, DER/BER or
 * PEM) unwrapped and verified, the property list inside parsed (XML, or binary `bplist00`; other
 * binary variants are reported, not parsed). Unusable input is an InputError naming the file.
 */

import {InputError} from '../errors.js'
import {readBytesInput} from '../files.js'
import {CmsError, looksLikeCms, verifyCms, type CmsVerification} from '../sign/verify.js'
import {isBinaryPlist00, readBinaryPlist} from './plist-binary.js'
import {PlistSyntaxError, readXmlPlist, type PlistReadResult} from './plist-xml.js'

/** Profiles larger than this are refused (real ones are a few KiB; a CA bundle makes them tens of KiB). */
export const MAX_PROFILE_BYTES = 10 * 1024 * 1024

export interface ReadProfile {
  file: string
  /** The CMS verification when the file is signed. */
  verification?: CmsVerification
  /** The parsed plist; undefined for a binary plist variant this reader does not know. */
  plist?: PlistReadResult
  format: 'xml' | 'binary'
}

function readBounded(file: string): Buffer {
  return readBytesInput(file, 'profile', MAX_PROFILE_BYTES)
}

/** Decodes plist text: UTF-8 (BOM stripped) or UTF-16 with a BOM. */
function plistText(bytes: Buffer, file: string): string {
  // UTF-16 is whole 16-bit units; an odd byte count is a truncated or foreign file (and swap16 would throw).
  if (((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) && bytes.length % 2 === 1) {
    throw new InputError('is not a property list: UTF-16 text (it starts with a byte-order mark) with an odd number of bytes', {file})
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le')
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le')
  try {
    const text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  } catch {
    throw new InputError('is neither a signed profile nor an XML property list (not UTF-8 text)', {file})
  }
}

/** Reads, unwraps and parses one profile. */
export function readProfileFile(file: string): ReadProfile {
  const bytes = readBounded(file)
  let inner = bytes
  let verification: CmsVerification | undefined
  if (bytes.length === 0) throw new InputError('profile is empty', {file})
  if (looksLikeCms(bytes)) {
    try {
      verification = verifyCms(bytes)
    } catch (error) {
      if (error instanceof CmsError) throw new InputError(`is not a readable signed profile: ${error.message}`, {file})
      throw error
    }
    if (verification.detached) throw new InputError('is a detached signature without the profile inside', {file})
    inner = verification.content
  }
  if (inner.subarray(0, 6).toString('latin1') === 'bplist') {
    // bplist00 is read; newer variants (bplist15, bplist16) are reported as unsupported.
    if (!isBinaryPlist00(inner)) return {file, verification, format: 'binary'}
    try {
      return {file, verification, plist: readBinaryPlist(inner), format: 'binary'}
    } catch (error) {
      if (error instanceof PlistSyntaxError) throw new InputError(`${verification ? 'the signed ' : ''}${error.message}`, {file})
      throw error
    }
  }
  const text = plistText(inner, file)
  if (!/<plist[\s>]/.test(text)) throw new InputError(`is not a configuration profile: ${verification ? 'the signed content is' : 'it is'} neither an XML nor a binary property list`, {file})
  try {
    return {file, verification, plist: readXmlPlist(text), format: 'xml'}
  } catch (error) {
    if (error instanceof PlistSyntaxError) {
      // Line numbers only mean something for an unsigned file (the text is the file).
      const at = verification ? {file} : {file, line: error.line, column: error.column}
      throw new InputError(`${verification ? 'the signed property list' : 'property list'} is malformed: ${error.message}`, at)
    }
    throw error
  }
}
