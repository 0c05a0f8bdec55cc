import { QUANTITY_PATTERN } from './pod-spec';

/*
 * The API server's rules for the values a form asks for, so a form can say what is wrong before
 * anything is sent (the server-side dry run stays the last word). Each returns undefined when
 * the value is fine, or what is wrong with it in words.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A DNS-1123 label (container names, port names' shape, namespaces): at most 63 characters,
 * lowercase letters, digits and `-`, starting and ending with a letter or digit.
 * Rule: `IsDNS1123Label` (k8s.io/apimachinery/pkg/util/validation).
 */
export function dns1123LabelProblem(value: string): string | undefined {
  if (!value) return 'is required';
  if (value.length > 63) return `must be at most 63 characters (has ${value.length})`;
  if (!DNS1123_LABEL.test(value)) return 'must be lowercase letters, digits and "-", starting and ending with a letter or digit (a DNS-1123 label)';
  return undefined;
}

/**
 * A DNS-1123 subdomain (the names of Deployments, ConfigMaps and most objects): at most 253
 * characters, DNS-1123 labels joined by `.`.
 * Rule: `IsDNS1123Subdomain` (k8s.io/apimachinery/pkg/util/validation), used by `NameIsDNSSubdomain`.
 */
export function dns1123SubdomainProblem(value: string): string | undefined {
  if (!value) return 'is required';
  if (value.length > 253) return `must be at most 253 characters (has ${value.length})`;
  if (!DNS1123_SUBDOMAIN.test(value)) return 'must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (a DNS-1123 subdomain)';
  return undefined;
}

/** A port number: a whole number from 1 to 65535. Rule: `IsValidPortNum` (k8s.io/apimachinery/pkg/util/validation). */
export function portProblem(value: number): string | undefined {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : 'must be a whole number from 1 to 65535';
}

/**
 * A compute resource quantity (`100m`, `0.5`, `256Mi`, `1e3`): the resource.Quantity grammar
 * (`QUANTITY_PATTERN`, k8s.io/apimachinery/pkg/api/resource), and not negative, as
 * `ValidateResourceQuantityValue` (k8s.io/kubernetes/pkg/apis/core/validation) requires of
 * requests and limits.
 */
export function quantityProblem(value: string): string | undefined {
  if (!QUANTITY_PATTERN.test(value)) return 'must be a quantity such as 100m, 0.5, 256Mi or 1Gi (resource.Quantity)';
  if (value.startsWith('-')) return 'must not be negative';
  return undefined;
}

/**
 * An environment variable's name: printable ASCII other than `=`, not empty. Rule:
 * `IsEnvVarName` relaxed by the RelaxedEnvironmentVariableValidation feature (on by default
 * since Kubernetes 1.32; older API servers also want a C identifier, which their dry run says).
 */
export function envNameProblem(value: string): string | undefined {
  if (!value) return 'is required';
  if (!/^[\x20-\x7e]+$/.test(value) || value.includes('=')) return 'must be printable ASCII characters other than "="';
  return undefined;
}
