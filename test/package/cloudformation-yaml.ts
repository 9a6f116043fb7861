// Reads a CloudFormation / SAM template: YAML with the short-form intrinsic functions (!Ref, !Sub, !GetAtt,
// ...) turned into their long forms ({ Ref: ... }, { 'Fn::Sub': ... }), and resolves the few a template's
// values use here, so tests can read what a deployed function would get.
import { readFileSync } from 'node:fs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Select',
  'Split',
  'Sub',
  'And',
  'Or',
];

function longForm(name: string, value: unknown): Record<string, unknown> {
  if (name === 'Ref') return { Ref: value };
  // A condition named inside another (Fn::And, Fn::Or, Fn::Not).
  if (name === 'Condition') return { Condition: value };
  if (name === 'GetAtt' && typeof value === 'string') return { 'Fn::GetAtt': value.split('.') };
  return { [`Fn::${name}`]: value };
}

const TAGS: Array<ScalarTag | CollectionTag> = ['Ref', 'Condition', ...FUNCTIONS].flatMap(
  (name): Array<ScalarTag | CollectionTag> => [
    { tag: `!${name}`, resolve: (value) => longForm(name, value) },
    { tag: `!${name}`, collection: 'seq', resolve: (value) => longForm(name, value.toJSON()) },
  ],
);

export interface Template {
  readonly Conditions?: Record<string, unknown>;
  readonly Parameters: Record<
    string,
    {
      Type: string;
      Default?: string | number;
      AllowedValues?: unknown[];
      AllowedPattern?: string;
      MinValue?: number;
      MaxValue?: number;
      MinLength?: number;
    }
  >;
  readonly Resources: Record<
    string,
    { Type: string; Condition?: string; Properties: Record<string, unknown> }
  >;
  readonly Outputs: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  readonly [key: string]: unknown;
}

export function readTemplate(file: string): Template {
  return parse(readFileSync(file, 'utf8'), { customTags: TAGS }) as Template;
}
