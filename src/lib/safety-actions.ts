// What a therapist can say she did about a safety flag when she acknowledges it; shared by the
// Safety page's form and the server's check of it.
export const SAFETY_ACTIONS = ['called', 'messaged', 'session', 'other'] as const;
export type SafetyAction = (typeof SAFETY_ACTIONS)[number];

export const SAFETY_ACTION_WORDS: Record<SafetyAction, string> = {
	called: 'Called them',
	messaged: 'Messaged them',
	session: 'Discussed it in session',
	other: 'Something else'
};

/** The longest acknowledgement note, in characters. */
export const ACK_NOTE_MAX = 1000;
