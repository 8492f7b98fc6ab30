/**
 * Small archives in the formats the server imports, written for the tests: every mode, colours
 * and sizes, advanced modes, an over-long text, an empty one, markup, and duplicates.
 */

/** A text of 101 characters: one over the default limit. */
export const OVER_LONG = 'x'.repeat(101);

/**
 * bilibili XML: 7 comments kept (modes 1, 2, 3, 4, 5, 6 and a markup one), skipped: 2 advanced
 * (modes 7 and 8), 1 too long, 1 empty. Two entries are identical but for their row id.
 */
export const BILIBILI_XML = `<?xml version="1.0" encoding="UTF-8"?>
<i>
  <chatserver>chat.bilibili.com</chatserver>
  <chatid>1</chatid>
  <d p="1.5,1,25,16777215,1600000000,0,abc123,1001,10">scroll one</d>
  <d p="2.25,2,18,16711680,1600000001,0,abc124,1002,10">scroll two, small red</d>
  <d p="3,3,36,65280,1600000002,0,abc125,1003,10">scroll three, large green</d>
  <d p="4,4,25,255,1600000003,0,abc126,1004,10">bottom blue</d>
  <d p="5,5,25,16776960,1600000004,0,abc127,1005,10">top yellow</d>
  <d p="6,6,25,16777215,1600000005,0,abc128,1006,10">reverse</d>
  <d p="7,7,25,16777215,1600000006,0,abc129,1007,10">[0,0,"1-1",4.5,"positioned"]</d>
  <d p="8,8,25,16777215,1600000007,0,abc130,1008,10">code</d>
  <d p="9,1,25,16777215,1600000008,0,abc131,1009,10">${'x'.repeat(101)}</d>
  <d p="10,1,25,16777215,1600000009,0,abc132,1010,10">&#8203; </d>
  <d p="11,1,25,16777215,1600000010,0,abc133,1011,10">&lt;b&gt;not bold&lt;/b&gt; &amp; fine</d>
</i>
`;

/**
 * DPlayer v3 JSON: 4 comments kept (types 0, 1, 2, and a second identical entry kept under its
 * own id), skipped: 1 too long, 1 of an unknown type, 1 unreadable (too short), 1 with no time.
 */
export const DPLAYER_JSON = JSON.stringify({
  code: 0,
  data: [
    [0.5, 0, 16777215, 'alice', 'hello'],
    [1.5, 1, 16711680, 'bob', 'top red'],
    [2.5, 2, 255, 'carol', 'bottom blue'],
    [0.5, 0, 16777215, 'alice', 'hello'],
    [3.5, 0, 16777215, 'dave', 'y'.repeat(101)],
    [4.5, 9, 16777215, 'erin', 'unknown type'],
    [5.5, 0],
    [null, 0, 16777215, 'frank', 'no time'],
  ],
});

/** A plain time-coded comment to import or reserve: white, scrolling, medium; its text is its id unless given. */
export function archiveComment(id: string, time: number, text: string = id) {
  return { id, text, color: '#ffffff', mode: 'scroll' as const, size: 'medium' as const, time };
}
