// The notes keyring every test process and every server it starts share, so notes sealed in one
// (the demo seeded into a server database, say) open in the other.
export const TEST_NOTES_KEYS = 'test:VGhpcyBpcyBhIHRlc3Qga2V5IG9ubHkgMzIgYnl0ZXM=';
