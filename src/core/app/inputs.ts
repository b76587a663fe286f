/** What kind of input a file named on the command line is. */

/** A .mobileconfig profile (lint and check read it as a profile); anything else is a settings file. */
export function isProfile(file: string): boolean {
  return /\.mobileconfig$/i.test(file)
}
