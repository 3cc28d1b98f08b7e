// Custom search attributes, so an operator can list lifecycles in the Temporal UI with one query,
// e.g. `ScimflowStage = "leaving" AND ScimflowNeedsAttention = true`.
// Registered by `scimflow dev`; production: see docs/operations.md.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const STAGE = defineSearchAttributeKey('ScimflowStage', SearchAttributeType.KEYWORD);
export const PENDING_APPROVALS = defineSearchAttributeKey('ScimflowPendingApprovals', SearchAttributeType.KEYWORD_LIST);
export const NEEDS_ATTENTION = defineSearchAttributeKey('ScimflowNeedsAttention', SearchAttributeType.BOOL);
export const LINKED_APPS = defineSearchAttributeKey('ScimflowLinkedApps', SearchAttributeType.KEYWORD_LIST);
/** Every kind of stuck, one value each: `failing:<app>`, `attention:<app>`, `conflict:<app>`, `invalid:<app>`, `compensated`. */
export const PROBLEMS = defineSearchAttributeKey('ScimflowProblems', SearchAttributeType.KEYWORD_LIST);

/** name → type as the Temporal CLI's `--search-attribute name=Type` flag spells it. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'KeywordList' | 'Bool'> = {
  ScimflowStage: 'Keyword',
  ScimflowPendingApprovals: 'KeywordList',
  ScimflowNeedsAttention: 'Bool',
  ScimflowLinkedApps: 'KeywordList',
  ScimflowProblems: 'KeywordList',
};
