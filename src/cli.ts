/* Entry point of dist/cli.js, the `litcite` command (see src/cli/main.ts). */
import { main } from './cli/main';

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
