/** The two IPC channels between preload and main: one for requests, one for pushed events. */
export const INVOKE_CHANNEL = 'recx:invoke';
export const EVENT_CHANNEL = 'recx:event';
