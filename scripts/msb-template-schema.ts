/**
 * Generates schemas/msb-template.schema.json (the JSON Schema of an org template's
 * msb-template.json) from the TypeScript type `OrgTemplateManifest`, which derives from `AppProps`:
 * the props shape is declared once. Run `npx tsx scripts/msb-template-schema.ts` after changing the
 * props; test/core/schema.test.ts fails while the committed schema differs from what this generates.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
export const SCHEMA_FILE = path.join(ROOT, 'schemas', 'msb-template.schema.json');

type Schema = Record<string, unknown>;

/** The JSON Schema of `OrgTemplateManifest`, as text. */
export function generateSchema(): string {
  const entry = path.join(ROOT, 'src', 'org-template.ts');
  const program = ts.createProgram([entry], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry)!;
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'OrgTemplateManifest');
  if (!decl) throw new Error('OrgTemplateManifest not found in src/org-template.ts');

  const describe = (symbol: ts.Symbol): string | undefined => {
    const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    return text || undefined;
  };

  const toSchema = (type: ts.Type, depth: number): Schema => {
    if (depth > 12) throw new Error(`type too deep: ${checker.typeToString(type)}`);
    if (type.isUnion()) {
      const members = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
      if (members.every((t) => t.isStringLiteral())) return { type: 'string', enum: members.map((t) => (t as ts.StringLiteralType).value) };
      if (members.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
      if (members.length === 1) return toSchema(members[0], depth);
      return { anyOf: members.map((t) => toSchema(t, depth + 1)) };
    }
    if (type.isStringLiteral()) return { type: 'string', const: type.value };
    if (type.flags & ts.TypeFlags.String) return { type: 'string' };
    if (type.flags & ts.TypeFlags.Number) return { type: 'number' };
    if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    if (checker.isArrayType(type)) {
      const [item] = checker.getTypeArguments(type as ts.TypeReference);
      return { type: 'array', items: toSchema(item, depth + 1) };
    }
    const index = type.getStringIndexType();
    if (index) return { type: 'object', additionalProperties: toSchema(index, depth + 1) };
    if (type.flags & ts.TypeFlags.Object) {
      const properties: Record<string, Schema> = {};
      const required: string[] = [];
      for (const prop of checker.getPropertiesOfType(type)) {
        const propType = checker.getTypeOfSymbol(prop);
        const description = describe(prop);
        properties[prop.name] = { ...(description ? { description } : {}), ...toSchema(propType, depth + 1) };
        if (!(prop.flags & ts.SymbolFlags.Optional)) required.push(prop.name);
      }
      return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
    }
    throw new Error(`no JSON Schema for ${checker.typeToString(type)}`);
  };

  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://unpkg.com/create-msb-app/schemas/msb-template.schema.json',
    title: 'msb-template.json',
    description: 'Defaults, policies and .dockerignore additions of a create-msb-app org template (generated from the TypeScript types; do not edit).',
    ...toSchema(checker.getTypeAtLocation(decl), 0),
  };
  return JSON.stringify(schema, null, 2) + '\n';
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_FILE, generateSchema());
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
