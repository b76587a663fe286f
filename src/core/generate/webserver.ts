/**
 * Web server snippets for serving a domain's static outputs without `mailprofile serve`: an nginx
 * `include` for the domain's `server {}` block and an Apache `Include` for its `<VirtualHost>`.
 * They map the URLs clients fetch (Outlook's Autodiscover in any case, Thunderbird's autoconfig and
 * its `.well-known` form, the profiles) onto the files `build` wrote under `<domain>/`, with the
 * content types clients need (`text/xml`, `application/x-apple-aspen-config`) and `nosniff`.
 *
 * The output folder is not written into them (the bytes would depend on where the build ran): the
 * admin sets it once, `set $mailprofile_out /srv/mail/out;` (nginx) or `Define MAILPROFILE_OUT
 * /srv/mail/out` (Apache), before the include.
 *
 * What no static server can do, and the snippets say at their top: Outlook's POST names the
 * address, but the answer is the domain's autodiscover.xml for every user (no per-user LoginName or
 * DisplayName); Thunderbird's `?emailaddress=` is ignored (the file keeps its placeholders); only
 * profiles whose file name is the address itself are found under `/profiles/<address>.mobileconfig`.
 */
import type {DomainSettings} from '../settings/model.js'
import {safeFileName} from './write.js'

export const NGINX_SNIPPET = 'webserver/nginx.conf'
export const APACHE_SNIPPET = 'webserver/apache.conf'

const XML = 'text/xml; charset=utf-8'
const PROFILE = 'application/x-apple-aspen-config'

/** The limits a static server cannot get past, one comment line each (the README says the same). */
const STATIC_LIMITS = [
  "Outlook's POST names the user, but every user gets this domain's autodiscover.xml: no per-user",
  '  LoginName or DisplayName (with a username template other than %EMAILADDRESS%, Outlook logs in',
  '  with the full address). `mailprofile serve` answers per user.',
  "Thunderbird's ?emailaddress= is ignored: config-v1.1.xml keeps its %EMAILADDRESS% placeholders,",
  '  which Thunderbird fills in itself.',
  '/profiles/<address>.mobileconfig finds the per-user profiles whose file name is the address',
  '  (lower-case, only a-z 0-9 @ . _ + -); /mobileconfig is the generic profile, whatever the query.',
]

function header(comment: string, domain: DomainSettings, how: readonly string[]): string[] {
  return [
    `${comment} Serves the static files \`mailprofile build\` wrote for ${domain.domain}, for a web server that does`,
    `${comment} not run \`mailprofile serve\`. Written by every build; edits are overwritten.`,
    comment,
    ...how.map((l) => `${comment} ${l}`.trimEnd()),
    comment,
    `${comment} What a static server cannot do:`,
    ...STATIC_LIMITS.map((l) => `${comment} ${l.startsWith('  ') ? l : `- ${l}`}`),
    '',
  ]
}

/** An nginx snippet for the domain's server {} block (server_name <domain> autoconfig.<domain> autodiscover.<domain>). */
export function buildNginxSnippet(domain: DomainSettings): Buffer {
  const dir = safeFileName(domain.domain)
  const out = `$mailprofile_out/${dir}`
  const common = (type: string, cache: string): string[] => [
    '    types { }',
    `    default_type "${type}";`,
    '    add_header X-Content-Type-Options nosniff always;',
    `    add_header Cache-Control "${cache}" always;`,
  ]
  const lines = [
    ...header('#', domain, [
      `Include it in the server {} block for ${domain.domain}, autoconfig.${domain.domain} and autodiscover.${domain.domain}`,
      "(HTTPS), after naming the build's output folder:",
      '    set $mailprofile_out /srv/mailprofile/out;',
      `    include /srv/mailprofile/out/${dir}/${NGINX_SNIPPET};`,
    ]),
    '# Outlook (POX Autodiscover): any case, GET or POST. nginx answers a POST to a static file with 405;',
    '# error_page turns that into an internal GET of the same URI, answered with 200 and the file.',
    'location ~* ^/autodiscover/autodiscover\\.xml$ {',
    `    alias ${out}/autodiscover.xml;`,
    '    client_max_body_size 16k;',
    '    error_page 405 =200 $uri;',
    ...common(XML, 'no-store'),
    '}',
    '',
    '# Outlook (Autodiscover JSON, asked first): points at the POX URL above; other protocols get 400 as from Exchange.',
    'location ~* ^/autodiscover/autodiscover\\.json(/|$) {',
    '    default_type "application/json; charset=utf-8";',
    '    add_header X-Content-Type-Options nosniff always;',
    '    add_header Cache-Control "no-store" always;',
    '    if ($arg_protocol !~* ^autodiscoverv1$) {',
    `        return 400 '{"ErrorCode":"InvalidProtocol","ErrorMessage":"The given protocol value is invalid. Supported values are \\'AutodiscoverV1\\'."}';`,
    '    }',
    `    return 200 '{"Protocol":"AutodiscoverV1","Url":"https://autodiscover.${domain.domain}/autodiscover/autodiscover.xml"}';`,
    '}',
    '',
    '# Thunderbird (autoconfig), also the .well-known form; any case.',
    'location ~* ^/(\\.well-known/autoconfig/)?mail/config-v1\\.1\\.xml$ {',
    `    alias ${out}/mail/config-v1.1.xml;`,
    ...common(XML, 'no-cache'),
    '}',
    '',
    '# Apple: the per-user profiles, and the generic one (the device asks for the address).',
    'location ~* ^/profiles/([a-z0-9@._+-]+)\\.mobileconfig$ {',
    `    alias ${out}/users/$1.mobileconfig;`,
    ...common(PROFILE, 'private, no-cache'),
    '    add_header Content-Disposition "attachment" always;',
    '}',
    'location ~* ^/mobileconfig$ {',
    `    alias ${out}/${dir}.mobileconfig;`,
    ...common(PROFILE, 'private, no-cache'),
    `    add_header Content-Disposition 'attachment; filename="${dir}.mobileconfig"' always;`,
    '}',
    '',
  ]
  return Buffer.from(lines.join('\n'), 'utf8')
}

/** An Apache 2.4 snippet for the domain's <VirtualHost> (mod_alias, mod_headers, mod_mime). */
export function buildApacheSnippet(domain: DomainSettings): Buffer {
  const dir = safeFileName(domain.domain)
  const out = `\${MAILPROFILE_OUT}/${dir}`
  const lines = [
    ...header('#', domain, [
      `Include it in the <VirtualHost> for ${domain.domain}, autoconfig.${domain.domain} and autodiscover.${domain.domain}`,
      "(HTTPS), after naming the build's output folder (needs mod_headers: a2enmod headers):",
      '    Define MAILPROFILE_OUT /srv/mailprofile/out',
      `    Include /srv/mailprofile/out/${dir}/${APACHE_SNIPPET}`,
      'Apache answers a POST to a static file as a GET, so Outlook gets autodiscover.xml with 200.',
      'Autodiscover JSON (/autodiscover/autodiscover.json) is not answered: Outlook then tries the POX URL.',
    ]),
    '# Any case: (?i). Outlook (POX Autodiscover), Thunderbird (autoconfig, also .well-known), Apple profiles.',
    `AliasMatch "(?i)^/autodiscover/autodiscover\\.xml$" "${out}/autodiscover.xml"`,
    `AliasMatch "(?i)^/(?:\\.well-known/autoconfig/)?mail/config-v1\\.1\\.xml$" "${out}/mail/config-v1.1.xml"`,
    `AliasMatch "(?i)^/profiles/([a-z0-9@._+-]+)\\.mobileconfig$" "${out}/users/$1.mobileconfig"`,
    `AliasMatch "(?i)^/mobileconfig$" "${out}/${dir}.mobileconfig"`,
    '',
    `<Directory "${out}">`,
    '    Require all granted',
    '    Options None',
    '    AllowOverride None',
    '    Header always set X-Content-Type-Options "nosniff"',
    '    <FilesMatch "\\.xml$">',
    `        ForceType "${XML}"`,
    '        Header always set Cache-Control "no-cache"',
    '    </FilesMatch>',
    '    <Files "autodiscover.xml">',
    '        Header always set Cache-Control "no-store"',
    '    </Files>',
    '    <FilesMatch "\\.mobileconfig$">',
    `        ForceType "${PROFILE}"`,
    '        Header always set Cache-Control "private, no-cache"',
    '        Header always set Content-Disposition "attachment"',
    '    </FilesMatch>',
    '</Directory>',
    '',
  ]
  return Buffer.from(lines.join('\n'), 'utf8')
}
