/**
 * Reading bytes into YAML safely: size and encoding limits, YAML errors turned into diagnostics, the
 * comment that swallowed a `#` key, nesting depth and alias expansion limits. Nothing here throws.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { rangeAt, sourceFromText, type SourceFile } from './source.js';
import { codeInfo } from './codes.js';

/** The largest flow file read: a 1,000-step flow is about 100 KB. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Deepest nesting of maps and lists accepted. */
export const MAX_DEPTH = 64;
/** Most alias expansions accepted when building values (guards against "billion laughs"). */
export const MAX_ALIAS_COUNT = 1000;

export interface ParsedYaml {
  source: SourceFile;
  value?: unknown;
  /** Why there is no value, or warnings about a value that was read. */
  diagnostics: Diagnostic[];
}

function diag(source: SourceFile, code: string, message: string, start: number, end = start, hint?: string): Diagnostic {
  return {
    code,
    severity: codeInfo(code)?.severity ?? 'error',
    message,
    file: source.file,
    range: rangeAt(source, start, end),
    ...(hint ? { hint } : {}),
  };
}

/** The offset of the first byte that is not valid UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

// Where yaml's own wording is unclear to flow authors, say it our way.
const YAML_MESSAGES: Record<string, string> = {
  MISSING_CHAR: 'A quote or bracket is not closed',
  MULTIPLE_DOCS: 'A flow file holds one YAML document; remove the `---` separator',
  BAD_SCALAR_START: 'A value cannot start with this character; quote it',
};

/** Finds comments that start with `#:`: a key `#` written without quotes, silently dropped by YAML. */
function unquotedHashes(source: SourceFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Lexing again costs as much as parsing: only when some `#` is followed by `:`.
  if (!/#[ \t]*:/.test(source.text)) return out;
  let offset = 0;
  for (const token of new Lexer().lex(source.text)) {
    // The lexer emits a few control tokens that are not part of the text.
    if (token === '\x02' || token === '\x18' || token === '\x1f') continue;
    if (token.startsWith('#') && /^#\s*:(\s|$)/.test(token)) {
      out.push(diag(source, 'unquoted-hash', 'A key `#` without quotes is read as a comment, so this line is ignored: write `"#":`.', offset, offset + 1));
    }
    offset += token.length;
  }
  return out;
}

/** Calls `visit` for every map in the document, at any depth. */
function eachMap(source: SourceFile, visit: (map: YAMLMap) => void): void {
  const stack: unknown[] = [source.doc?.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isSeq(node)) stack.push(...node.items);
    if (!isMap(node)) continue;
    visit(node);
    for (const pair of node.items) stack.push(pair.value);
  }
}

function byOffset(a: Diagnostic, b: Diagnostic): number {
  return a.range!.start.offset - b.range!.start.offset;
}

/** Keys that appear twice in one map (YAML would silently keep the last). */
function duplicateKeys(source: SourceFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  eachMap(source, (map) => {
    const seen = new Set<string>();
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (seen.has(key)) {
        const [start, end] = (pair.key as Node | null)?.range ?? [0, 0];
        out.push(diag(source, 'duplicate-key', `The key \`${key}\` appears twice in this map; YAML would keep only the last one.`, start, end));
      }
      seen.add(key);
    }
  });
  return out.sort(byOffset);
}

/** Finds keys written as a bare `*`, which YAML reads as an alias and then fails on. */
function unquotedStars(source: SourceFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const pattern = /(^[ \t]*|[{,][ \t]*)\*[ \t]*:/gm;
  for (const m of source.text.matchAll(pattern)) {
    const offset = m.index + m[1]!.length;
    out.push(diag(source, 'unquoted-star', 'A key `*` without quotes is read as a YAML alias: write `"*":`.', offset, offset + 1));
  }
  return out;
}

/** The maps whose keys are phone keys, where YAML's number reading changes what the caller must press. */
const KEY_MAPS = new Set(['options', 'keys', 'patterns']);

/**
 * Finds unquoted phone keys YAML reads as numbers written otherwise (`01` → 1, `0x1A` → 26, `1e1` → 10):
 * the menu would silently listen for other keys. Plain digits (`12`) read as themselves and pass.
 */
function numericKeys(source: SourceFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  eachMap(source, (map) => {
    for (const pair of map.items) {
      if (!isScalar(pair.key) || !KEY_MAPS.has(String(pair.key.value)) || !isMap(pair.value)) continue;
      for (const { key } of pair.value.items) {
        if (!isScalar(key) || key.type !== 'PLAIN' || typeof key.value !== 'number') continue;
        const written = String(key.source ?? '');
        if (written === String(key.value)) continue;
        const [start, end] = key.range ?? [0, 0];
        out.push(diag(source, 'numeric-key', `The key \`${written}\` is read by YAML as the number \`${String(key.value)}\`: quote it (\`"${written}":\`) so callers press what you wrote.`, start, end));
      }
    }
  });
  return out.sort(byOffset);
}

/** How a deliberate text ends; a text cut off by a comment mostly does not. */
const SENTENCE_END = /[.!?…:;)"'»]$/;

/**
 * Finds spoken texts (`text:`, or one language of a `text:` map) written without quotes and followed by a
 * comment on the same line that cut them short: `press # then 2.` says only "press". A text that ends like a
 * sentence is taken to carry a deliberate comment.
 */
function commentsInText(source: SourceFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (node: unknown) => {
    if (!isScalar(node) || node.type !== 'PLAIN' || typeof node.value !== 'string' || !node.range) return;
    const after = /^[ \t]+#/.exec(source.text.slice(node.range[1]));
    if (!after || SENTENCE_END.test(node.value)) return;
    const at = node.range[1] + after[0].length - 1;
    out.push(diag(source, 'comment-in-text', `The text \`${node.value}\` stops at a \`#\`: YAML reads the rest of the line as a comment, so callers never hear it.`, at, at + 1));
  };
  eachMap(source, (map) => {
    for (const pair of map.items) {
      if (!isScalar(pair.key) || pair.key.value !== 'text') continue;
      if (isMap(pair.value)) pair.value.items.forEach((p) => check(p.value));
      else check(pair.value);
    }
  });
  return out.sort(byOffset);
}

/** The first node nested deeper than the limit, if any. */
function tooDeep(root: unknown): Node | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth > MAX_DEPTH) return node;
    for (const item of node.items) {
      if (isPair(item)) stack.push({ node: item.value, depth: depth + 1 });
      else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

function firstAlias(root: unknown, name?: string): Node | undefined {
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (isAlias(node) && (name === undefined || node.source === name)) return node;
    // Pushed in reverse so the first alias in the text is found first.
    if (isMap(node) || isSeq(node)) for (const item of [...node.items].reverse()) stack.push(isPair(item) ? item.value : item);
  }
  return undefined;
}

/**
 * Reads a flow file's bytes or text into a plain value, or diagnostics explaining why it cannot.
 * @example parseYamlText('flow: x\n', 'x.yaml').value // { flow: 'x' }
 */
export function parseYamlText(input: string | Uint8Array, file: string): ParsedYaml {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > MAX_FILE_BYTES) {
    const source = sourceFromText(file, '');
    return { source, diagnostics: [diag(source, 'file-too-large', `The file is ${(size / 1024 / 1024).toFixed(1)} MB; flow files may be at most 1 MB.`, 0)] };
  }
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const bad = firstInvalidUtf8(input);
    text = Buffer.from(input).toString('utf8');
    if (bad >= 0) {
      const source = sourceFromText(file, text);
      const offset = Buffer.from(input.subarray(0, bad)).toString('utf8').length;
      const byte = input[bad]!.toString(16).toUpperCase().padStart(2, '0');
      return { source, diagnostics: [diag(source, 'not-utf8', `Byte \`0x${byte}\` is not UTF-8 text: save the file as UTF-8.`, offset)] };
    }
  }
  // Editors hide a byte-order mark and count columns after it, so positions are those of the text without it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const bare = sourceFromText(file, text);
  if (!text.replace(/#.*$/gm, '').trim()) return { source: bare, diagnostics: [diag(bare, 'empty-file', 'The file is empty: a flow needs `flow`, `language`, `start` and `steps`.', 0)] };

  const lineCounter = new LineCounter();
  // Duplicate keys are found below in one linear pass; yaml's own check compares every pair in a map.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const source: SourceFile = { file, text, lineCounter, doc };
  const diagnostics: Diagnostic[] = unquotedHashes(source);
  // A swallowed `#` explains the syntax errors after it, and an unquoted `*` key explains its own.
  let syntaxSeen = false;
  const firstHash = diagnostics[0]?.range?.start.offset ?? Infinity;
  if (doc.errors.length) {
    const star = unquotedStars(source);
    diagnostics.push(...star);
    if (star.length) syntaxSeen = true;
  }
  for (const error of doc.errors) {
    const [start, end] = error.pos;
    if (error.code === 'TAB_AS_INDENT') {
      diagnostics.push(diag(source, 'tab-indent', 'A tab is used for indentation: YAML indents with spaces only.', start, end));
    } else if (error.code === 'RESOURCE_EXHAUSTION') {
      if (diagnostics.some((d) => d.code === 'too-deep')) continue;
      diagnostics.push(diag(source, 'too-deep', `The document is nested too deeply (more than ${MAX_DEPTH} levels).`, start, end));
    } else if (!syntaxSeen && start < firstHash) {
      // Later syntax errors are mostly echoes of the first one; report that one alone.
      syntaxSeen = true;
      const plain = YAML_MESSAGES[error.code] ?? error.message.split(' at line ')[0]!.replace(/\.$/, '');
      diagnostics.push(diag(source, 'yaml-syntax', `${plain}.`, start, end));
    }
  }
  // A key read as a number explains the duplicate it may make (`010` and `1e1` are both 10).
  if (!diagnostics.length) diagnostics.push(...numericKeys(source));
  if (!diagnostics.length) diagnostics.push(...duplicateKeys(source));
  if (diagnostics.length) return { source, diagnostics };
  const deep = tooDeep(doc.contents);
  if (deep) {
    const [start, end] = deep.range ?? [0, 0];
    return { source, diagnostics: [diag(source, 'too-deep', `The document is nested too deeply (more than ${MAX_DEPTH} levels).`, start, end)] };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const unresolved = /^Unresolved alias.*: (.+)$/.exec((error as Error).message)?.[1];
    if (unresolved !== undefined) {
      const [start, end] = firstAlias(doc.contents, unresolved)?.range ?? [0, 0];
      const message = `The alias \`*${unresolved}\` names no anchor: YAML reads \`*\` as "the value marked \`&${unresolved}\` above", and there is none.`;
      return { source, diagnostics: [diag(source, 'unknown-alias', message, start, end)] };
    }
    const alias = firstAlias(doc.contents);
    const [start, end] = alias?.range ?? [0, 0];
    const message = error instanceof ReferenceError ? 'The aliases in this file expand to too many copies (a "billion laughs" document).' : `The file cannot be read as data: ${(error as Error).message}.`;
    return { source, diagnostics: [diag(source, error instanceof ReferenceError ? 'alias-bomb' : 'yaml-syntax', message, start, end)] };
  }
  if (value === null || value === undefined) return { source, diagnostics: [diag(source, 'empty-file', 'The file is empty: a flow needs `flow`, `language`, `start` and `steps`.', 0)] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    const [start, end] = (doc.contents as Node | null)?.range ?? [0, 0];
    const what = Array.isArray(value) ? 'a list' : 'a single value';
    return { source, diagnostics: [diag(source, 'not-a-map', `The file holds ${what}, but a flow is a map with \`flow\`, \`language\`, \`start\` and \`steps\` at the top.`, start, end)] };
  }
  return { source, value, diagnostics: commentsInText(source) };
}
