// Finds a Chromium for Playwright (PLAYWRIGHT_CHROMIUM_PATH, then Debian's /usr/bin/chromium);
// installs Debian's package only when running as root with apt-get, else says how to get one.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.PLAYWRIGHT_CHROMIUM_PATH ?? '', '/usr/bin/chromium'].filter(
	Boolean
);
if (candidates.some((path) => existsSync(path))) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let hasApt;
try {
	execSync('command -v apt-get', { stdio: 'ignore' });
	hasApt = true;
} catch {
	hasApt = false;
}

if (isRoot && hasApt) {
	console.log("No Chromium found: installing Debian's chromium package…");
	execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
		stdio: 'inherit'
	});
	if (existsSync('/usr/bin/chromium')) process.exit(0);
}

console.error(
	'The end-to-end tests need Chromium: install it (`sudo apt-get install chromium` on Debian or Ubuntu) or set PLAYWRIGHT_CHROMIUM_PATH to a Chromium or Chrome binary.'
);
process.exit(1);
