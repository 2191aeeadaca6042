/**
 * A flow file's text with its YAML document and line index, so diagnostics that carry only a JSON pointer
 * can be placed at `file:line:col` when printed.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import { pointerSegments, type Position, type Range } from './diagnostics.js';

export interface SourceFile {
  file: string;
  text: string;
  lineCounter: LineCounter;
  /** The parsed document, when the text was YAML. */
  doc?: Document.Parsed;
}

/** Makes a source for a text (the line index is filled by the YAML parser, or here when it was not run). */
export function sourceFromText(file: string, text: string): SourceFile {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  return { file, text, lineCounter };
}

/** The 1-based line and column of a character offset. */
export function positionAt(source: SourceFile, offset: number): Position {
  const o = Math.max(0, Math.min(offset, source.text.length));
  const { line, col } = source.lineCounter.linePos(o);
  return { line, col, offset: o };
}

/** A range from two offsets. */
export function rangeAt(source: SourceFile, start: number, end: number = start): Range {
  return { start: positionAt(source, start), end: positionAt(source, Math.max(start, end)) };
}

/**
 * The range of the node a JSON pointer names: its key when `atKey`, else its value. When the pointer goes
 * further than the document (a missing property), the deepest node found is used.
 */
export function locate(source: SourceFile, ptr: string, atKey = false): Range | undefined {
  const doc = source.doc;
  if (!doc) return undefined;
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  for (const seg of pointerSegments(ptr)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg);
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
      if (node === null || node === undefined) {
        node = keyNode;
      }
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      keyNode = item as Node;
      node = item;
    } else break;
  }
  const target = (atKey ? keyNode : undefined) ?? (node as Node | null | undefined);
  const range = target && (target as Node).range;
  if (!range) return rangeAt(source, 0);
  return rangeAt(source, range[0], range[1]);
}
