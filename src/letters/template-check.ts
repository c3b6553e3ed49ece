import nunjucks from 'nunjucks';
import { parseDocument } from 'htmlparser2';
import type { ChildNode } from 'domhandler';

/**
 * A school's own wording of a template is Nunjucks source typed on a page, and Nunjucks is no
 * sandbox: `{{ range.constructor("…")() }}` runs code in the service. So a wording is read as a
 * tree first and kept to a small language: the documented merge fields (checked against the
 * shape of the sample case's data), if / for / blocks, the layouts and partials we ship, and the
 * letter filters. No function calls, no `set`, no macros or imports, no computed `[ … ]` keys, no
 * regular expressions, loops at most two deep, and in the wording's own markup only the tags a
 * letter draws (no scripts, links, images or styles). Anything else is refused, naming its line.
 */

export const MAX_SOURCE_CHARS = 20_000;
const MAX_LOOP_DEPTH = 2;

export class TemplateRefusal extends Error {
  override name = 'TemplateRefusal';
  constructor(
    /** 1-based line of the wording, when the problem has one. */
    readonly line: number | null,
    message: string,
  ) {
    super(line ? `line ${line}: ${message}` : message);
  }
}

/** The shape of the data a letter is rendered with: which names exist below which. */
export type Shape = { kind: 'object'; keys: Record<string, Shape> } | { kind: 'array'; item: Shape } | { kind: 'value' } | { kind: 'unknown' };

const UNKNOWN: Shape = { kind: 'unknown' };
const VALUE: Shape = { kind: 'value' };

function merge(a: Shape, b: Shape): Shape {
  if (a.kind === 'unknown') return b;
  if (b.kind === 'unknown') return a;
  if (a.kind === 'object' && b.kind === 'object') {
    const keys = { ...a.keys };
    for (const [key, shape] of Object.entries(b.keys)) keys[key] = keys[key] ? merge(keys[key], shape) : shape;
    return { kind: 'object', keys };
  }
  if (a.kind === 'array' && b.kind === 'array') return { kind: 'array', item: merge(a.item, b.item) };
  return a;
}

/** The shape of a sample's data; a null (a notice not yet issued) says nothing of what is below it. */
export function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return UNKNOWN;
  if (Array.isArray(value)) return { kind: 'array', item: value.map(shapeOf).reduce(merge, UNKNOWN) };
  if (value instanceof Date || typeof value !== 'object') return VALUE;
  return { kind: 'object', keys: Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shapeOf(inner)])) };
}

const LOOP: Shape = { kind: 'object', keys: Object.fromEntries(['index', 'index0', 'revindex', 'revindex0', 'first', 'last', 'length'].map((key) => [key, VALUE])) };

/** Filters a wording may use: the letter ones (render.ts) and Nunjucks' plain text ones. */
export const WORDING_FILTERS = ['longDate', 'shortDate', 'pct', 'pounds', 'join', 'length', 'upper', 'lower', 'capitalize', 'title', 'first', 'last', 'default', 'round', 'int', 'abs', 'trim', 'truncate'];
const TESTS = new Set(['defined', 'undefined', 'none', 'null', 'number', 'string', 'odd', 'even', 'truthy', 'falsy']);
/** A layout, or a model letter (a school's wording of Letter B may start from its model, as the model does). */
const EXTENDABLE = /^(layouts|[a-z0-9-]+)\/[a-z0-9-]+\.njk$/;
const PARTIAL = /^partials\/[a-z0-9-]+\.njk$/;
/** Names that lead out of the data into the JavaScript beneath it. */
const FORBIDDEN_KEY = /^(constructor|prototype|__.*|.*__)$/;
const EXPRESSIONS = new Set(['Group', 'And', 'Or', 'Not', 'In', 'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Neg', 'Pos', 'Concat', 'Compare', 'CompareOperand', 'InlineIf', 'Array', 'KeywordArgs', 'Pair']);
/** The tags a letter is drawn with (letters/pdf.ts), and the only attributes they may carry. */
const TAGS = new Set(['p', 'br', 'strong', 'em', 'b', 'i', 'u', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'section', 'span', 'div', 'small']);
const ATTRIBUTES = new Set(['class', 'colspan', 'rowspan', 'scope']);

interface Node {
  typename: string;
  lineno: number;
  fields: string[];
  value?: unknown;
  [field: string]: unknown;
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && typeof (value as Node).typename === 'string';
const children = (node: Node): Node[] => node.fields.flatMap((field) => [node[field]].flat()).filter(isNode);

interface Walk {
  data: Shape & { kind: 'object' };
  scope: Map<string, Shape>;
  loops: number;
  markup: { text: string; line: number }[];
}

/** Parses and checks a wording; throws a TemplateRefusal naming the line of the first problem. */
export function checkWording(source: string, data: Shape): void {
  if (source.length > MAX_SOURCE_CHARS) throw new TemplateRefusal(null, `the wording is ${source.length} characters long; the most a letter takes is ${MAX_SOURCE_CHARS}`);
  if (source.includes('\0')) throw new TemplateRefusal(null, 'the wording contains a NUL character');
  if (data.kind !== 'object') throw new Error('the letter data must be an object');
  let root: Node;
  try {
    root = (nunjucks as unknown as { parser: { parse(src: string, extensions: unknown[], options: object): Node } }).parser.parse(source, [], {});
  } catch (error) {
    throw refusalOf(error, source);
  }
  const walk: Walk = { data, scope: new Map(), loops: 0, markup: [] };
  for (const node of children(root)) statement(node, walk);
  checkMarkup(walk.markup);
}

/**
 * A Nunjucks error ("(path) [Line 3, Column 5]\n  message") as a refusal naming its line; one in a
 * layout or partial it uses names that file. A tag never closed is found at the end of the wording.
 */
export function refusalOf(error: unknown, source = ''): TemplateRefusal {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^(?:Template render error: )?\(([^)\n]*)\)(?: \[Line (\d+), Column \d+\])?\s*([\s\S]*)$/.exec(message);
  const text = (match?.[3] ?? message).replace(/^\s*(Template render error|Error):\s*/, '').replace(/\s+/g, ' ').trim();
  const file = match?.[1] ?? '';
  if (file.endsWith('.njk') && match?.[2]) return new TemplateRefusal(null, `in ${file}, line ${match[2]}: ${text}`);
  // The parser's own errors carry their (1-based) line, unformatted; a tag left open is found at the end.
  const own = (error as { lineno?: unknown } | null)?.lineno;
  const atEnd = /end of file/.test(text) ? source.split('\n').length : null;
  return new TemplateRefusal(match?.[2] ? Number(match[2]) : typeof own === 'number' ? own : atEnd, text);
}

const fail = (node: Node, message: string): never => {
  throw new TemplateRefusal(node.lineno + 1, message);
};

function statement(node: Node, walk: Walk): void {
  switch (node.typename) {
    case 'NodeList':
    case 'Output':
      return children(node).forEach((child) => statement(child, walk));
    case 'TemplateData':
      walk.markup.push({ text: String(node.value ?? ''), line: node.lineno + 1 });
      return;
    case 'Extends':
    case 'Include': {
      const name = (node.template as Node | undefined)?.value;
      const literal = (node.template as Node | undefined)?.typename === 'Literal' && typeof name === 'string';
      if (node.typename === 'Extends' && !(literal && EXTENDABLE.test(name))) fail(node, 'a wording extends a layout or a model letter, by name ("layouts/letter.njk")');
      if (node.typename === 'Include') {
        if (!(literal && PARTIAL.test(name))) fail(node, 'a wording includes only the partials we ship, by name ("partials/attendance-record.njk")');
        if (walk.loops > 0) fail(node, 'a partial cannot be included inside a loop');
      }
      return;
    }
    case 'Block':
      return statement(node.body as Node, walk);
    case 'If':
      expression(node.cond as Node, walk);
      statement(node.body as Node, walk);
      if (isNode(node.else_)) statement(node.else_, walk);
      return;
    case 'For': {
      if (walk.loops >= MAX_LOOP_DEPTH) fail(node, `loops go at most ${MAX_LOOP_DEPTH} deep in a letter`);
      const over = expression(node.arr as Node, walk);
      const name = node.name as Node;
      if (name.typename !== 'Symbol') fail(node, 'a loop names one item: {% for item in list %}');
      const inner: Walk = { ...walk, scope: new Map(walk.scope).set(String(name.value), over.kind === 'array' ? over.item : UNKNOWN).set('loop', LOOP), loops: walk.loops + 1 };
      statement(node.body as Node, inner);
      if (isNode(node.else_)) statement(node.else_, walk);
      return;
    }
    default:
      expression(node, walk);
  }
}

function describe(typename: string): string {
  const words: Record<string, string> = {
    FunCall: 'calling a function',
    Set: '{% set %}',
    Macro: '{% macro %}',
    Import: '{% import %}',
    FromImport: '{% from … import %}',
    Caller: '{% call %}',
    CallExtension: 'extensions',
    Capture: '{% set %} blocks',
    Switch: '{% switch %}',
    Filter: 'that filter',
  };
  return words[typename] ?? typename;
}

/** Checks an expression and returns the shape of what it gives. */
function expression(node: Node, walk: Walk): Shape {
  switch (node.typename) {
    case 'Literal':
      if (node.value instanceof RegExp) fail(node, 'regular expressions are not available in a letter');
      return VALUE;
    case 'Symbol': {
      const name = String(node.value);
      const shape = walk.scope.get(name) ?? walk.data.keys[name];
      if (!shape || FORBIDDEN_KEY.test(name)) fail(node, `'${name}' is not a merge field`);
      return shape as Shape;
    }
    case 'LookupVal':
      return lookup(node, walk);
    case 'Filter': {
      const name = String((node.name as Node).value);
      if (!WORDING_FILTERS.includes(name)) fail(node, `the filter '${name}' is not available in a letter (these are: ${WORDING_FILTERS.join(', ')})`);
      children(node.args as Node).forEach((arg) => expression(arg, walk));
      return name === 'length' ? VALUE : UNKNOWN;
    }
    case 'Is': {
      expression(node.left as Node, walk);
      const test = node.right as Node;
      if (test.typename !== 'Symbol' || !TESTS.has(String(test.value))) fail(node, `a test is one of: ${[...TESTS].join(', ')}`);
      return VALUE;
    }
    case 'NodeList':
      children(node).forEach((child) => expression(child, walk));
      return VALUE;
    default:
      if (!EXPRESSIONS.has(node.typename)) fail(node, `${describe(node.typename)} is not available in a letter: use the merge fields, if and for`);
      children(node).forEach((child) => expression(child, walk));
      return UNKNOWN;
  }
}

/** `pupil.forename`, `record.weeks[0]`: each name must be a field below the one before it. */
function lookup(node: Node, walk: Walk): Shape {
  const path: string[] = [];
  let target = node;
  const keys: Node[] = [];
  while (target.typename === 'LookupVal') {
    keys.unshift(target.val as Node);
    target = target.target as Node;
  }
  let shape = expression(target, walk);
  path.push(target.typename === 'Symbol' ? String(target.value) : '…');
  for (const keyNode of keys) {
    if (keyNode.typename !== 'Literal' || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) fail(node, 'write a field out by name (pupil.forename), not with [ … ] and a value');
    const key = String(keyNode.value);
    if (FORBIDDEN_KEY.test(key)) fail(node, `'${key}' is not a merge field`);
    const field = `${path.join('.')}.${key}`;
    if (shape.kind === 'object') {
      const next = Object.hasOwn(shape.keys, key) ? shape.keys[key] : undefined;
      if (!next) fail(node, `'${field}' is not a merge field`);
      shape = next!;
    } else if (shape.kind === 'array') {
      if (key === 'length') shape = VALUE;
      else if (/^\d+$/.test(key)) shape = shape.item;
      else fail(node, `'${field}' is not a merge field ('${path.join('.')}' is a list: use {% for %})`);
    } else if (shape.kind === 'value') {
      if (key !== 'length') fail(node, `'${field}' is not a merge field`);
    }
    path.push(key);
  }
  return shape;
}

/** The wording's own markup, its expressions stood in for: only the tags a letter draws. */
function checkMarkup(pieces: { text: string; line: number }[]): void {
  const markup = pieces.map((piece) => piece.text).join('x');
  // The line of a place in the joined markup: its piece's line, and the newlines before it there.
  const lineAt = (offset: number): number | null => {
    let start = 0;
    for (const piece of pieces) {
      if (offset < start + piece.text.length + 1) return piece.line + (piece.text.slice(0, offset - start).match(/\n/g)?.length ?? 0);
      start += piece.text.length + 1;
    }
    return null;
  };
  const visit = (node: ChildNode): void => {
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') return;
    const line = lineAt(node.startIndex ?? 0);
    if (!TAGS.has(node.name)) throw new TemplateRefusal(line, `a letter cannot hold <${node.name}>: use ${[...TAGS].map((tag) => `<${tag}>`).join(' ')}`);
    const attribute = Object.keys(node.attribs).find((name) => !ATTRIBUTES.has(name));
    if (attribute) throw new TemplateRefusal(line, `<${node.name} ${attribute}="…"> is not available in a letter (only ${[...ATTRIBUTES].join(', ')})`);
    node.children.forEach(visit);
  };
  parseDocument(markup, { withStartIndices: true }).children.forEach(visit);
}
