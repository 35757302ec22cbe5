/**
 * GitHub Actions expressions, as far as gantry's workflows write them: `${{ }}` interpolation and `if:`
 * conditions with contexts (github, matrix, inputs, secrets, job, env, needs, steps), literals, ==, !=,
 * !, &&, ||, parentheses, and the functions always(), success(), failure(), cancelled(), contains(),
 * startsWith(), endsWith(), format(), toJSON(). Anything else is an error, never a guess.
 * Semantics follow https://docs.github.com/en/actions/learn-github-actions/expressions (loose equality
 * of strings ignores case; missing properties are null; && and || return an operand).
 */

export type Value = unknown;
export interface ExpressionContext {
  contexts: Record<string, Value>;
  /** The status functions' view of the job so far. */
  status: { success: boolean; failure: boolean; cancelled: boolean };
}

type Token = { kind: 'op' | 'str' | 'num' | 'id' | 'punct'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    const two = source.slice(i, i + 2);
    if (['==', '!=', '&&', '||', '<=', '>='].includes(two)) { tokens.push({ kind: 'op', text: two }); i += 2; continue; }
    if ('!<>'.includes(c)) { tokens.push({ kind: 'op', text: c }); i++; continue; }
    if ('().,[]*'.includes(c)) { tokens.push({ kind: 'punct', text: c }); i++; continue; }
    if (c === "'") {
      let text = '';
      i++;
      while (i < source.length) {
        if (source[i] === "'" && source[i + 1] === "'") { text += "'"; i += 2; continue; }
        if (source[i] === "'") break;
        text += source[i];
        i++;
      }
      if (source[i] !== "'") throw new Error(`unterminated string in expression: ${source}`);
      i++;
      tokens.push({ kind: 'str', text });
      continue;
    }
    const number = source.slice(i).match(/^-?\d+(\.\d+)?/);
    if (number) { tokens.push({ kind: 'num', text: number[0] }); i += number[0].length; continue; }
    const id = source.slice(i).match(/^[A-Za-z_][A-Za-z0-9_-]*/);
    if (id) { tokens.push({ kind: 'id', text: id[0] }); i += id[0].length; continue; }
    throw new Error(`unexpected "${c}" in expression: ${source}`);
  }
  return tokens;
}

function truthy(value: Value): boolean {
  return !(value === null || value === undefined || value === false || value === 0 || value === '' || Number.isNaN(value));
}

function looseEquals(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'number' || typeof b === 'number' || typeof a === 'boolean' || typeof b === 'boolean') return Number(a) === Number(b);
  return a === b;
}

function toText(value: Value): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function evaluate(source: string, ctx: ExpressionContext): Value {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (text?: string) => {
    const token = tokens[pos];
    if (!token || (text !== undefined && token.text !== text)) throw new Error(`expected ${text ?? 'a token'} in expression: ${source}`);
    pos++;
    return token;
  };
  const call = (name: string, args: Value[]): Value => {
    switch (name.toLowerCase()) {
      case 'always': return true;
      case 'success': return ctx.status.success;
      case 'failure': return ctx.status.failure;
      case 'cancelled': return ctx.status.cancelled;
      case 'contains': {
        const [haystack, needle] = args;
        if (Array.isArray(haystack)) return haystack.some((h) => looseEquals(h, needle));
        return toText(haystack).toLowerCase().includes(toText(needle).toLowerCase());
      }
      case 'startswith': return toText(args[0]).toLowerCase().startsWith(toText(args[1]).toLowerCase());
      case 'endswith': return toText(args[0]).toLowerCase().endsWith(toText(args[1]).toLowerCase());
      case 'format': return toText(args[0]).replace(/\{(\d+)\}/g, (_, n: string) => toText(args[Number(n) + 1]));
      case 'tojson': return JSON.stringify(args[0], null, 2);
      case 'fromjson': return JSON.parse(toText(args[0]));
      default: throw new Error(`the rehearsal does not know the expression function ${name}()`);
    }
  };
  const primary = (): Value => {
    const token = take();
    if (token.kind === 'str') return token.text;
    if (token.kind === 'num') return Number(token.text);
    if (token.text === '(') { const v = or(); take(')'); return v; }
    if (token.kind !== 'id') throw new Error(`unexpected ${token.text} in expression: ${source}`);
    if (token.text === 'true') return true;
    if (token.text === 'false') return false;
    if (token.text === 'null') return null;
    if (peek()?.text === '(') {
      take('(');
      const args: Value[] = [];
      while (peek()?.text !== ')') { args.push(or()); if (peek()?.text === ',') take(','); }
      take(')');
      // A function's result dereferences like a context: fromJSON(env.SETTINGS)[inputs.environment].role.
      return dereference(call(token.text, args));
    }
    if (!(token.text in ctx.contexts)) throw new Error(`the rehearsal has no context "${token.text}" (expression: ${source})`);
    return dereference(ctx.contexts[token.text]);
  };
  const dereference = (start: Value): Value => {
    let value = start;
    for (;;) {
      if (peek()?.text === '.') {
        take('.');
        const key = take().text;
        value = value && typeof value === 'object' ? (value as Record<string, Value>)[key] : undefined;
      } else if (peek()?.text === '[') {
        take('[');
        const key = or();
        take(']');
        value = value && typeof value === 'object' ? (value as Record<string, Value>)[toText(key)] : undefined;
      } else break;
    }
    return value ?? null;
  };
  const unary = (): Value => (peek()?.text === '!' ? (take('!'), !truthy(unary())) : primary());
  const comparison = (): Value => {
    let left = unary();
    while (peek() && ['==', '!=', '<', '>', '<=', '>='].includes(peek()?.text ?? '')) {
      const op = take().text;
      const right = unary();
      if (op === '==') left = looseEquals(left, right);
      else if (op === '!=') left = !looseEquals(left, right);
      else if (op === '<') left = Number(left) < Number(right);
      else if (op === '>') left = Number(left) > Number(right);
      else if (op === '<=') left = Number(left) <= Number(right);
      else left = Number(left) >= Number(right);
    }
    return left;
  };
  const and = (): Value => {
    let left = comparison();
    while (peek()?.text === '&&') { take('&&'); const right = comparison(); left = truthy(left) ? right : left; }
    return left;
  };
  const or = (): Value => {
    let left = and();
    while (peek()?.text === '||') { take('||'); const right = and(); left = truthy(left) ? left : right; }
    return left;
  };
  const result = or();
  if (pos !== tokens.length) throw new Error(`unexpected ${tokens[pos]?.text} in expression: ${source}`);
  return result;
}

/** Replaces each `${{ expression }}` in a string. */
export function interpolate(text: string, ctx: ExpressionContext): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => toText(evaluate(expression, ctx)));
}

/**
 * An `if:` condition: a bare expression or one wrapped in `${{ }}`. Without a status function, GitHub
 * evaluates it as `success() && (condition)`.
 */
export function condition(source: string | boolean | undefined, ctx: ExpressionContext): boolean {
  if (source === undefined) return ctx.status.success;
  if (typeof source === 'boolean') return source && ctx.status.success;
  const bare = source.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const usesStatus = /\b(always|success|failure|cancelled)\s*\(/.test(bare);
  const value = truthy(evaluate(bare, ctx));
  return usesStatus ? value : ctx.status.success && value;
}

export { truthy, toText };
