// Schema URNs used by the connectors (RFC 7643 §8.7.1, RFC 7644 §3.5.2, §3.7).
export {
  USER_SCHEMA,
  GROUP_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  PATCH_OP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  BULK_REQUEST_SCHEMA,
} from '../scim';
