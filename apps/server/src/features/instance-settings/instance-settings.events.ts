declare module '../../platform/events/domain-events.ts' {
  interface DomainEventMap {
    /** The stored allowed hosts changed (committed): every node reloads them into its egress client. */
    'allowed-hosts-change': { rule: string; change: 'add' | 'remove' };
  }
}

export {};
