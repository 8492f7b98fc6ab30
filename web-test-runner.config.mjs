// Browser tests of the widget, in a real Chromium (Debian's `chromium` is found by the chrome
// launcher). Tests are the JavaScript tsc emitted next to the widget's modules.
import { chromeLauncher } from '@web/test-runner-chrome';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export default {
  files: ['packages/widget/lib/**/*.test.js'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  concurrency: 1,
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 300000,
  browsers: [
    chromeLauncher({
      launchOptions: {
        args: [
          ...(asRoot ? ['--no-sandbox'] : []),
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--autoplay-policy=no-user-gesture-required',
        ],
      },
    }),
  ],
};
