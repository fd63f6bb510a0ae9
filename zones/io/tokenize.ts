// Master-file tokenizer (RFC 1035 §5.1): splits text into entries of tokens, handling
// parentheses, comments, quoted strings and escapes. Escapes are kept raw in token text so
// each consumer (names vs. character-strings) can interpret them itself.

export interface Token {
  /** Token text, escapes (`\X`, `\DDD`) kept as written; quotes removed. */
  text: string;
  /** True when the token was written as a quoted string. */
  quoted: boolean;
}

/** One logical line: parentheses already joined. */
export interface Entry {
  tokens: Token[];
  /** 1-based physical line where the entry starts. */
  line: number;
  /** The line began with blank space, so the owner is omitted (RFC 1035 §5.1). */
  ownerOmitted: boolean;
}

export class TokenizeError extends Error {
  constructor(readonly line: number, message: string) { super(message); }
}

/** Split master-file text into entries; empty and comment-only lines produce no entry. */
export function tokenizeEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  let line = 1;
  let depth = 0;
  let entry: Entry = { tokens: [], line: 1, ownerOmitted: false };
  let tok = '';
  let inTok = false;
  let quoted = false;
  let atLineStart = true;

  const endToken = (): void => {
    if (inTok) entry.tokens.push({ text: tok, quoted });
    tok = ''; inTok = false; quoted = false;
  };
  /** Read a quoted run starting after the opening quote; returns the index of the closing quote. */
  const readQuoted = (i: number): number => {
    const startLine = line;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '"') return i;
      if (c === '\n') throw new TokenizeError(startLine, 'unterminated quoted string');
      if (c === '\\') {
        if (i + 1 >= text.length || text[i + 1] === '\n') throw new TokenizeError(startLine, 'backslash at end of line');
        tok += c + text[i + 1]; i++;
      } else tok += c;
    }
    throw new TokenizeError(startLine, 'unterminated quoted string');
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (atLineStart) {
      atLineStart = false;
      if (depth === 0) entry = { tokens: [], line, ownerOmitted: c === ' ' || c === '\t' };
    }
    switch (c) {
      case ' ': case '\t': case '\r':
        endToken(); break;
      case '\n':
        endToken();
        if (depth === 0) {
          if (entry.tokens.length) entries.push(entry);
          entry = { tokens: [], line: line + 1, ownerOmitted: false };
        }
        line++; atLineStart = true;
        break;
      case ';':
        endToken();
        while (i + 1 < text.length && text[i + 1] !== '\n') i++;
        break;
      case '(':
        endToken(); depth++; break;
      case ')':
        endToken();
        if (--depth < 0) throw new TokenizeError(line, "unbalanced ')'");
        break;
      case '"':
        if (!inTok) {
          // A quoted string is one token even when empty.
          inTok = true; quoted = true;
          i = readQuoted(i + 1);
          endToken();
        } else {
          // `key="a b"` inside an unquoted token (RFC 9460 §2.1 SvcParams): splice the quoted run in.
          i = readQuoted(i + 1);
        }
        break;
      case '\\':
        if (i + 1 >= text.length || text[i + 1] === '\n') throw new TokenizeError(line, 'backslash at end of line');
        inTok = true; tok += c + text[i + 1]; i++;
        break;
      default:
        inTok = true; tok += c;
    }
  }
  endToken();
  if (depth > 0) throw new TokenizeError(entry.line, "unbalanced '(': end of input inside parentheses");
  if (entry.tokens.length) entries.push(entry);
  return entries;
}

/** Tokens of a single piece of text (e.g. one RDATA string from the REST API). */
export function tokenize(text: string): Token[] {
  return tokenizeEntries(text).flatMap((e) => e.tokens);
}
