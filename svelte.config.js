import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * adapter-node bundles the server with Rollup and gives it no `onwarn`, so Rollup prints every
 * warning. Two kinds are noise nobody here can act on: import cycles wholly inside node_modules
 * (Svelte's own runtime has dozens) and the empty chunks of the adapter's own entries. This drops
 * those two while the adapter runs; any other warning, such as a cycle through src/, still shows.
 * @param {import('@sveltejs/kit').Adapter} inner
 * @returns {import('@sveltejs/kit').Adapter}
 */
function withoutKnownNoise(inner) {
	return {
		...inner,
		async adapt(builder) {
			const warn = console.warn;
			console.warn = (...args) => {
				if (!isKnownNoise(args[0])) warn(...args);
			};
			try {
				await inner.adapt(builder);
			} finally {
				console.warn = warn;
			}
		}
	};
}

/** @param {unknown} message */
function isKnownNoise(message) {
	if (typeof message !== 'string') return false;
	const cycle = /^Circular dependency: (.+)$/.exec(message);
	if (cycle) return cycle[1].split(' -> ').every((file) => file.includes('node_modules/'));
	return /^Generated an empty chunk: "chunks\/[\w-]+\.js"\.?$/.test(message);
}

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: withoutKnownNoise(adapter({ out: 'build', precompress: true })),
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
