import type {CodeInfo} from '../findings.js'

/** Finding codes of src/core/generate. Never rename a code; add new ones. */
export const GENERATE_CODES: CodeInfo[] = [
  {
    code: 'xml-invalid-character',
    severity: 'error',
    title: 'A setting holds a character that XML 1.0 cannot carry.',
    why: 'Profiles, Autodiscover and autoconfig files are XML; control characters (other than tab and line breaks), lone surrogates, U+FFFE and U+FFFF make every XML parser, including the one on the device, reject the whole file.',
    fix: 'Remove the character from the named field (often pasted from another program).',
  },
  {
    code: 'build-refused-lint-errors',
    severity: 'error',
    title: 'Nothing was written because the settings have error-level findings.',
    why: 'A profile built from settings that fail `lint` (or `check` with --check) installs an account that cannot connect, or that shows "Cannot Verify Server Identity".',
    fix: 'Fix the errors listed with it and run `build` again.',
  },
  {
    code: 'build-refused-check-errors',
    severity: 'error',
    title: 'Nothing was written because `build --check` found errors on the live servers.',
    why: 'A profile that points devices at a server whose certificate does not cover its host name (or is expired, or untrusted) makes iOS show "Cannot Verify Server Identity" and Outlook warn, on every device that installs it.',
    fix: 'Fix the servers\' certificates (or the host names in the settings) and run `build --check` again.',
  },
  {
    code: 'apple-schema-violation',
    severity: 'error',
    title: "A generated payload does not match Apple's schema.",
    why: 'Devices refuse or silently ignore payloads with wrong types or missing required keys. This is a bug in mailprofile or an unusual setting it did not expect.',
    fix: 'Report it with the settings that caused it; the message names the key.',
  },
  {
    code: 'autodiscover-login-not-address',
    severity: 'warning',
    title: "The domain's autodiscover.xml cannot tell Outlook the login name.",
    why: 'The username template is not the plain address (e.g. %EMAILLOCALPART%), and a response for the whole domain cannot expand it: Outlook then logs in with the full address and fails. The per-user files carry the right LoginName.',
    fix: 'Have the Autodiscover endpoint answer each request with users/<address>.autodiscover.xml (the request body names the address), or list the users in the settings so those files exist.',
  },
  {
    code: 'server-root-not-pinned',
    severity: 'warning',
    title: 'With --embed-server-root, a server sends a self-signed root that matches no pin; it was not embedded.',
    why: 'Embedding whatever root a server presents would let anyone who can intercept the connection install their CA on every device; only pinned roots are embedded.',
    fix: 'Compare the fingerprint out of band; if it is your CA, add it to trust.pins (or pass --pin), or list the CA file in trust.caFiles.',
  },
  {
    code: 'server-root-not-embedded',
    severity: 'warning',
    title: '--embed-server-root found no pinned private root to embed.',
    why: 'Most servers do not send their root certificate, so there is nothing to take from the connection; devices will not trust a private CA that is not in the profile.',
    fix: 'List the CA file in trust.caFiles, or configure the servers to send the full chain including the root.',
  },
  {
    code: 'profile-unsigned',
    severity: 'info',
    title: 'Profiles were written unsigned.',
    why: 'iOS and macOS show an unsigned profile as "Unverified" (red) on the install screen; users are taught not to install those.',
    fix: 'Add a `signing` section (certificate and key, or PKCS#12) to sign the profiles.',
  },
  {
    code: 'stale-output',
    severity: 'info',
    title: 'Files from an earlier build are no longer produced by the settings.',
    why: 'A user removed from the users file or a domain dropped from the settings leaves its old profile in the output folder; the new manifest.json no longer lists it, but a pipeline that copies the whole folder would still deploy it.',
    fix: 'Run `build --prune`: it removes the files the earlier manifest recorded, if their bytes are still the recorded ones.',
  },
  {
    code: 'stale-output-modified',
    severity: 'warning',
    title: 'A file from an earlier build is no longer produced, but was changed since, so --prune keeps it.',
    why: 'mailprofile only deletes what it wrote itself: a file whose SHA-256 differs from the one in the earlier manifest was edited or replaced by someone else.',
    fix: 'Look at the file and delete it by hand if nobody needs it.',
  },
  {
    code: 'output-path-unsafe',
    severity: 'error',
    title: 'A folder build would write into inside --out is a symbolic link or not a folder; nothing was written.',
    why: 'Writing through a link (out/example.com -> ../elsewhere) would put the files somewhere the user did not name, over whatever is there; build writes only into real folders inside the output folder.',
    fix: 'Remove the link (or the file where a folder belongs) from the output folder, or build into a new folder.',
  },
]
