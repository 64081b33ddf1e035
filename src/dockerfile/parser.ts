/**
 * The one Dockerfile parser of this package: it reads a Dockerfile the way the builders do, so the
 * policy, `verify` and the tests judge what BuildKit and Buildah will really build.
 *
 * The rules, as the builders implement them:
 * - BuildKit: moby/buildkit `frontend/dockerfile/parser/parser.go` (`Parse`, `processLine`,
 *   `trimComments`, `isComment`, `isEmptyContinuationLine`, `extractBuilderFlags`, `parseJSON`) and
 *   `directives.go` (`DirectiveParser`), https://github.com/moby/buildkit/tree/master/frontend/dockerfile/parser
 * - Buildah 1.28: `imagebuildah` reads the file with openshift/imagebuilder's copy of the Docker parser,
 *   https://github.com/openshift/imagebuilder/blob/master/dockerfile/parser/parser.go
 *
 * What both do, and this parser reproduces:
 * 1. Lines are read with Go's `bufio.Scanner` (a trailing `\r` is dropped). imagebuilder uses the
 *    scanner's default buffer, `bufio.MaxScanTokenSize` = 64 KiB: a longer line ends the scan (older
 *    versions then stop reading without an error, so the rest of the file is silently ignored).
 *    A line of more than {@link MAX_LINE_BYTES} bytes is a parse problem here.
 * 2. Parser directives: only at the very top. Each line (left-trimmed) is tried as a directive until
 *    the first line that is not one (a comment, an empty line or an instruction ends the search).
 *    Both read `# escape=<c>` with `c` either `\` (default) or `` ` ``. BuildKit also reads
 *    `# syntax=` (it swaps the frontend) and `# check=` and keeps looking for `escape` after them;
 *    imagebuilder stops at them. Those two are parse problems, as is an escape value that is not
 *    exactly `\` or `` ` `` (imagebuilder takes its first character, BuildKit rejects it).
 * 3. Comments: a line whose first non-blank character is `#` is dropped *before* continuation lines
 *    are joined, also in the middle of a continuation; so `# keep me \` joins nothing. Empty (blank)
 *    lines inside a continuation are dropped too. A `#` later in a line is not a comment.
 * 4. Continuation: a line ending in the escape character followed only by spaces or tabs continues
 *    on the next line; the escape character (and what follows it) is removed and the lines are
 *    concatenated without a separator. A continuation at the end of the file ends the instruction.
 * 5. An instruction is its first word (case-insensitive), then leading `--name=value` flags (read
 *    with `extractBuilderFlags`: quotes and `\` escapes), then the arguments. RUN, CMD, ENTRYPOINT,
 *    SHELL (and the lists of COPY, ADD, VOLUME) are exec/JSON form when the arguments parse as a
 *    JSON array of strings, shell form otherwise.
 * 6. `FROM [--platform=...] image [AS name]`; stage names are case-insensitive.
 *
 * Where the two builders read a file differently it is a parse problem, never a guess: heredocs
 * (`<<EOF`, BuildKit only), `# syntax=`/`# check=` directives, unknown instructions (imagebuilder
 * ignores them, BuildKit fails), control characters other than tab, an instruction before the first
 * FROM other than ARG, and a duplicated stage name.
 */

/** The longest physical line (bytes, without the newline) Buildah 1.28's scanner reads: 64 KiB - 1. */
export const MAX_LINE_BYTES = 64 * 1024 - 1;

/** The instructions both builders know. */
export const INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;

const JSON_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);

/** A `--name=value` flag of an instruction (`--from=build`, `--mount=type=secret,id=npmrc`). */
export interface Flag {
  readonly name: string;
  /** The value after `=`; `undefined` for a bare `--name`. */
  readonly value?: string;
}

/** One instruction, continuation lines joined the way the builders join them. */
export interface Instruction {
  /** Upper-case keyword, e.g. `RUN`. */
  readonly keyword: string;
  /** Everything after the keyword, flags included (continuations joined, trimmed). */
  readonly args: string;
  /** The instruction as written (continuation and comment lines kept), for re-rendering. */
  readonly text: string;
  /** Leading `--name=value` flags. */
  readonly flags: readonly Flag[];
  /** The arguments after the flags. */
  readonly rest: string;
  /** The exec (JSON) form, when the arguments are a JSON array of strings. */
  readonly json?: readonly string[];
  /** 1-based line numbers of the first and last physical line. */
  readonly line: number;
  readonly endLine: number;
}

/** A build stage: its FROM line and the instructions after it. */
export interface Stage {
  /** Image or stage it starts from, as written. */
  readonly from: string;
  /** `AS` name, lower-cased as the builders compare it. */
  readonly name?: string;
  /** Position among the stages (`COPY --from=0` refers to the first). */
  readonly index: number;
  /** The FROM instruction itself (its flags: `--platform`). */
  readonly fromInstruction: Instruction;
  readonly instructions: Instruction[];
}

/** A place where the text is unreadable or read differently by BuildKit and Buildah. */
export interface ParseProblem {
  /** 1-based line number. */
  readonly line: number;
  readonly message: string;
}

/** A parsed Dockerfile. */
export interface ParsedDockerfile {
  /** The escape character in effect. */
  readonly escape: '\\' | '`';
  /** Parser directives found at the top, lower-case names. */
  readonly directives: Readonly<Record<string, string>>;
  /** Instructions before the first FROM (ARG only, when valid). */
  readonly preamble: Instruction[];
  readonly stages: Stage[];
  readonly problems: ParseProblem[];
}

// Go's unicode.IsSpace (what the builders trim on the left of a line).
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEFT_SPACE = new RegExp(`^[${GO_SPACE}]+`);
const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

/** Parses a Dockerfile; never throws: what cannot be read is in `problems`. */
export function parse(text: string): ParsedDockerfile {
  const problems: ParseProblem[] = [];
  const physical = text.split('\n');
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const lines = physical.map((l, i) => {
    let s = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (i === 0 && s.startsWith('\ufeff')) s = s.slice(1);
    if (Buffer.byteLength(s, 'utf8') > MAX_LINE_BYTES) {
      problems.push({ line: i + 1, message: `line is ${Buffer.byteLength(s, 'utf8')} bytes long; Buildah reads at most ${MAX_LINE_BYTES} bytes per line and silently ignores the rest of the file` });
    }
    // eslint-disable-next-line no-control-regex
    const ctl = /[\u0000-\u0008\u000b-\u001f\u007f]/.exec(s);
    if (ctl) problems.push({ line: i + 1, message: `control character U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0')} (only tab is read the same way by every builder)` });
    return s;
  });

  // Parser directives.
  const directives: Record<string, string> = {};
  let escape: '\\' | '`' = '\\';
  let n = 0;
  for (; n < lines.length; n++) {
    const m = DIRECTIVE.exec(lines[n].replace(LEFT_SPACE, ''));
    if (!m) break;
    const key = m[1].toLowerCase();
    if (!['escape', 'syntax', 'check'].includes(key)) break;
    if (key in directives) {
      problems.push({ line: n + 1, message: `only one ${key} parser directive can be used` });
      break;
    }
    directives[key] = m[2];
    if (key === 'escape') {
      if (m[2] === '\\' || m[2] === '`') escape = m[2];
      else problems.push({ line: n + 1, message: `escape directive ${JSON.stringify(m[2])}: must be exactly \\ or \` (Buildah takes the first character, BuildKit rejects it)` });
    } else {
      problems.push({ line: n + 1, message: `"# ${key}=" parser directive: BuildKit reads it (${key === 'syntax' ? 'it swaps the Dockerfile frontend' : 'it configures build checks'}) and keeps reading directives after it, Buildah does not` });
    }
  }

  const continuation = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const isComment = (l: string) => l.replace(LEFT_SPACE, '').startsWith('#');
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i].replace(LEFT_SPACE, '');
    if (first === '' || first.startsWith('#')) continue;
    const start = i;
    let joined = first;
    let open = continuation.test(joined);
    if (open) joined = joined.replace(continuation, '');
    while (open && i + 1 < lines.length) {
      i++;
      const l = lines[i];
      if (isComment(l) || l.replace(LEFT_SPACE, '') === '') continue;
      open = continuation.test(l);
      joined += open ? l.replace(continuation, '') : l;
    }
    if (joined.trim() === '') continue;
    instructions.push(instruction(joined, physical.slice(start, i + 1).map((l) => l.replace(/\r$/, '')).join('\n'), start + 1, i + 1, problems));
  }

  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  const names = new Set<string>();
  for (const ins of instructions) {
    if (!(INSTRUCTIONS as readonly string[]).includes(ins.keyword)) {
      problems.push({ line: ins.line, message: `unknown instruction ${ins.keyword} (BuildKit fails, Buildah ignores it)` });
    }
    if (ins.keyword === 'FROM') {
      const parts = words(ins.rest);
      let name: string | undefined;
      if (parts.length === 3 && /^as$/i.test(parts[1])) name = parts[2].toLowerCase();
      else if (parts.length !== 1) problems.push({ line: ins.line, message: `FROM ${ins.rest}: expected "FROM image [AS name]"` });
      if (name !== undefined) {
        if (names.has(name)) problems.push({ line: ins.line, message: `stage name "${name}" is used twice` });
        names.add(name);
      }
      stages.push({ from: parts[0] ?? '', name, index: stages.length, fromInstruction: ins, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(ins);
    } else {
      if (ins.keyword !== 'ARG') problems.push({ line: ins.line, message: `${ins.keyword} before the first FROM (only ARG may come first)` });
      preamble.push(ins);
    }
  }
  return { escape, directives, preamble, stages, problems };
}

/** The stages of a Dockerfile (see {@link parse} for the problems). */
export function parseDockerfile(text: string): Stage[] {
  return parse(text).stages;
}

function instruction(joined: string, text: string, line: number, endLine: number, problems: ParseProblem[]): Instruction {
  const trimmed = joined.trim();
  const m = /^(\S+)[\t\v\f\r ]*([\s\S]*)$/.exec(trimmed)!;
  const keyword = m[1].toUpperCase();
  const args = m[2].trim();
  const { flags, rest } = extractFlags(args);
  let json: string[] | undefined;
  if (JSON_FORM.has(keyword) && rest.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) json = parsed as string[];
    } catch {
      json = undefined;
    }
  }
  if (['RUN', 'COPY', 'ADD'].includes(keyword) && !json && /(^|[\s;&|(])\d*<<-?[^<\s]/.test(rest)) {
    problems.push({ line, message: `${keyword} with a heredoc ("<<"): BuildKit reads the following lines as its body, Buildah does not support heredocs` });
  }
  return { keyword, args, text, flags, rest, json, line, endLine };
}

/** Leading `--name=value` words, read like the builders' `extractBuilderFlags`. */
export function extractFlags(line: string): { flags: Flag[]; rest: string } {
  const flagWords: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < line.length && /\s/.test(line[pos])) pos++;
    if (!line.startsWith('--', pos)) break;
    let word = '';
    let quote = '';
    let blankOk = false;
    let i = pos;
    for (; i < line.length; i++) {
      const ch = line[i];
      if (quote) {
        if (ch === quote) quote = '';
        else if (ch === '\\' && i + 1 < line.length) word += line[++i];
        else if (ch !== '\\') word += ch;
        continue;
      }
      if (/\s/.test(ch)) break;
      if (ch === '"' || ch === "'") {
        quote = ch;
        blankOk = true;
      } else if (ch === '\\') {
        if (i + 1 < line.length) word += line[++i];
      } else {
        word += ch;
      }
    }
    pos = i;
    if (word === '--') break;
    if (blankOk || word.length > 0) flagWords.push(word);
  }
  const flags = flagWords.map((w) => {
    const body = w.slice(2);
    const eq = body.indexOf('=');
    return eq < 0 ? { name: body.toLowerCase() } : { name: body.slice(0, eq).toLowerCase(), value: body.slice(eq + 1) };
  });
  return { flags, rest: line.slice(pos).trim() };
}

/** The value of flag `name` (last one wins), or undefined. */
export function flagValue(ins: Instruction, name: string): string | undefined {
  return [...ins.flags].reverse().find((f) => f.name === name)?.value;
}

/** A RUN's `--mount` of type secret: its id and where it is mounted. */
export interface SecretMount {
  readonly id: string;
  readonly target: string;
}

/** The secret mounts of a RUN (`--mount=type=secret,id=x[,target=/path]`); default target `/run/secrets/<id>`. */
export function secretMounts(ins: Instruction): SecretMount[] {
  const out: SecretMount[] = [];
  for (const f of ins.flags.filter((x) => x.name === 'mount')) {
    const fields = new Map<string, string>();
    for (const part of (f.value ?? '').split(',')) {
      const eq = part.indexOf('=');
      fields.set((eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase(), eq < 0 ? '' : part.slice(eq + 1).trim());
    }
    if ((fields.get('type') ?? 'bind') !== 'secret') continue;
    const target = fields.get('target') ?? fields.get('dst') ?? fields.get('destination');
    const id = fields.get('id') || (target ? target.split('/').pop()! : '');
    out.push({ id, target: target || `/run/secrets/${id}` });
  }
  return out;
}

/** Whitespace-separated words of a shell-form argument string (no quote processing). */
export function words(rest: string): string[] {
  return rest.split(/[\t\v\f\r ]+/).filter((w) => w !== '');
}
