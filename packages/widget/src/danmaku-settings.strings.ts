/**
 * The texts `<danmaku-settings>` shows and announces, in English, Simplified Chinese and Japanese,
 * and their shape for other translations.
 */

/** Every text of the settings panel. Give any of them to its `strings` property to translate or reword. */
export interface SettingsStrings {
  /** Accessible name of the on/off button (its pressed state says whether comments show). */
  toggle: string;
  /** Accessible name of the gear button, and the panel's title. */
  settings: string;
  /** The button that closes the panel. */
  close: string;
  /** Checkbox: comments are shown. */
  show: string;
  /** Names of the sliders. */
  opacity: string;
  speed: string;
  fontScale: string;
  density: string;
  /** What screen readers hear (and the panel shows) for a fraction, e.g. `60%`. */
  percent(fraction: number): string;
  /** What screen readers hear (and the panel shows) for the speed, in px/s. */
  speedValue(pxPerSecond: number): string;
  /** Group of the display-area choices, and the name of each. */
  area: string;
  areas: { '0.25': string; '0.5': string; '0.75': string; '1': string };
  /** Group of the "hide" checkboxes, and the name of each. */
  hide: string;
  modes: { scroll: string; top: string; bottom: string; color: string };
  /** Checkbox: keep the bottom of the picture clear for subtitles. */
  clearBottom: string;
  /** Checkbox: follow the media's playback rate. */
  followRate: string;
  /** Group of the block list. */
  blocklist: string;
  /** Accessible name of the block-list input, and its placeholder. */
  blockInput: string;
  blockPlaceholder: string;
  /** Accessible name of the kind picker, and the kinds. */
  blockKind: string;
  kinds: { text: string; user: string };
  /** Button that adds an entry. */
  add: string;
  /** How an entry is shown in the list, and the accessible name of its remove button. */
  userRule(id: string): string;
  remove(rule: string): string;
  /** The list is empty. */
  nothingBlocked: string;
  /** Announced after an entry was added or removed. */
  added(rule: string): string;
  removed(rule: string): string;
  /** Shown for an entry that cannot be added. */
  invalid(rule: string): string;
  full: string;
  /** Button, and what is announced after it. */
  reset: string;
  resetDone: string;
  /** Shown in the panel when no layer was found. */
  noLayer: string;
}

/** English. */
export const SETTINGS_STRINGS: SettingsStrings = {
  toggle: 'Comments',
  settings: 'Comment settings',
  close: 'Close',
  show: 'Show comments',
  opacity: 'Opacity',
  speed: 'Speed',
  fontScale: 'Text size',
  density: 'Density',
  percent: (fraction) => `${Math.round(fraction * 100)}%`,
  speedValue: (pxPerSecond) => `${Math.round(pxPerSecond)} px/s`,
  area: 'Display area',
  areas: { '0.25': '¼', '0.5': '½', '0.75': '¾', '1': 'Full' },
  hide: 'Hide',
  modes: { scroll: 'Scrolling', top: 'Top', bottom: 'Bottom', color: 'Coloured' },
  clearBottom: 'Keep subtitles clear',
  followRate: 'Follow playback speed',
  blocklist: 'Block list',
  blockInput: 'Word, /expression/ or user id to block',
  blockPlaceholder: 'Word or /regex/',
  blockKind: 'Block by',
  kinds: { text: 'Text', user: 'User id' },
  add: 'Block',
  userRule: (id) => `User ${id}`,
  remove: (rule) => `Unblock ${rule}`,
  nothingBlocked: 'Nothing blocked.',
  added: (rule) => `Blocked ${rule}.`,
  removed: (rule) => `Unblocked ${rule}.`,
  invalid: (rule) => `${rule} is not a valid regular expression.`,
  full: 'The block list is full.',
  reset: 'Reset to defaults',
  resetDone: 'Settings reset to defaults.',
  noLayer: 'No danmaku layer to control.',
};

/** Simplified Chinese (简体中文). */
export const SETTINGS_STRINGS_ZH: SettingsStrings = {
  toggle: '弹幕',
  settings: '弹幕设置',
  close: '关闭',
  show: '显示弹幕',
  opacity: '不透明度',
  speed: '弹幕速度',
  fontScale: '字号',
  density: '弹幕密度',
  percent: (fraction) => `${Math.round(fraction * 100)}%`,
  speedValue: (pxPerSecond) => `每秒 ${Math.round(pxPerSecond)} 像素`,
  area: '显示区域',
  areas: { '0.25': '1/4 屏', '0.5': '半屏', '0.75': '3/4 屏', '1': '全屏' },
  hide: '屏蔽类型',
  modes: { scroll: '滚动', top: '顶部', bottom: '底部', color: '彩色' },
  clearBottom: '防挡字幕',
  followRate: '随视频倍速',
  blocklist: '屏蔽词',
  blockInput: '要屏蔽的关键词、/正则/ 或用户 ID',
  blockPlaceholder: '关键词或 /正则/',
  blockKind: '屏蔽方式',
  kinds: { text: '文本', user: '用户 ID' },
  add: '添加',
  userRule: (id) => `用户 ${id}`,
  remove: (rule) => `取消屏蔽 ${rule}`,
  nothingBlocked: '尚未屏蔽任何内容。',
  added: (rule) => `已屏蔽 ${rule}。`,
  removed: (rule) => `已取消屏蔽 ${rule}。`,
  invalid: (rule) => `${rule} 不是有效的正则表达式。`,
  full: '屏蔽列表已满。',
  reset: '恢复默认设置',
  resetDone: '已恢复默认设置。',
  noLayer: '找不到要设置的弹幕层。',
};

/** Japanese (日本語). */
export const SETTINGS_STRINGS_JA: SettingsStrings = {
  toggle: 'コメント',
  settings: 'コメント設定',
  close: '閉じる',
  show: 'コメントを表示',
  opacity: '不透明度',
  speed: '速度',
  fontScale: '文字サイズ',
  density: '表示量',
  percent: (fraction) => `${Math.round(fraction * 100)}%`,
  speedValue: (pxPerSecond) => `毎秒 ${Math.round(pxPerSecond)} ピクセル`,
  area: '表示範囲',
  areas: { '0.25': '1/4', '0.5': '1/2', '0.75': '3/4', '1': '全体' },
  hide: '非表示',
  modes: { scroll: '流れるコメント', top: '上固定', bottom: '下固定', color: '色付き' },
  clearBottom: '字幕にかぶせない',
  followRate: '再生速度に合わせる',
  blocklist: 'NG リスト',
  blockInput: 'NG にする語句、/正規表現/ またはユーザー ID',
  blockPlaceholder: '語句または /正規表現/',
  blockKind: '種類',
  kinds: { text: 'テキスト', user: 'ユーザー ID' },
  add: '追加',
  userRule: (id) => `ユーザー ${id}`,
  remove: (rule) => `${rule} の NG を解除`,
  nothingBlocked: 'NG はありません。',
  added: (rule) => `${rule} を NG にしました。`,
  removed: (rule) => `${rule} の NG を解除しました。`,
  invalid: (rule) => `${rule} は正しい正規表現ではありません。`,
  full: 'NG リストがいっぱいです。',
  reset: '初期設定に戻す',
  resetDone: '初期設定に戻しました。',
  noLayer: '設定するコメントレイヤーが見つかりません。',
};

/**
 * The shipped texts for a BCP 47 language tag: Chinese (`zh`, `zh-CN`, …) and Japanese (`ja`),
 * English for any other.
 */
export function settingsStringsFor(lang: string): SettingsStrings {
  const primary = lang.toLowerCase().split('-')[0];
  return primary === 'zh' ? SETTINGS_STRINGS_ZH : primary === 'ja' ? SETTINGS_STRINGS_JA : SETTINGS_STRINGS;
}
