/** One destination outbound HTTP may reach although it is private, added by an instance administrator. */
export interface EgressAllowedHostTable {
  id: string;
  /** A host name, an IP address or a CIDR range, as the egress client reads it (trimmed, lower case). */
  rule: string;
  /** The administrator who added it; null from the CLI. */
  createdBy: string | null;
  createdAt: string;
}

export interface InstanceSettingsTables {
  egressAllowedHost: EgressAllowedHostTable;
}
