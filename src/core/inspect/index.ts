/**
 * The inspect API other parts of the core use (`check` on a .mobileconfig, `lint` of profiles);
 * the modules behind it are inspect's own.
 */
export {inspectProfile, inspectProfiles, lintProfileFile, type InspectOptions, type InspectProfilesOptions, type InspectReport, type InspectResult} from './inspect.js'
export type {MailPayloadSettings, OptionalTls} from './mail.js'
export {readProfileServers, type ProfileServers} from './profile-servers.js'
export type {SignatureSummary} from './signature.js'
export type {PayloadSummary, ProfileSummary} from './summary.js'
