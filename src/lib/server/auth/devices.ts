// A short, human name for a browser from its user agent (only ever shown to its own account).
export function describeDevice(userAgent: string | null): string {
	if (!userAgent) return 'Unknown device';
	const browser = /Edg\//.test(userAgent)
		? 'Edge'
		: /Firefox\//.test(userAgent)
			? 'Firefox'
			: /Chrome\//.test(userAgent)
				? 'Chrome'
				: /Safari\//.test(userAgent)
					? 'Safari'
					: null;
	const system = /iPhone|iPad/.test(userAgent)
		? 'iOS'
		: /Android/.test(userAgent)
			? 'Android'
			: /Mac OS X/.test(userAgent)
				? 'macOS'
				: /Windows/.test(userAgent)
					? 'Windows'
					: /Linux/.test(userAgent)
						? 'Linux'
						: null;
	if (browser && system) return `${browser} on ${system}`;
	return browser ?? system ?? userAgent.slice(0, 60);
}
