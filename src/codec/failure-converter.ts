// Loaded by path (DataConverter.failureConverterPath) into the workflow bundle and by every client:
// a failure's message and stack trace travel in its encoded attributes, a payload the encryption
// codec encrypts, so history shows "Encoded failure" instead of an error that may quote a person.
// Workflow-safe: no Node built-ins.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
