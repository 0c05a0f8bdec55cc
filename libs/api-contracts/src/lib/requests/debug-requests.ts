import * as z from 'zod/mini';
import { COMMAND_WORD_BOUNDS } from './gateway-requests';
import { KUBE_NAME_PATTERNS } from './kube-names';
import type { DebugContainerRequest, DebugCopyRequest } from '../kube-api/debug-api';

/** Longest image reference a debug container may name, in characters. */
export const MAX_DEBUG_IMAGE_CHARS = 512;

const IMAGE_RULE = `must be an image reference such as busybox:1.37 (no spaces, at most ${MAX_DEBUG_IMAGE_CHARS} characters)`;
const image = z.string({ error: IMAGE_RULE }).check(z.minLength(1, { error: IMAGE_RULE }), z.maxLength(MAX_DEBUG_IMAGE_CHARS, { error: IMAGE_RULE }), z.regex(/^[^\s\p{Cc}]+$/u, { error: IMAGE_RULE }));

/** A container name: a DNS-1123 label (k8s.io/apimachinery IsDNS1123Label, as the API server validates container names; a namespace follows the same rule). */
const CONTAINER_RULE = 'must be a container name (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)';
const containerName = z.string({ error: CONTAINER_RULE }).check(z.maxLength(63, { error: CONTAINER_RULE }), z.regex(KUBE_NAME_PATTERNS.namespace, { error: CONTAINER_RULE }));

/** A pod name: a DNS-1123 subdomain (IsDNS1123Subdomain, the API server's rule for pod names). */
const POD_RULE = 'must be a pod name (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters)';
const podName = z.string({ error: POD_RULE }).check(z.maxLength(253, { error: POD_RULE }), z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { error: POD_RULE }));

/** The debug container's command, one string per word, within a terminal command's bounds. */
const command = z.array(z.string({ error: 'must be a list of words' }), { error: 'must be the command as a list of words' }).check(...COMMAND_WORD_BOUNDS);

/**
 * `POST …/namespaces/{namespace}/pods/{pod}/debug-containers`: `kubectl debug -it <pod>
 * --image=… [--target=…] [-c …] [-- command…]` (the rule: kube-model's ephemeralDebugContainer).
 */
export const DebugContainerBody = z.strictObject({
  image,
  /** The container whose process namespace the debug container joins (`--target`). */
  target: z.optional(containerName),
  /** The debug container's name (`-c`); `debugger-xxxxx` when left out. */
  name: z.optional(containerName),
  /** Its command; the image's own when left out or empty. */
  command: z.optional(command),
});
export type DebugContainerBody = z.output<typeof DebugContainerBody>;

/**
 * `POST …/namespaces/{namespace}/pods/{pod}/debug-copies`: `kubectl debug -it <pod>
 * --copy-to=… [--image=…] [-c …] [--share-processes] [-- command…]` (the rule: kube-model's
 * podCopyWithDebugContainer).
 */
export const DebugCopyBody = z.strictObject({
  /** The new pod's name (`--copy-to`). */
  copyName: podName,
  /** Required for a new container; replaces the image of an existing one. */
  image: z.optional(image),
  /** An existing container to change, or the new debug container's name (`-c`). */
  container: z.optional(containerName),
  command: z.optional(command),
  /** `--share-processes` (default true). */
  shareProcesses: z.optional(z.boolean({ error: 'must be true or false' })),
});
export type DebugCopyBody = z.output<typeof DebugCopyBody>;

// The front ends' request types (main entry, no validator) are what these schemas give, checked by the compiler.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const DEBUG_REQUEST_TYPES_MATCH: [Same<DebugContainerBody, DebugContainerRequest>, Same<DebugCopyBody, DebugCopyRequest>] = [true, true];
