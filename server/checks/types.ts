// The vocabulary of live service checks: STARTTLS kinds, verdicts (best to worst), and the JSON a check reports.

/** How a probe reaches TLS: directly (`none`) or through the protocol's STARTTLS. */
export const STARTTLS_KINDS = ['none', 'smtp', 'xmpp-client', 'xmpp-server', 'imap', 'pop3'] as const;
export type StartTlsKind = (typeof STARTTLS_KINDS)[number];

/**
 * Endpoint verdicts, best first. A service's verdict is its worst endpoint's: the order follows
 * how far a probe got (an endpoint that cannot even be reached is worst).
 */
export const VERDICTS = ['match', 'mismatch', 'starttls-unavailable', 'tls-failed', 'unreachable'] as const;
export type Verdict = (typeof VERDICTS)[number];

export function worstVerdict(vs: readonly Verdict[]): Verdict {
  let worst = 0;
  for (const v of vs) worst = Math.max(worst, VERDICTS.indexOf(v));
  return VERDICTS[worst];
}

/** One certificate of the chain as the server sent it. Hashes are lowercase hex. */
export interface CertJson {
  subject: string;
  issuer: string;
  sans: string[];
  notBefore: string;
  notAfter: string;
  certSha256: string;
  spkiSha256: string;
}

export interface TlsJson {
  version: string;
  cipher: string;
  /** The key exchange group (X25519, P-256, ffdhe2048…); null without an ephemeral key exchange. */
  group: string | null;
}

export interface EndpointJson {
  /** ADDR:PORT, IPv6 in brackets. */
  address: string;
  verdict: Verdict;
  /** Why the verdict is not `match`, in words. */
  reason?: string;
  tls: TlsJson | null;
  chain: CertJson[];
  /** The TLSA records that matched, in presentation form. */
  matched: string[];
  warnings: string[];
}

/** What `service check --json` prints and the API returns. */
export interface CheckJson {
  name: string;
  verdict: Verdict;
  /** ISO 8601. */
  checkedAt: string;
  endpoints: EndpointJson[];
  /** Why there was no endpoint to probe. */
  reason?: string;
}

export type EventLevel = 'critical' | 'warning' | 'notice';

/** An event as stored, listed by the API and given to the event hook. */
export interface CheckEvent {
  time: string;
  level: EventLevel;
  zone: string;
  service: string;
  endpoint: string | null;
  kind: string;
  message: string;
}
