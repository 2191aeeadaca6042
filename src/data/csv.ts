/**
 * A small CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF): the first line names the columns, each
 * other line is a row. Values stay strings (`42.50` keeps its cents for money).
 * @example parseCsv('code,price\n1234,"9.99"') // [{ code: '1234', price: '9.99' }]
 */
export function parseCsv(text: string): Record<string, string>[] {
  const lines = splitRecords(text.replace(/^\uFEFF/, ''));
  const header = lines.shift();
  if (!header) return [];
  return lines
    .filter((fields) => fields.some((f) => f !== ''))
    .map((fields) => Object.fromEntries(header.map((name, i) => [name.trim(), fields[i] ?? ''])));
}

function splitRecords(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || fields.length) {
    fields.push(field);
    records.push(fields);
  }
  return records;
}
