/**
 * An unknown command (`mailprofile biuld`): oclif's `command_not_found` hook (package.json
 * "oclif.hooks"), answered through the same exit path as every command: one input error with a
 * "did you mean", exit status 2, one JSON document under --json. (@oclif/plugin-not-found asks on a
 * TTY and then runs the guessed command, exits 127 and prints no JSON, so it does not fit here.)
 */
import type {Hook} from '@oclif/core/hooks'

import {suggest} from '../core/suggest.js'
import {emitReport, formatFromArgv} from './output.js'

/** The input error for a command name that is not one; `bin` is the CLI's name. */
export function notFoundMessage(id: string, commandIds: readonly string[], bin: string): string {
  const guess = suggest(id, commandIds)
  return `"${id}" is not a ${bin} command${guess ? `; did you mean "${guess}"?` : '.'} Run \`${bin} help\` for the list of commands.`
}

export const commandNotFound: Hook<'command_not_found'> = async function (options) {
  const {argv = [], config} = options
  // With topics separated by spaces oclif joins the words it could not match: `biuld x` → `biuld:x`.
  const id = options.id.split(':')[0]!
  const ids = config.commands.filter((c) => !c.hidden).map((c) => c.id)
  const message = notFoundMessage(id, ids, config.bin)
  emitReport({command: id, findings: [], inputErrors: [{message}], data: {}, aborted: true}, formatFromArgv([options.id, ...argv]), config.version)
  return null
}
