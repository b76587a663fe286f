import {dirname, isAbsolute} from 'node:path'

/**
 * A path to show in findings for a file named inside the settings: as written, below the settings
 * file's directory as the user named it (an absolute path as it is).
 */
export function displayPath(settingsFile: string, relative: string): string {
  if (isAbsolute(relative)) return relative
  const dir = dirname(settingsFile)
  return dir === '.' ? relative : `${dir}/${relative}`
}
