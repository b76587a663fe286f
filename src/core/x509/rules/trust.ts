/**
 * Trust and anchor: does the chain, as sent, reach a root Apple trusts (or one the admin trusts)?
 * distrusted-root, self-signed, untrusted-root, incomplete-chain, private-root. `trustProblem` also
 * gives the reason the Apple verdict (ChainTrust.apple.reason) states.
 */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {appleAlert, appleAlertText} from '../alerts.js'
import type {ParsedCertificate} from '../certificate.js'
import {type ChainContext, bothAlerts, label, sameCert, trustRootAdvice} from '../chain-context.js'
import {MAX_CHAIN_CERTIFICATES} from '../chain.js'
import {certificateName, issuerName} from '../names.js'
import {entryFingerprint} from '../trust-store.js'
import type {ChainRule} from './types.js'

export interface TrustProblem {
  finding?: Finding
  /** Why Apple's store does not trust the chain, when it does not. */
  appleReason?: string
}

/** The trust finding of a chain, and the reason for the Apple verdict. */
export function trustProblem(ctx: ChainContext): TrustProblem {
  const {host, store, applePath, mozillaPath, anchor, leaf} = ctx
  const last = applePath.path[applePath.path.length - 1]!
  if (ctx.removedRoot) {
    const name = store.removed.nameOf(ctx.removedRoot)
    return {
      appleReason: `the chain ends at "${name}", a root Apple removed from its trust store`,
      finding: finding('distrusted-root', {
        message: `The chain ends at "${name}" (SHA-256 ${entryFingerprint(ctx.removedRoot)}), a root Apple removed from its trust store (version ${store.version}). ${appleAlert(host)}`,
        fix: 'Get a certificate from a CA whose root is in Apple\'s current trust store, and serve that CA\'s current intermediates.',
      }),
    }
  }
  if (applePath.end === 'self-signed' && applePath.path.length === 1) {
    return {
      appleReason: 'the server certificate is self-signed',
      finding: finding('self-signed', {
        message: `The server certificate "${certificateName(leaf.info)}" is self-signed, so no device can verify it. ${bothAlerts(host)}`,
        fix: `Use a certificate from a public CA (e.g. Let's Encrypt) for ${host}, or issue one from a private CA and ${trustRootAdvice(ctx).replace(/^pass it/, 'pass that CA')}.`,
      }),
    }
  }
  if (applePath.end === 'self-signed') {
    return {
      appleReason: `the chain ends at "${certificateName(last.info)}", which is not in Apple's trust store`,
      finding: finding('untrusted-root', {
        message: `The chain ends at the root "${certificateName(last.info)}" (SHA-256 ${last.info.sha256}), which is neither in Apple's trust store (version ${store.version}) nor among the CA files you trust. ${bothAlerts(host)}`,
        fix: `Use a certificate from a CA Apple trusts, or, if this is your private CA, ${trustRootAdvice(ctx)}.`,
      }),
    }
  }
  if (applePath.end === 'missing-issuer' && mozillaPath.anchor && !mozillaPath.anchor.sent && !trustedNonRoot(ctx, last)) {
    const name = ctx.mozillaStore.nameOf(mozillaPath.anchor.entry)
    return {
      appleReason: `the chain's root "${name}" is not in Apple's trust store`,
      finding: finding('untrusted-root', {
        message: `The chain ends at the root "${name}", which Mozilla's store trusts but Apple's trust store (version ${store.version}) does not. ${appleAlert(host)}`,
        fix: 'Use a certificate from a CA whose root is in Apple\'s trust store.',
      }),
    }
  }
  if (applePath.end === 'missing-issuer') return missingIssuer(ctx)
  if (ctx.privateRoot && anchor) {
    const name = ctx.extra.nameOf(anchor.entry)
    const leafIsRoot = anchor.sent && sameCert(anchor.parsed, leaf)
    if (ctx.inProfile.has(anchor.entry.sha256)) {
      return {
        finding: finding('private-root-embedded', {
          message:
            `The chain ends at your private root "${name}" (SHA-256 ${entryFingerprint(anchor.entry)}), which ${ctx.trustInput === 'profile' ? 'this profile installs' : 'the profile carries (trust.caFiles)'}. ` +
            'Devices trust the server once the profile is installed; unless an MDM installs it, users must turn on full trust for the root in Settings → General → About → Certificate Trust Settings.',
        }),
      }
    }
    return {
      finding: finding('private-root', {
        message:
          `The chain ends at "${name}" (SHA-256 ${entryFingerprint(anchor.entry)}), ${leafIsRoot ? 'a self-signed certificate' : 'a private root'} you trust but Apple does not. ` +
          `Until it is installed and trusted, iPhone, iPad and Mac Mail show ${appleAlertText(host)} The profile must carry it as a certificate payload, and users must then enable full trust for it in Settings → General → About → Certificate Trust Settings unless the profile is installed by MDM.`,
        fix: 'Keep it in the settings (trust.caFiles) so `mailprofile build` embeds it in the profile; deploy the profile by MDM, or tell users to turn on full trust for the root after installing it.',
      }),
    }
  }
  return {}
}

/** A certificate with the issuer's name whose key did not sign `cert`: sent, or in a store. */
function namedIssuer(ctx: ChainContext, cert: ParsedCertificate): ParsedCertificate | undefined {
  const onPath = new Set(ctx.applePath.path)
  return (
    ctx.sent.find((c) => !onPath.has(c) && c.subjectKey === cert.issuerKey && !sameCert(c, cert)) ??
    [ctx.store.roots, ctx.extra, ctx.mozillaStore].flatMap((index) => index.namedIssuersOf(cert))[0]
  )
}

/** A certificate the admin trusts that is on the path or issued its top, but is not self-signed. */
function trustedNonRoot(ctx: ChainContext, last: ParsedCertificate): ParsedCertificate | undefined {
  for (const c of ctx.applePath.path) if (ctx.notRoots.contains(c)) return c
  return ctx.notRoots.issuerOf(last)?.parsed
}

function missingIssuer(ctx: ChainContext): TrustProblem {
  const {host, applePath} = ctx
  const last = applePath.path[applePath.path.length - 1]!
  const issuer = issuerName(last.info)
  const given = trustedNonRoot(ctx, last)
  if (given) {
    return {
      appleReason: `"${certificateName(given.info)}", which you trust as a CA, is not a root, and the chain reaches no root Apple or you trust`,
      finding: finding('trusted-ca-not-root', {
        message:
          `You trust "${certificateName(given.info)}" as a CA (--ca or trust.caFiles), but it is not a root: it is issued by "${issuerName(given.info)}". ` +
          `Devices use only self-signed roots as trust anchors (a profile embeds this one as com.apple.security.pkcs1, which anchors nothing), so ${appleAlert(host)}`,
        fix: `Put the root "${issuerName(given.info)}" (the self-signed certificate at the top of the chain) in trust.caFiles and --ca instead of "${certificateName(given.info)}".`,
      }),
    }
  }
  if (ctx.truncated) {
    return {
      appleReason: `the server sends more than ${MAX_CHAIN_CERTIFICATES} certificates and the chain does not end within them`,
      finding: finding('chain-too-long', {
        message: `The server sends more than ${MAX_CHAIN_CERTIFICATES} certificates; mailprofile judges the first ${MAX_CHAIN_CERTIFICATES}, and the chain does not reach a trusted root within them. Clients bound chain length and size too. ${appleAlert(host)}`,
      }),
    }
  }
  const impostor = namedIssuer(ctx, last)
  if (impostor) {
    return {
      appleReason: `the signature of "${certificateName(last.info)}" does not verify with the key of "${certificateName(impostor.info)}"`,
      finding: finding('chain-signature-invalid', {
        message:
          `${label(ctx, last)} names "${issuer}" as its issuer, but its signature does not verify with the key of the certificate by that name (SHA-256 ${impostor.info.sha256}${ctx.sent.includes(impostor) ? ', sent by the server' : ', from a trust store'}): ` +
          `the chain is damaged or mixes certificates from before and after a CA key change. ${bothAlerts(host)}`,
      }),
    }
  }
  const aia = last.info.caIssuers?.[0]
  const known = !!aia
  // No download address and no public store that knows the issuer: it may well be a private root.
  if (!known && !ctx.mozillaPath.anchor) {
    return {
      appleReason: `the chain's issuer "${issuer}" was not sent and is in no trust store`,
      finding: finding('incomplete-chain', {
        message:
          `The server sends ${label(ctx, last).replace(/^The/, 'the')}, issued by "${issuer}", which the server does not send and no trust store holds. ` +
          `If "${issuer}" is your private root, it is simply not trusted yet: ${trustRootAdvice(ctx)}. If it is an intermediate CA, the server must send it: iOS Mail does not download missing intermediates, so ${appleAlert(host)} Outlook on Windows and browsers may fetch it themselves, which hides the problem.`,
        fix: `If "${issuer}" is your private root: ${trustRootAdvice(ctx)}. If it is an intermediate: configure the server to send its certificate followed by "${issuer}" (Dovecot ssl_cert, Postfix smtpd_tls_chain_files).`,
      }),
    }
  }
  return {
    appleReason: `the server does not send the certificate of "${issuer}", which issued "${certificateName(last.info)}"`,
    finding: finding('incomplete-chain', {
      message:
        `The server sends ${label(ctx, last).replace(/^The/, 'the')} but not the certificate of its issuer "${issuer}"` +
        (known ? `, an intermediate CA${aia ? ` (the certificate names where to download it: ${aia})` : ''}. ` : ` — an intermediate CA the server must send, or, if "${issuer}" is your private root, a root you have not passed with --ca. `) +
        `iOS Mail does not download missing intermediates, so ${appleAlert(host)} Outlook on Windows and browsers fetch the intermediate themselves and may connect fine, which hides the problem.`,
      fix: `Configure the server to send the full chain: its certificate followed by the intermediate "${issuer}" (e.g. Let's Encrypt's fullchain.pem; Dovecot ssl_cert, Postfix smtpd_tls_chain_files)${known ? '' : `; if "${issuer}" is your private root, pass it with --ca and list it in trust.caFiles instead`}.`,
    }),
  }
}

export const trustRule: ChainRule = {name: 'trust and anchor', check: (ctx) => {
  const f = trustProblem(ctx).finding
  return f ? [f] : []
}}
