import {BaseCommand} from '../cli/base-command.js'
import {ExitCode} from '../errors.js'

export default class Version extends BaseCommand {
  static override description = 'Show medic\'s version, and the Node.js and platform it runs on (same as medic --version and medic -v)'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json']

  async run() {
    await this.parse(Version)
    const {version, platform, arch} = this.config
    this.out(this.config.userAgent)
    return this.finish({version, node: process.version, platform, arch}, ExitCode.OK)
  }
}
