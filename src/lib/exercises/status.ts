// Words for where a partner stands on an assignment, shared by therapist and partner pages.
export type PartnerStatus = 'not-started' | 'in-progress' | 'locked';

export const STATUS_WORDS: Record<PartnerStatus, string> = {
	'not-started': 'Not started',
	'in-progress': 'In progress',
	locked: 'Locked'
};
