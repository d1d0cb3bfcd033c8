/** Placeholder replaced by the event bus. */
export interface EventBus {
  close(): Promise<void>;
}
