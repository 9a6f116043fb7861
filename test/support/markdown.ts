// Markdown as the docs tests read it (CommonMark's fences, ATX headings, inline links and code spans):
// fenced blocks, headings with the anchors GitHub gives them, and the links in the prose.

/** A fenced code block. */
export interface FencedBlock {
  /** The line of the opening fence, from 1. */
  readonly line: number;
  /** The first word of the info string, in lower case; '' without one. */
  readonly lang: string;
  /** The block's text without its fences (and without the opening fence's indentation). */
  readonly code: string;
  /** The nearest line before the opening fence that is not blank, trimmed; '' at the start. */
  readonly before: string;
}

/** A heading and its anchor (`#…`). */
export interface Heading {
  readonly line: number;
  readonly text: string;
  readonly anchor: string;
}

/** An inline link `[text](target)` of the prose. */
export interface Link {
  readonly line: number;
  readonly target: string;
}

export interface ParsedMarkdown {
  /** The lines outside fenced blocks, with their numbers (from 1). */
  readonly prose: ReadonlyArray<{ readonly line: number; readonly text: string }>;
  readonly blocks: readonly FencedBlock[];
}

const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

export function parseMarkdown(markdown: string): ParsedMarkdown {
  const lines = markdown.split('\n');
  const prose: Array<{ line: number; text: string }> = [];
  const blocks: FencedBlock[] = [];
  let before = '';
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const open = OPENING_FENCE.exec(text);
    // A backtick fence's info string holds no backtick (CommonMark 4.5).
    if (open === null || (open[2]!.startsWith('`') && open[3]!.includes('`'))) {
      prose.push({ line: i + 1, text });
      if (text.trim() !== '') before = text.trim();
      continue;
    }
    const [, indent, fence] = open as unknown as [string, string, string, string];
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    // An unclosed fence runs to the end of the document.
    for (; j < lines.length && !closing.test(lines[j]!); j++) {
      body.push(lines[j]!.replace(new RegExp(`^ {0,${indent.length}}`), ''));
    }
    blocks.push({
      line: i + 1,
      lang: (open[3]!.trim().split(/\s+/)[0] ?? '').toLowerCase(),
      code: body.join('\n'),
      before,
    });
    before = '';
    i = j;
  }
  return { prose, blocks };
}

/**
 * The anchor GitHub gives a heading: its text as rendered (links by their text, code without backticks), in
 * lower case, without anything but letters, marks, digits, `_`, `-` and spaces, and spaces made `-`.
 */
export function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const ATX_HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;

/** The headings outside fenced blocks; a repeated anchor gets `-1`, `-2`, … as on GitHub. */
export function headings(parsed: ParsedMarkdown): Heading[] {
  const seen = new Map<string, number>();
  const out: Heading[] = [];
  for (const { line, text } of parsed.prose) {
    const match = ATX_HEADING.exec(text);
    if (match === null) continue;
    const slug = githubSlug(match[2]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.push({ line, text: match[2]!, anchor: count === 0 ? slug : `${slug}-${count}` });
  }
  return out;
}

/** The prose with every code span blanked out (same length, so offsets and lines stay), as CommonMark 6.1 finds them. */
function withoutCodeSpans(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '`') {
      out += text[i];
      i++;
      continue;
    }
    let run = 0;
    while (text[i + run] === '`') run++;
    // The span ends at the next run of exactly as many backticks; without one, the backticks are text.
    let k = i + run;
    let end = -1;
    while (k < text.length) {
      if (text[k] !== '`') {
        k++;
        continue;
      }
      let other = 0;
      while (text[k + other] === '`') other++;
      if (other === run) {
        end = k + other;
        break;
      }
      k += other;
    }
    if (end === -1) {
      out += text.slice(i, i + run);
      i += run;
    } else {
      out += text.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
    }
  }
  return out;
}

/** The inline links of the prose (outside fenced blocks and code spans); a link's text may span lines. */
export function links(parsed: ParsedMarkdown): Link[] {
  // A paragraph is a run of consecutive prose lines that are not blank: neither a code span nor a link
  // crosses a blank line or a fenced block.
  const paragraphs: Array<Array<{ line: number; text: string }>> = [];
  let previous = -1;
  for (const entry of parsed.prose) {
    if (entry.text.trim() === '') {
      previous = -1;
      continue;
    }
    if (entry.line === previous + 1 && paragraphs.length > 0) paragraphs[paragraphs.length - 1]!.push(entry);
    else paragraphs.push([entry]);
    previous = entry.line;
  }
  const out: Link[] = [];
  for (const paragraph of paragraphs) {
    const text = withoutCodeSpans(paragraph.map((l) => l.text).join('\n'));
    for (const match of text.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const line = paragraph[0]!.line + (text.slice(0, match.index).match(/\n/g)?.length ?? 0);
      out.push({ line, target: match[1]! });
    }
  }
  return out;
}
