/** Keys written twice in one `<dict>`: which value a device uses is undefined. */
import {finding} from '../../codes.js'
import {describePointer} from '../profile.js'
import type {ProfileCheck} from './types.js'

export const duplicateKeysCheck: ProfileCheck = ({plist, payloads, file}) =>
  plist.duplicateKeys.map((pointer) =>
    finding('plist-duplicate-key', {
      message: `${describePointer(pointer, payloads)} appears twice in the same dictionary; which value a device uses is undefined (inspect checked the last one).`,
      fix: 'Keep one of the two.',
      source: {file},
    }),
  )
