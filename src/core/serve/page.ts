/**
 * The onboarding page at `/`: the organization's name, a form that downloads the profile (plain
 * HTML, works without JavaScript), a QR code of the profile URL for someone reading on a desktop,
 * and the manual settings for any other client.
 *
 * Written through fast-xml-parser's XMLBuilder (which escapes & < > " ' in every text and
 * attribute) in its order-preserving form, never through string templates; void elements are its
 * "unpaired" tags, so the output is valid HTML. The QR code is the `qrcode` library's SVG, parsed
 * back into nodes and embedded inline. The only style is one inline <style>, allowed by its hash
 * in the Content-Security-Policy; nothing is loaded from anywhere.
 */
import {createHash} from 'node:crypto'

import {XMLBuilder, XMLParser} from 'fast-xml-parser'
import QRCode from 'qrcode'

import type {DomainSettings, ServerSettings} from '../settings/model.js'

type Node = Record<string, unknown>
type Child = Node | string | false | undefined

const VOID = ['meta', 'input', 'br', 'link']

function h(tag: string, attrs: Record<string, string | undefined>, ...children: Child[]): Node {
  const node: Node = {[tag]: children.filter((c): c is Node | string => c !== false && c !== undefined).map((c) => (typeof c === 'string' ? {'#text': c} : c))}
  const a = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => [`@_${k}`, v]))
  if (Object.keys(a).length > 0) node[':@'] = a
  return node
}

const STYLE = `
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, Segoe UI, sans-serif; color: #1a1a1a; background: #ffffff; max-width: 46rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input { font: inherit; padding: .5rem; width: 100%; max-width: 24rem; box-sizing: border-box; border: 1px solid #595959; border-radius: 4px; color: #1a1a1a; background: #ffffff; }
button { font: inherit; margin-top: .75rem; padding: .5rem 1rem; border: 0; border-radius: 4px; color: #ffffff; background: #0b57d0; cursor: pointer; }
button:focus, input:focus { outline: 3px solid #1a1a1a; outline-offset: 2px; }
.qr { width: 12rem; height: 12rem; }
table { border-collapse: collapse; margin-top: .5rem; }
th, td { text-align: left; padding: .25rem 1rem .25rem 0; border-bottom: 1px solid #d0d0d0; }
p.hint { color: #404040; }
`

export const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`

/** The page's Content-Security-Policy: nothing but its own inline style, forms only to itself. */
export const PAGE_CSP = `default-src 'none'; style-src ${PAGE_STYLE_HASH}; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`

const builder = new XMLBuilder({preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', unpairedTags: VOID, suppressUnpairedNode: false, suppressEmptyNode: false, format: false})
const svgParser = new XMLParser({preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_'})

const MODE: Record<string, string> = {ssl: 'SSL/TLS (implicit TLS)', starttls: 'STARTTLS', none: 'none'}

function serverRows(role: string, s: ServerSettings): Node {
  const username = s.username === '%EMAILADDRESS%' ? 'your full email address' : s.username === '%EMAILLOCALPART%' ? 'the part of your address before @' : s.username.includes('%') ? `${s.username} (with your address filled in)` : s.username
  return h('tr', {}, h('th', {scope: 'row'}, `${role} (${s.protocol.toUpperCase()})`), h('td', {}, s.host), h('td', {}, String(s.port)), h('td', {}, MODE[s.security] ?? s.security), h('td', {}, username))
}

export interface PageInput {
  organization: string
  /** The domains whose manual settings are shown (the Host's, or all). */
  domains: readonly DomainSettings[]
  /** Absolute URL the QR code encodes: the profile download, or this page when no address is known yet. */
  profileUrl: string
  /** The address the form starts with (from ?emailaddress=, already validated), if any. */
  emailAddress?: string
}

export async function renderPage(input: PageInput): Promise<Buffer> {
  const svg = await QRCode.toString(input.profileUrl, {type: 'svg', margin: 2, errorCorrectionLevel: 'M'})
  const qr = (svgParser.parse(svg) as Node[])[0]!
  qr[':@'] = {...(qr[':@'] as object), '@_class': 'qr', '@_role': 'img', '@_aria-label': `QR code of ${input.profileUrl}`}
  const title = `Mail settings — ${input.organization}`
  const body = h('body', {},
    h('main', {},
      h('h1', {}, title),
      h('p', {}, 'Set up your mail account on iPhone, iPad or Mac with one download: enter your address, download the profile, then open Settings (iPhone, iPad) or System Settings (Mac) to install it.'),
      h('form', {method: 'get', action: '/mobileconfig'},
        h('label', {for: 'emailaddress'}, 'Your email address'),
        h('input', {id: 'emailaddress', name: 'emailaddress', type: 'email', required: 'required', autocomplete: 'email', inputmode: 'email', value: input.emailAddress}),
        h('br', {}),
        h('button', {type: 'submit'}, 'Download the profile')),
      h('h2', {}, 'Reading this on a computer?'),
      h('p', {}, input.emailAddress ? 'Scan this code with the iPhone or iPad camera to download the profile there:' : 'Scan this code with the iPhone or iPad camera to open this page there (or enter your address above for a code of your own profile):'),
      qr,
      h('p', {class: 'hint'}, input.profileUrl),
      h('h2', {}, 'Other mail apps'),
      h('p', {}, 'Thunderbird and Outlook find these settings by themselves. For any other app, enter them by hand:'),
      ...input.domains.map((d) => h('section', {'aria-label': d.displayName},
        h('h3', {}, `${d.displayName} (@${d.domain})`),
        h('table', {},
          h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Server'), h('th', {scope: 'col'}, 'Host'), h('th', {scope: 'col'}, 'Port'), h('th', {scope: 'col'}, 'Encryption'), h('th', {scope: 'col'}, 'User name'))),
          h('tbody', {}, serverRows('Incoming', d.incoming), serverRows('Outgoing', d.outgoing))))),
    ))
  const doc = [h('html', {lang: 'en'},
    h('head', {}, h('meta', {charset: 'utf-8'}), h('meta', {name: 'viewport', content: 'width=device-width, initial-scale=1'}), h('title', {}, title), h('style', {}, STYLE)),
    body)]
  return Buffer.from(`<!DOCTYPE html>\n${builder.build(doc) as string}\n`, 'utf8')
}
