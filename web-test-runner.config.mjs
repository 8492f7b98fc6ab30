// Browser tests of the widget, in a real Chromium (Debian's `chromium` is found by the chrome
// launcher). Tests are the JavaScript tsc emitted next to the widget's modules.
import { chromeLauncher } from '@web/test-runner-chrome';
import { danmakuServersPlugin } from './test/support/danmaku-servers-plugin.mjs';
import { CHROMIUM_ARGS } from './scripts/chromium.mjs';

export default {
  files: ['packages/widget/lib/**/*.test.js'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  concurrency: 1,
  // Real reference servers (127.0.0.1, port 0) for tests that need one; see the plugin.
  plugins: [danmakuServersPlugin()],
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 300000,
  browsers: [
    chromeLauncher({
      launchOptions: {
        args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
      },
    }),
  ],
};
