/**
 * Finds the runnable snippets of a Markdown page: fenced code blocks whose first line names a file
 * (`// file: app.tsx`, `<!-- file: page.html -->`), so tests can type-check or run the docs as written.
 */

/** One named snippet. */
export interface CodeBlock {
  /** The fence's language, e.g. `tsx`. */
  lang: string;
  /** The file name from the first line. */
  file: string;
  /** The code, first line included (it is a comment in every language used). */
  code: string;
}

const FENCE = /^```(\w*)\n([\s\S]*?)^```$/gm;
const FILE = /^(?:\/\/|<!--)\s*file:\s*([\w.-]+)/;

/** The named code blocks of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const [, lang = '', code = ''] of markdown.matchAll(FENCE)) {
    const file = FILE.exec(code)?.[1];
    if (file) blocks.push({ lang, file, code });
  }
  return blocks;
}
