/**
 * The texts `<danmaku-composer>` shows and announces, in English, Simplified Chinese and Japanese,
 * and their shape for other translations.
 */
import type { CommentMode, CommentSize } from './protocol.js';
import type { DanmakuErrorCode } from './connection/danmaku-error.js';

/** Every text of the composer. Give any of them to its `strings` property to translate or reword. */
export interface ComposerStrings {
  /** Accessible name of the text input, unless the `label` attribute gives one. */
  label: string;
  /** Placeholder of the text input, unless the `placeholder` attribute gives one. */
  placeholder: string;
  /** Button. */
  send: string;
  /** Button while rate limited, with the seconds left. */
  wait(seconds: number): string;
  /** Accessible names of the pickers. */
  color: string;
  mode: string;
  size: string;
  /** Names of the modes and sizes in the pickers. */
  modes: Record<CommentMode, string>;
  sizes: Record<CommentSize, string>;
  /** What screen readers hear for the counter. */
  counter(length: number, max: number): string;
  /** Feedback while the text is over the limit. */
  over(excess: number): string;
  /** Feedback after the server acknowledged a comment. */
  sent: string;
  /** Feedback while (re)connecting with nothing queued. */
  connecting: string;
  /** Feedback while offline with comments queued. */
  offline(queued: number): string;
  /** Feedback when the layer has no server or was closed. */
  notConnected: string;
  /** Feedback when no layer was found. */
  noLayer: string;
  /** The room's viewer count, already formatted for the page's language (e.g. `1,234`). */
  viewers(count: string): string;
  /** Feedback while the room is in slow mode, with the seconds between two comments. */
  slowMode(seconds: number): string;
  /** Feedback while the viewer is muted, with the time left formatted for the page's language (e.g. `in 10 minutes`). */
  muted(left: string): string;
  /** Feedback for a failed send, by error code; codes without one show the server's message. */
  failures: Partial<Record<DanmakuErrorCode, string>>;
}

/** The composer's English texts. */
export const COMPOSER_STRINGS: ComposerStrings = {
  label: 'Comment',
  placeholder: 'Say something…',
  send: 'Send',
  wait: (seconds) => `Wait ${seconds} s`,
  color: 'Colour',
  mode: 'Mode',
  size: 'Size',
  modes: { scroll: 'Scroll', top: 'Top', bottom: 'Bottom' },
  sizes: { small: 'Small', medium: 'Medium', large: 'Large' },
  counter: (length, max) => `${length} of ${max} characters`,
  over: (excess) => `${excess} characters too many.`,
  sent: 'Sent.',
  connecting: 'Connecting…',
  offline: (queued) => `Offline: ${queued} waiting to be sent.`,
  notConnected: 'Not connected.',
  noLayer: 'No danmaku layer to send to.',
  viewers: (count) => `${count} watching`,
  slowMode: (seconds) => `Slow mode: one comment every ${seconds} s.`,
  muted: (left) => `You are muted; you can comment again ${left}.`,
  failures: {
    rate_limited: 'Too many comments: wait a moment before sending again.',
    too_long: 'This comment is too long.',
    empty: 'Type a comment first.',
    rejected: 'This comment was not accepted.',
    forbidden: 'You cannot send comments in this room.',
    unauthorized: 'You cannot send comments in this room.',
    queue_full: 'Too many comments are waiting to be sent.',
    timeout: 'The server did not confirm the comment; it may not have been posted.',
    closed: 'Not connected.',
    load_failed: 'Comments cannot be sent: a file of this comment box did not load. Try again later.',
  },
};

/** Simplified Chinese (简体中文). */
export const COMPOSER_STRINGS_ZH: ComposerStrings = {
  label: '弹幕',
  placeholder: '发个弹幕吧…',
  send: '发送',
  wait: (seconds) => `等待 ${seconds} 秒`,
  color: '颜色',
  mode: '模式',
  size: '字号',
  modes: { scroll: '滚动', top: '顶部', bottom: '底部' },
  sizes: { small: '小', medium: '中', large: '大' },
  counter: (length, max) => `已输入 ${length} 字，最多 ${max} 字`,
  over: (excess) => `超出 ${excess} 字。`,
  sent: '已发送。',
  connecting: '正在连接…',
  offline: (queued) => `离线：${queued} 条弹幕等待发送。`,
  notConnected: '未连接。',
  noLayer: '没有可以发送到的弹幕层。',
  viewers: (count) => `${count} 人在看`,
  slowMode: (seconds) => `慢速模式：每 ${seconds} 秒可发一条弹幕。`,
  muted: (left) => `你已被禁言，${left}可以再次发送。`,
  failures: {
    rate_limited: '发送太频繁，请稍后再试。',
    too_long: '这条弹幕太长了。',
    empty: '请先输入弹幕内容。',
    rejected: '这条弹幕未被接受。',
    forbidden: '你不能在这个房间发送弹幕。',
    unauthorized: '你不能在这个房间发送弹幕。',
    queue_full: '等待发送的弹幕太多了。',
    timeout: '服务器没有确认这条弹幕，它可能没有发出。',
    closed: '未连接。',
    load_failed: '无法发送弹幕：评论框的一个文件没有加载成功，请稍后再试。',
  },
};

/** Japanese (日本語). */
export const COMPOSER_STRINGS_JA: ComposerStrings = {
  label: 'コメント',
  placeholder: 'コメントを入力…',
  send: '送信',
  wait: (seconds) => `あと ${seconds} 秒`,
  color: '色',
  mode: '表示方法',
  size: 'サイズ',
  modes: { scroll: '流れる', top: '上固定', bottom: '下固定' },
  sizes: { small: '小', medium: '中', large: '大' },
  counter: (length, max) => `${max} 文字中 ${length} 文字`,
  over: (excess) => `${excess} 文字多すぎます。`,
  sent: '送信しました。',
  connecting: '接続中…',
  offline: (queued) => `オフライン：${queued} 件が送信を待っています。`,
  notConnected: '接続されていません。',
  noLayer: '送信先のコメントレイヤーがありません。',
  viewers: (count) => `${count} 人が視聴中`,
  slowMode: (seconds) => `スローモード：${seconds} 秒に 1 件までコメントできます。`,
  muted: (left) => `ミュート中です。${left}にまたコメントできます。`,
  failures: {
    rate_limited: 'コメントが多すぎます。少し待ってから送信してください。',
    too_long: 'このコメントは長すぎます。',
    empty: 'まずコメントを入力してください。',
    rejected: 'このコメントは受け付けられませんでした。',
    forbidden: 'このルームではコメントできません。',
    unauthorized: 'このルームではコメントできません。',
    queue_full: '送信待ちのコメントが多すぎます。',
    timeout: 'サーバーから確認がありませんでした。コメントは投稿されていない可能性があります。',
    closed: '接続されていません。',
    load_failed: 'コメントを送信できません。コメント欄のファイルを読み込めませんでした。後でもう一度お試しください。',
  },
};

/**
 * The shipped texts for a BCP 47 language tag: Chinese (`zh`, `zh-CN`, …) and Japanese (`ja`),
 * else English.
 */
export function composerStringsFor(lang: string): ComposerStrings {
  const primary = lang.toLowerCase().split('-')[0];
  return primary === 'zh' ? COMPOSER_STRINGS_ZH : primary === 'ja' ? COMPOSER_STRINGS_JA : COMPOSER_STRINGS;
}
