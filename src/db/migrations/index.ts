import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_initial } from './Migration20261127000000_initial.js';
import { Migration20261127010000_rules } from './Migration20261127010000_rules.js';
import { Migration20261127020000_circuit } from './Migration20261127020000_circuit.js';
import { Migration20261127030000_secret_overlap } from './Migration20261127030000_secret_overlap.js';
import { Migration20261127040000_rule_executions_age } from './Migration20261127040000_rule_executions_age.js';
import { Migration20261129000000_events_purged } from './Migration20261129000000_events_purged.js';
import { Migration20261129010000_operations } from './Migration20261129010000_operations.js';
import { Migration20261129020000_inspectors } from './Migration20261129020000_inspectors.js';
import { Migration20261129030000_refuse_change } from './Migration20261129030000_refuse_change.js';
import { Migration20261129040000_endpoints } from './Migration20261129040000_endpoints.js';
import { Migration20261207000000_token_scopes_audit } from './Migration20261207000000_token_scopes_audit.js';
import { Migration20261207010000_attempts_started_at } from './Migration20261207010000_attempts_started_at.js';
import { Migration20261208000000_attempts_channel } from './Migration20261208000000_attempts_channel.js';

/** Every migration, in order. Listed here so that a bundled or compiled build needs no file globbing. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261127000000_initial', class: Migration20261127000000_initial },
  { name: 'Migration20261127010000_rules', class: Migration20261127010000_rules },
  { name: 'Migration20261127020000_circuit', class: Migration20261127020000_circuit },
  { name: 'Migration20261127030000_secret_overlap', class: Migration20261127030000_secret_overlap },
  { name: 'Migration20261127040000_rule_executions_age', class: Migration20261127040000_rule_executions_age },
  { name: 'Migration20261129000000_events_purged', class: Migration20261129000000_events_purged },
  { name: 'Migration20261129010000_operations', class: Migration20261129010000_operations },
  { name: 'Migration20261129020000_inspectors', class: Migration20261129020000_inspectors },
  { name: 'Migration20261129030000_refuse_change', class: Migration20261129030000_refuse_change },
  { name: 'Migration20261129040000_endpoints', class: Migration20261129040000_endpoints },
  { name: 'Migration20261207000000_token_scopes_audit', class: Migration20261207000000_token_scopes_audit },
  { name: 'Migration20261207010000_attempts_started_at', class: Migration20261207010000_attempts_started_at },
  { name: 'Migration20261208000000_attempts_channel', class: Migration20261208000000_attempts_channel },
];
