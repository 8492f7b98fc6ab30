// docs/api.md is generated from the Custom Elements Manifest: it must match what the generator
// makes from the current manifest, and it must cover every attribute, event, part and property.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Named {
  name: string;
}
interface Declaration {
  tagName?: string;
  attributes?: Named[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}

test('docs/api.md is up to date with the manifest and covers the whole public surface', async () => {
  const { renderApi } = (await import(`${root}scripts/api-docs.mjs`)) as { renderApi(manifest: unknown): string };
  const manifest = JSON.parse(await readFile(`${root}packages/widget/custom-elements.json`, 'utf8')) as {
    modules: { declarations?: Declaration[] }[];
  };
  const page = await readFile(`${root}docs/api.md`, 'utf8');
  assert.equal(page, renderApi(manifest), 'docs/api.md is stale: run `npm run build` and commit it');
  const elements = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);
  assert.equal(elements.length, 3);
  for (const element of elements) {
    const names = [element.attributes, element.events, element.cssParts, element.cssProperties].flatMap((list) =>
      (list ?? []).map((item) => item.name),
    );
    assert.ok(names.length > 10, element.tagName);
    for (const name of names) assert.ok(page.includes(`\`${name}\``), `${element.tagName}: ${name} is documented`);
  }
});
