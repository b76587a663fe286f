import * as Args from '@oclif/core/args'
import {Command} from '@oclif/core/command'
import {loadHelpClass} from '@oclif/core/help'

import {BaseCommand} from './base.js'
import {emitReport, formatFromArgv} from './output.js'
import {notFoundMessage} from './not-found.js'

/**
 * `mailprofile help [COMMAND]`: oclif's own help (the Help class `--help` uses), as
 * @oclif/plugin-help's command does; the plugin itself is not loaded, so start-up reads no
 * further package.
 */
export default class Help extends Command {
  static override summary = 'Show help for mailprofile or one of its commands.'
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help lint']
  static override strict = false
  static override flags = BaseCommand.baseFlags
  static override args = {
    command: Args.string({description: 'The command to show help for.', required: false}),
  }

  async run(): Promise<void> {
    const {argv} = await this.parse(Help)
    const words = argv as string[]
    const id = words[0]
    if (id !== undefined && !this.config.findCommand(id)) {
      const ids = this.config.commands.filter((c) => !c.hidden).map((c) => c.id)
      emitReport({command: 'help', findings: [], inputErrors: [{message: notFoundMessage(id, ids, this.config.bin)}], data: {}, aborted: true}, formatFromArgv(this.argv), this.config.version)
      return
    }
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions ?? this.config.pjson.helpOptions).showHelp(words)
  }
}
